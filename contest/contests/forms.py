"""Forms of the organiser's contest pages, and the local-time fields quiz rounds share. Rules live in services."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from contest.contests.models import CONTEST_KINDS, CONTEST_STATUSES, Contest
from contest.contests.services import DESCRIPTION_MAX, KIND_LABELS, SLUG_MAX, STATUS_LABELS, TITLE_MAX
from contest.units.services import TreeRow

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
INDENT = "\u00a0\u00a0\u00a0"


def site_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def from_local(value: datetime | None) -> datetime | None:
    """A time typed into a datetime-local field (the site's time zone, Asia/Ho_Chi_Minh) as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=site_timezone()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """A stored time as the naive local time a datetime-local field shows."""
    if value is None:
        return None
    return value.astimezone(site_timezone()).replace(tzinfo=None, second=0, microsecond=0)


class LocalDateTimeField(DateTimeLocalField):
    """<input type=datetime-local>, read and shown in the site's time zone; .data is naive local time."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=[LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"], **kwargs)


def unit_choices(tree: list[TreeRow]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Everyone (no unit restriction)"))] + [
        SelectChoice(str(row.id), INDENT * row.depth + row.name) for row in tree]


class ContestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the contest a title.")),
                                                 Length(max=TITLE_MAX)])
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(_l("Give the contest an address (slug).")),
                                                         Length(max=SLUG_MAX)],
                       description=_l("Lower-case letters without accents, digits and hyphens; it appears in the "
                                      "contest's web address, such as /contests/hoc-tap-2026."))
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in CONTEST_KINDS])
    description = TextAreaField(_l("Description and rules"), validators=[Length(max=DESCRIPTION_MAX)],
                                description=_l("Plain text; blank lines separate paragraphs."))
    opens_at = LocalDateTimeField(_l("Opens at (Vietnam time)"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("Closes at (Vietnam time)"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in CONTEST_STATUSES],
                         default="announced",
                         description=_l("A draft is seen by organisers only, and nobody can take part."))
    unit_id = SelectField(_l("Open to"), validate_choice=False,
                          description=_l("Only members of this unit and the units below it can take part."))

    def service_data(self) -> dict:
        return {"slug": (self.slug.data or "").strip(), "kind": self.kind.data, "title": self.title.data,
                "description": self.description.data or "", "opens_at": from_local(self.opens_at.data),
                "closes_at": from_local(self.closes_at.data), "status": self.status.data,
                "unit_id": self.unit_id.data or None}

    @classmethod
    def for_contest(cls, contest: Contest) -> ContestForm:
        return cls(formdata=None, data={
            "title": contest.title, "slug": contest.slug, "kind": contest.kind, "description": contest.description,
            "opens_at": to_local(contest.opens_at), "closes_at": to_local(contest.closes_at),
            "status": contest.status, "unit_id": str(contest.unit_id or "")})
