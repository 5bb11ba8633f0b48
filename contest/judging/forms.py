"""Forms of the organiser's judging pages: a round with its rubric, and the small forms of the round, progress and
results pages. Rules live in rounds.py, scoring.py and results.py; these only turn form fields into service data
(the services check everything again and name the fields at fault)."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.contests.forms import LocalDateTimeField, from_local, to_local
from contest.judging.models import AGGREGATIONS, REVEAL_POLICIES, STAGES, JudgingRound
from contest.judging.rounds import (
    AGGREGATION_LABELS,
    MAX_JUDGES_PER_ENTRY,
    REASON_MAX,
    REVEAL_LABELS,
    STAGE_LABELS,
    TITLE_MAX,
)

# One line each, under the choice: what the method does to the judges' totals.
AGGREGATION_HELP = {
    "mean": _l("The average of the judges' totals. Simple and easy to explain."),
    "trimmed_mean": _l("With 5 judges or more, the highest and lowest totals are dropped before averaging."),
    "median": _l("The middle total: one very high or very low judge cannot pull the score."),
    "zscore": _l("Each judge's totals are put on a common footing (harsh and lenient judges evened out), then "
                 "rescaled to the rubric's range."),
}
SOURCE_LABELS = {"submitted": _l("Every submitted entry of the contest"),
                 "top": _l("The best entries of another round (top K)"),
                 "min_score": _l("The entries of another round with at least a minimum score")}
EMPTY_CRITERIA_ROWS = 2  # blank rubric rows under the filled ones, for adding criteria without JavaScript
MIN_CRITERIA_ROWS = 4


def _number(text: Any) -> Any:
    """A typed number ("7.5" or "7,5") as a float; anything else as typed, so the service names the problem."""
    raw = (text or "").strip() if isinstance(text, str) else text
    if isinstance(raw, str):
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return value if math.isfinite(value) else raw
    return raw


def _plain(value: float | None) -> str:
    """12.0 -> "12", 2.5 -> "2.5" for an input's value."""
    if value is None:
        return ""
    return f"{value:g}"


