"""Forms of the writing-contest pages: the organiser's settings and categories, a new entry, the editor without
JavaScript, submitting with the pledge, disqualifying, and the organiser's filters. Rules live in services.py;
these only turn form fields into service data (the services check everything again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.essays.models import ENTRY_STATUSES
from contest.essays.services import MAX_COAUTHORS, STATUS_LABELS


class SettingsForm(FlaskForm):
    theme = StringField(_l("Theme"), validators=[Length(max=300)])
    rules_html = TextAreaField(_l("Rules"), description=_l("Shown on the contest page. Links and formatting are "
                                                            "kept; anything unsafe is removed."))
    code_prefix = StringField(_l("Receipt code prefix"), validators=[Length(max=8)],
                              description=_l("Letters and digits, such as VT26: receipts read VT26-123456."))
    max_entries_per_writer = IntegerField(_l("Entries per writer"), validators=[Optional(), NumberRange(min=1)],
                                          description=_l("Empty for no limit. Counts submitted entries."))
    allow_collective = BooleanField(_l("Collective entries (co-authors) are allowed"))
    pledge_text = TextAreaField(_l("Originality pledge"),
                                description=_l("Writers tick a box under this text when they submit."))
    similarity_min_words = IntegerField(
        _l("Similarity check: shortest shared passage (syllables)"),
        validators=[InputRequired(_l("Give a number of syllables.")), NumberRange(min=5)])

    def service_data(self) -> dict:
        return {"theme": self.theme.data or "", "rules_html": self.rules_html.data or "",
                "code_prefix": (self.code_prefix.data or "").strip(),
                "max_entries_per_writer": self.max_entries_per_writer.data,
                "allow_collective": bool(self.allow_collective.data), "pledge_text": self.pledge_text.data or "",
                "similarity_min_words": self.similarity_min_words.data}

    @classmethod
    def for_settings(cls, settings) -> SettingsForm:
        return cls(formdata=None, data={
            "theme": settings.theme, "rules_html": settings.rules_html, "code_prefix": settings.code_prefix,
            "max_entries_per_writer": settings.max_entries_per_writer,
            "allow_collective": settings.allow_collective, "pledge_text": settings.pledge_text,
            "similarity_min_words": settings.similarity_min_words})


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the category a name.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    min_words = IntegerField(_l("At least (words)"), validators=[Optional(), NumberRange(min=0)])
    max_words = IntegerField(_l("At most (words)"), validators=[Optional(), NumberRange(min=1)])
    position = IntegerField(_l("Order"), validators=[Optional()], default=0)

    def service_data(self) -> dict:
        return {"name": self.name.data or "", "description": self.description.data or "",
                "min_words": self.min_words.data, "max_words": self.max_words.data,
                "position": self.position.data or 0}

    @classmethod
    def for_category(cls, category, prefix: str = "") -> CategoryForm:
        return cls(formdata=None, prefix=prefix, data={
            "name": category.name, "description": category.description, "min_words": category.min_words,
            "max_words": category.max_words, "position": category.position})


def category_choices(categories) -> list[SelectChoice]:
    return [SelectChoice(str(c.id), c.name) for c in categories]


class NewEntryForm(FlaskForm):
    title = StringField(_l("Title of your entry"), validators=[DataRequired(_l("Give your entry a title.")),
                                                               Length(max=300)])
    category_id = SelectField(_l("Category"), validate_choice=False,
                              validators=[DataRequired(_l("Choose a category."))])

    def service_data(self) -> dict:
        return {"title": self.title.data or "", "category_id": _int_or_none(self.category_id.data)}


class EntryForm(FlaskForm):
    """The editor's fields. With JavaScript they are saved by the API as the writer types; without, this form
    posts them all with the version it was shown (so a save from a stale page is refused, never overwriting)."""

    version = HiddenField()
    title = StringField(_l("Title"), validators=[Length(max=300)])
    category_id = SelectField(_l("Category"), validate_choice=False)
    subject_name = StringField(_l("Name of the person you write about"), validators=[Length(max=200)])
    subject_unit = StringField(_l("Their unit or place"), validators=[Length(max=300)])
    subject_description = TextAreaField(_l("A short description of them"), validators=[Length(max=2000)])
    body_html = TextAreaField(_l("Your text"))

    def service_data(self, coauthors: list[dict] | None) -> dict:
        data = {"title": self.title.data or "", "category_id": _int_or_none(self.category_id.data),
                "subject_name": self.subject_name.data or "", "subject_unit": self.subject_unit.data or "",
                "subject_description": self.subject_description.data or "",
                "body_html": self.body_html.data or ""}
        if coauthors is not None:
            data["coauthors"] = coauthors
        return data

    def base_version(self) -> int | None:
        return _int_or_none(self.version.data)

    @classmethod
    def for_entry(cls, entry) -> EntryForm:
        return cls(formdata=None, data={
            "version": str(entry.version), "title": entry.title, "category_id": str(entry.category_id),
            "subject_name": entry.subject_name, "subject_unit": entry.subject_unit,
            "subject_description": entry.subject_description, "body_html": entry.body_html})


def coauthors_from(form_data) -> list[dict]:
    """The co-author rows of the editor's form (coauthor_name / coauthor_email, repeated), empty rows left out."""
    names = form_data.getlist("coauthor_name")[:MAX_COAUTHORS]
    emails = form_data.getlist("coauthor_email")[:MAX_COAUTHORS]
    rows = []
    for index, name in enumerate(names):
        email = emails[index] if index < len(emails) else ""
        if (name or "").strip() or (email or "").strip():
            rows.append({"full_name": name or "", "email": email or ""})
    return rows


class SubmitEntryForm(FlaskForm):
    pledge = BooleanField(_l("I make this pledge"))
    publish_consent = BooleanField(_l("The organisers may publish my entry with the results"))


class DisqualifyForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the writer is told)"),
                           validators=[DataRequired(_l("Give the reason.")), Length(max=2000)])


class EntryFilterForm(FlaskForm):
    """The organiser's entry list filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    category = SelectField(_l("Category"), validate_choice=False)
    unit = SelectField(_l("Unit"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice("", _l("Any status"))]
                         + [SelectChoice(s, STATUS_LABELS[s]) for s in ENTRY_STATUSES])
    flagged = BooleanField(_l("Only entries flagged by the similarity check"))

    def filters(self) -> dict:
        return {"category_id": _int_or_none(self.category.data), "unit_id": _int_or_none(self.unit.data),
                "status": self.status.data if self.status.data in ENTRY_STATUSES else None,
                "flagged": True if self.flagged.data else None, "q": (self.q.data or "").strip() or None}


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None
