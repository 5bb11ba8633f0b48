"""Forms of the organiser's results page: the result settings and adding an award by hand. They only turn form
fields into service data; contest.results.services checks everything again and names the fields at fault."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from contest.results.masking import mask_name
from contest.results.models import AWARD_TIERS, NAME_MASKING, ResultSettings
from contest.results.services import (
    LABEL_MAX,
    MASKING_EXAMPLE,
    MASKING_LABELS,
    MAX_COUNT,
    SETTING_LIMITS,
    TIER_LABELS,
    award_counts,
)


def _count_field(tier: str) -> IntegerField:
    return IntegerField(TIER_LABELS[tier], validators=[InputRequired(_l("Give a whole number from 0 to 1000.")),
                                                       NumberRange(min=0, max=MAX_COUNT)],
                        render_kw={"min": 0, "max": MAX_COUNT, "inputmode": "numeric"})


def masking_choices() -> list[SelectChoice]:
    """Each mode with what it makes of an example name."""
    return [SelectChoice(mode, f"{MASKING_LABELS[mode]} — {mask_name(MASKING_EXAMPLE, mode)}")
            for mode in NAME_MASKING]


class SettingsForm(FlaskForm):
    count_special = _count_field("special")
    count_first = _count_field("first")
    count_second = _count_field("second")
    count_third = _count_field("third")
    count_consolation = _count_field("consolation")
    name_masking = SelectField(_l("Names on public pages"), choices=masking_choices,
                               description=_l("How winners' names appear on the public results page and in the "
                                              "results API."))
    signer_title = StringField(_l("Signer's title"), validators=[Length(max=SETTING_LIMITS["signer_title"])],
                               description=_l("Printed on the certificates above the signer's name, e.g. "
                                              "“TM. BAN TỔ CHỨC”."))
    signer_name = StringField(_l("Signer's name"), validators=[Length(max=SETTING_LIMITS["signer_name"])])
    organisation = StringField(_l("Organisation"), validators=[Length(max=SETTING_LIMITS["organisation"])],
                               description=_l("The organising body, printed at the top of the certificates."))
    place = StringField(_l("Place"), validators=[Length(max=SETTING_LIMITS["place"])],
                        description=_l("Printed before the date, e.g. “Hà Nội”."))
    participation_certificates = BooleanField(
        _l("Offer participation certificates for the quiz rounds"),
        description=_l("Members who took part in a published round can download a certificate of participation."))

    def count_fields(self) -> list[Any]:
        return [getattr(self, f"count_{tier}") for tier in AWARD_TIERS if hasattr(self, f"count_{tier}")]

    def drop_counts(self) -> None:
        for tier in AWARD_TIERS:
            delattr(self, f"count_{tier}")

    def fill(self, settings: ResultSettings) -> None:
        for tier, count in award_counts(settings).items():
            if hasattr(self, f"count_{tier}"):
                getattr(self, f"count_{tier}").data = count
        self.name_masking.data = settings.name_masking
        for name in SETTING_LIMITS:
            getattr(self, name).data = getattr(settings, name)
        self.participation_certificates.data = bool(settings.participation_certificates)

    def service_data(self, kind: str) -> dict[str, Any]:
        data: dict[str, Any] = {"name_masking": self.name_masking.data,
                                **{name: getattr(self, name).data or "" for name in SETTING_LIMITS},
                                "participation_certificates": bool(self.participation_certificates.data)}
        if kind == "essay":
            data["award_counts"] = {tier: getattr(self, f"count_{tier}").data for tier in AWARD_TIERS}
        return data


class AwardForm(FlaskForm):
    """One award added by hand: a tier, and an entry code (writing contest), a member's email and round (quiz), or
    a unit; an optional label (the name of a special prize)."""

    tier = SelectField(_l("Prize"), choices=[SelectChoice(t, TIER_LABELS[t]) for t in AWARD_TIERS])
    entry_code = StringField(_l("Entry code"), validators=[Optional(), Length(max=30)],
                             render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    email = StringField(_l("Member's email"), validators=[Optional(), Length(max=254)],
                        render_kw={"autocomplete": "off", "inputmode": "email"})
    round_id = SelectField(_l("Round"), validate_choice=False)
    unit_id = SelectField(_l("Or a unit (a collective award)"), validate_choice=False)
    label = StringField(_l("Label (optional)"), validators=[Optional(), Length(max=LABEL_MAX)],
                        description=_l("For example the name of a special prize."))

    def item(self) -> dict[str, Any]:
        """The award as a set_awards item."""
        item: dict[str, Any] = {"tier": self.tier.data, "label": self.label.data or ""}
        if self.unit_id.data:
            item["unit_id"] = self.unit_id.data
            if self.round_id.data:
                item["round_id"] = self.round_id.data
        elif self.email.data:
            item["email"] = self.email.data
            if self.round_id.data:
                item["round_id"] = self.round_id.data
        elif self.entry_code.data:
            item["entry_code"] = self.entry_code.data
        return item
