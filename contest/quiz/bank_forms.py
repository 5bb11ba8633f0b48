"""Forms of the question bank pages. The rules (options, correct answers, duplicates) live in quiz/bank.py."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from contest.quiz import bank, bank_io

DIFFICULTY_CHOICES = [SelectChoice(str(n), label) for n, label in bank.DIFFICULTY_LABELS.items()]
KIND_CHOICES = [SelectChoice(key, label) for key, label in bank.KIND_LABELS.items()]
STATUS_CHOICES = [SelectChoice(key, label) for key, label in bank.STATUS_LABELS.items()]


class OptionForm(Form):
    """One option row; a row without text (and not marked correct) is ignored."""

    text = StringField(_l("Option text"))
    correct = BooleanField(_l("Correct"))


class QuestionForm(FlaskForm):
    topic = StringField(_l("Topic"), description=_l(
        "Questions with the same topic (compared without accents or case) share one spelling."))
    difficulty = SelectField(_l("Difficulty"), choices=DIFFICULTY_CHOICES, default=str(bank.DEFAULT_DIFFICULTY))
    kind = SelectField(_l("Answers"), choices=KIND_CHOICES, default="single")
    text = TextAreaField(_l("Question"), render_kw={"rows": 3})
    options = FieldList(FormField(OptionForm), min_entries=bank.MAX_OPTIONS, max_entries=bank.MAX_OPTIONS)
    explanation = TextAreaField(_l("Explanation"), render_kw={"rows": 4}, description=_l(
        "Shown to members with the answer key when the round allows it."))
    source = StringField(_l("Source"), description=_l("For example: Hồ Chí Minh Toàn tập, tập 5, tr. 120"))
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default=bank.DEFAULT_STATUS, description=_l(
        "Only approved questions can be drawn in rounds."))
    allow_duplicate = BooleanField(_l("Save it anyway: the same wording is wanted twice"))

    # Messages of the service about the options as a whole (count, correct answers, repeated texts).
    option_errors: list[Any]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.option_errors = []

    def service_data(self) -> dict[str, Any]:
        """The form as bank.create_question / update_question take it; option rows without text are left out."""
        options = [{"text": row.form.text.data, "correct": bool(row.form.correct.data)}
                   for row in self.options if (row.form.text.data or "").strip()]
        return {"topic": self.topic.data, "difficulty": self.difficulty.data, "kind": self.kind.data,
                "text": self.text.data, "options": options, "explanation": self.explanation.data,
                "source": self.source.data, "status": self.status.data}


    def option_problems(self) -> list[Any]:
        """Rows marked correct without a text: the service never sees them, so the form says it."""
        return [_l("Option %(key)s is marked correct but has no text.", key=bank.OPTION_KEYS[n].upper())
                for n, row in enumerate(self.options)
                if row.form.correct.data and not (row.form.text.data or "").strip()]


def form_data(values: dict[str, Any]) -> dict[str, Any]:
    """bank.question_data(...) as form data: strings for the selects, the option rows padded to six."""
    options = list(values.get("options") or [])
    options += [{"text": "", "correct": False}] * (bank.MAX_OPTIONS - len(options))
    return {**values, "difficulty": str(values.get("difficulty") or bank.DEFAULT_DIFFICULTY), "options": options}


class ImportForm(FlaskForm):
    file = FileField(_l("File (.csv, .xlsx or .json)"), validators=[FileRequired(_l("Choose a file to import."))])
    duplicates = SelectField(_l("Questions the bank already has"), choices=[
        SelectChoice("skip", _l("Skip them and import the others")),
        SelectChoice("error", _l("Treat them as errors: import nothing")),
    ], default="skip")


class ActionForm(FlaskForm):
    """Only the CSRF token, for the approve, unapprove, delete and restore buttons."""


EXPORT_FORMATS = bank_io.FORMATS