class RoundForm(FlaskForm):
    """A judging round. The rubric's rows are not WTForms fields: they come as repeated criterion_id,
    criterion_name, criterion_max and criterion_weight inputs (see criteria_rows)."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the round a title, such as “Vòng sơ khảo”.")),
                                                 Length(max=TITLE_MAX)])
    stage = SelectField(_l("Stage"), choices=[SelectChoice(s, STAGE_LABELS[s]) for s in STAGES])
    judges_per_entry = IntegerField(
        _l("Judges per entry"), default=3,
        validators=[InputRequired(_l("Give the number of judges per entry.")),
                    NumberRange(1, MAX_JUDGES_PER_ENTRY)])
    opens_at = LocalDateTimeField(_l("Judging opens at (Vietnam time)"),
                                  validators=[InputRequired(_l("Give the date and time."))])
    closes_at = LocalDateTimeField(_l("Judging closes at (Vietnam time)"),
                                   validators=[InputRequired(_l("Give the date and time."))])
    aggregation = RadioField(_l("How the judges' totals make the entry's score"), default="mean",
                             choices=[SelectChoice(a, AGGREGATION_LABELS[a]) for a in AGGREGATIONS])
    source = RadioField(_l("Entries judged"), default="submitted",
                        choices=[SelectChoice(s, SOURCE_LABELS[s]) for s in SOURCE_LABELS])
    advance_from = SelectField(_l("From the round"), validate_choice=False)
    advance_top = IntegerField(_l("How many (K)"), validators=[Optional(), NumberRange(min=1)],
                               description=_l("Entries tied at the K-th place all advance."))
    advance_min_score = FloatField(_l("Minimum score"), validators=[Optional(), NumberRange(min=0)],
                                   description=_l("On the scale of that round."))
    reveal_scores = SelectField(_l("Judges see the other judges' totals of an entry"),
                                choices=[SelectChoice(p, REVEAL_LABELS[p]) for p in REVEAL_POLICIES])
    disagreement_threshold = FloatField(
        _l("Disagreement threshold"), validators=[Optional(), NumberRange(min=0)],
        description=_l("Entries whose judges' totals differ by more than this are flagged, so you can add a "
                       "judge. Empty: a fifth of the scale."))
    same_unit_conflicts = BooleanField(_l("A judge never judges an entry from their own unit"), default=True)

    def __init__(self, *args, criteria: list[dict[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria_rows: list[dict[str, Any]] = criteria if criteria is not None else []
        self.criteria_errors: list[str] = []

    # --- the rubric ---------------------------------------------------------------------------------------

    def read_criteria(self, form_data) -> None:
        """The rubric's rows from the posted form (rows left entirely empty are dropped)."""
        ids = form_data.getlist("criterion_id")
        names = form_data.getlist("criterion_name")
        maxes = form_data.getlist("criterion_max")
        weights = form_data.getlist("criterion_weight")
        rows = []
        for i in range(max(len(names), len(maxes), len(weights))):
            row = {"id": ids[i] if i < len(ids) else "", "name": names[i] if i < len(names) else "",
                   "max_score": maxes[i] if i < len(maxes) else "",
                   "weight": weights[i] if i < len(weights) else "", "errors": []}
            if any((row[k] or "").strip() for k in ("name", "max_score", "weight")):
                rows.append(row)
        self.criteria_rows = rows

    def display_rows(self) -> list[dict[str, Any]]:
        """The filled rows, then blank ones (at least MIN_CRITERIA_ROWS in all)."""
        blanks = max(EMPTY_CRITERIA_ROWS, MIN_CRITERIA_ROWS - len(self.criteria_rows))
        return self.criteria_rows + [{"id": "", "name": "", "max_score": "", "weight": "", "errors": []}
                                     for _ in range(blanks)]

    def place_criteria_errors(self, fields: dict[str, list]) -> dict[str, list]:
        """Put the service's `criteria` and `criteria.N` errors on the rubric; the other fields back."""
        rest = {}
        for name, messages in fields.items():
            if name == "criteria":
                self.criteria_errors += [str(m) for m in messages]
            elif name.startswith("criteria."):
                index = name.split(".", 1)[1]
                if index.isdigit() and int(index) < len(self.criteria_rows):
                    self.criteria_rows[int(index)]["errors"] += [str(m) for m in messages]
                else:
                    self.criteria_errors += [str(m) for m in messages]
            else:
                rest[name] = messages
        return rest

    # --- to and from the services ---------------------------------------------------------------------------

    def source_data(self) -> Any:
        if self.source.data == "top":
            return {"advance_from": self.advance_from.data, "top": self.advance_top.data}
        if self.source.data == "min_score":
            return {"advance_from": self.advance_from.data, "min_score": self.advance_min_score.data}
        return "submitted"

    def service_data(self, round_: JudgingRound | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title.data, "stage": self.stage.data, "judges_per_entry": self.judges_per_entry.data,
            "opens_at": from_local(self.opens_at.data), "closes_at": from_local(self.closes_at.data),
            "aggregation": self.aggregation.data, "reveal_scores": self.reveal_scores.data,
            "same_unit_conflicts": bool(self.same_unit_conflicts.data), "source": self.source_data(),
            "criteria": [{"id": row["id"] or None, "name": row["name"], "max_score": _number(row["max_score"]),
                          "weight": _number(row["weight"])} for row in self.criteria_rows],
        }
        if self.disagreement_threshold.data is not None:
            data["disagreement_threshold"] = self.disagreement_threshold.data
        if round_ is not None and round_.entries_taken_at is not None:
            data.pop("source")  # frozen once the entries are taken; the form shows it read-only
        return data

    @classmethod
    def for_round(cls, round_: JudgingRound) -> RoundForm:
        return cls(formdata=None, data={
            "title": round_.title, "stage": round_.stage, "judges_per_entry": round_.judges_per_entry,
            "opens_at": to_local(round_.opens_at), "closes_at": to_local(round_.closes_at),
            "aggregation": round_.aggregation, "source": round_.source,
            "advance_from": str(round_.advance_from_id or ""), "advance_top": round_.advance_top,
            "advance_min_score": round_.advance_min_score, "reveal_scores": round_.reveal_scores,
            "disagreement_threshold": round_.disagreement_threshold,
            "same_unit_conflicts": round_.same_unit_conflicts,
        }, criteria=rows_of(round_.criteria))


def rows_of(criteria) -> list[dict[str, Any]]:
    return [{"id": str(c.id) if getattr(c, "id", None) else "", "name": c.name, "max_score": _plain(c.max_score),
             "weight": _plain(c.weight), "errors": []} for c in criteria]


class ReasonForm(FlaskForm):
    """Until when and why: reopening a submitted score, or the round for one judge."""

    until = LocalDateTimeField(_l("Until (Vietnam time)"), validators=[InputRequired(_l("Give the date and time."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)])

    def until_utc(self):
        return from_local(self.until.data)


class ConflictForm(FlaskForm):
    entry_code = StringField(_l("Entry code"), validators=[DataRequired(_l("Give the entry's code."))])
    judge_id = SelectField(_l("Judge"), validate_choice=False, validators=[DataRequired(_l("Choose a judge."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)])


class AssignmentForm(FlaskForm):
    entry_code = StringField(_l("Entry code"), validators=[DataRequired(_l("Give the entry's code."))])
    judge_id = SelectField(_l("Judge"), validate_choice=False, validators=[DataRequired(_l("Choose a judge."))])


def judge_choices(panel) -> list[SelectChoice]:
    return [SelectChoice("", _l("— choose a judge —"))] + [SelectChoice(str(rj.user_id), rj.user.full_name)
                                                           for rj in panel]


__all__ = ["AGGREGATION_HELP", "AssignmentForm", "ConflictForm", "ReasonForm", "RoundForm", "SOURCE_LABELS",
           "judge_choices", "rows_of"]
