"""Forms of the quiz pages: a round's settings (organisers) and the answer sheet's submit (members, without
JavaScript). Rules live in rounds.py and attempts.py; these only turn form fields into service data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from contest.contests.forms import LocalDateTimeField, from_local, to_local
from contest.quiz.models import COUNTING_RULES, PRIZE_TIERS, REVIEW_POLICIES, TIME_TIEBREAKS, Round
from contest.quiz.rounds import (
    COUNTING_LABELS,
    MAX_QUESTIONS,
    REVIEW_LABELS,
    TIEBREAK_LABELS,
    TITLE_MAX,
    prizes,
    topic_quotas,
)

# Form field -> the service field it feeds (for placing a service's errors on the form).
SERVICE_FIELDS = {"time_limit_minutes": "time_limit_seconds", "topics_text": "topics", "prize_first": "prizes"}
PRIZE_LABELS = {"first": _l("First prizes"), "second": _l("Second prizes"), "third": _l("Third prizes"),
                "consolation": _l("Consolation prizes")}


def parse_quotas(text: str | None) -> dict[str, int] | None:
    """"Topic: count" per line -> {topic: count}; None when empty. ValueError names the first bad line."""
    quotas: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        topic, sep, count = line.rpartition(":")
        if not sep or not topic.strip() or not count.strip().isdigit():
            raise ValueError(number)
        quotas[topic.strip()] = int(count.strip())
    return quotas or None


def format_quotas(quotas: dict[str, int] | None) -> str:
    return "\n".join(f"{topic}: {count}" for topic, count in (quotas or {}).items())


def _minutes(seconds: int) -> int:
    return -(-seconds // 60)


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the round a title, such as “Week 1”.")),
                                                 Length(max=TITLE_MAX)])
    opens_at = LocalDateTimeField(_l("Opens at (Vietnam time)"),
                                  validators=[InputRequired(_l("Give the date and time."))])
    closes_at = LocalDateTimeField(_l("Closes at (Vietnam time)"),
                                   validators=[InputRequired(_l("Give the date and time."))])
    time_limit_minutes = IntegerField(
        _l("Time limit per attempt (minutes)"), default=10,
        validators=[InputRequired(_l("Give the time limit.")),
                    NumberRange(1, 24 * 60, _l("From 1 minute to 24 hours."))])
    question_count = IntegerField(_l("Questions per attempt"), default=20,
                                  validators=[InputRequired(_l("Give the number of questions.")),
                                              NumberRange(1, MAX_QUESTIONS)])
    topics_text = TextAreaField(
        _l("Questions per topic (optional)"),
        description=_l("One line per topic, such as “Tư tưởng Hồ Chí Minh: 5”; the numbers must add up to the "
                       "questions per attempt. Empty: any approved question of the bank."))
    max_attempts = IntegerField(_l("Attempts allowed"), default=1, validators=[Optional(), NumberRange(min=1)],
                                description=_l("Empty for unlimited."))
    counting = SelectField(_l("Which attempt counts"),
                           choices=[SelectChoice(c, COUNTING_LABELS[c]) for c in COUNTING_RULES])
    shuffle_questions = BooleanField(_l("Shuffle the questions for each attempt"), default=True)
    shuffle_options = BooleanField(_l("Shuffle the options of each question"), default=True)
    prediction = BooleanField(_l("Ask for a prediction: how many participants will answer every question "
                                 "correctly?"))
    time_tiebreak = SelectField(_l("Between equal scores, rank first"),
                                choices=[SelectChoice(t, TIEBREAK_LABELS[t]) for t in TIME_TIEBREAKS])
    live_leaderboard = BooleanField(_l("Show members the leaderboard while the round is open"))
    review_policy = SelectField(_l("Show correct answers and explanations"),
                                choices=[SelectChoice(p, REVIEW_LABELS[p]) for p in REVIEW_POLICIES])
    grace_seconds = IntegerField(_l("Grace for network delays (seconds)"), default=5,
                                 validators=[InputRequired(), NumberRange(0, 600)])
    prize_first = IntegerField(PRIZE_LABELS["first"], default=1, validators=[InputRequired(), NumberRange(min=0)])
    prize_second = IntegerField(PRIZE_LABELS["second"], default=2, validators=[InputRequired(), NumberRange(min=0)])
    prize_third = IntegerField(PRIZE_LABELS["third"], default=3, validators=[InputRequired(), NumberRange(min=0)])
    prize_consolation = IntegerField(PRIZE_LABELS["consolation"], default=10,
                                     validators=[InputRequired(), NumberRange(min=0)])

    def validate_topics_text(self, field) -> None:
        try:
            parse_quotas(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Line %(n)s is not “topic: number”.", n=exc.args[0])) from None

    def service_data(self, skip: tuple[str, ...] = (), round_: Round | None = None) -> dict:
        """The round fields for rounds.create_round / update_round, without the `skip`ped (locked) ones. A time
        limit of whole seconds set through the API stays as it was unless its minutes were changed."""
        seconds = self.time_limit_minutes.data * 60
        if round_ is not None and self.time_limit_minutes.data == _minutes(round_.time_limit_seconds):
            seconds = round_.time_limit_seconds
        data = {
            "title": self.title.data, "opens_at": from_local(self.opens_at.data),
            "closes_at": from_local(self.closes_at.data),
            "time_limit_seconds": seconds,
            "question_count": self.question_count.data, "topics": parse_quotas(self.topics_text.data),
            "max_attempts": self.max_attempts.data, "counting": self.counting.data,
            "shuffle_questions": self.shuffle_questions.data, "shuffle_options": self.shuffle_options.data,
            "prediction": self.prediction.data, "time_tiebreak": self.time_tiebreak.data,
            "live_leaderboard": self.live_leaderboard.data, "review_policy": self.review_policy.data,
            "grace_seconds": self.grace_seconds.data,
            "prizes": {tier: getattr(self, f"prize_{tier}").data for tier in PRIZE_TIERS},
        }
        return {k: v for k, v in data.items() if k not in skip}

    @classmethod
    def for_round(cls, round_: Round) -> RoundForm:
        won = prizes(round_)
        return cls(formdata=None, data={
            "title": round_.title, "opens_at": to_local(round_.opens_at), "closes_at": to_local(round_.closes_at),
            "time_limit_minutes": _minutes(round_.time_limit_seconds), "question_count": round_.question_count,
            "topics_text": format_quotas(topic_quotas(round_)), "max_attempts": round_.max_attempts,
            "counting": round_.counting, "shuffle_questions": round_.shuffle_questions,
            "shuffle_options": round_.shuffle_options, "prediction": round_.prediction,
            "time_tiebreak": round_.time_tiebreak, "live_leaderboard": round_.live_leaderboard,
            "review_policy": round_.review_policy, "grace_seconds": round_.grace_seconds,
            **{f"prize_{tier}": won[tier] for tier in PRIZE_TIERS}})


class SubmitForm(FlaskForm):
    """The answer sheet's own submit (pages without JavaScript); the answers come as fields q1, q2, ..."""

    prediction = IntegerField(_l("Your prediction"), validators=[Optional(), NumberRange(min=0)])
