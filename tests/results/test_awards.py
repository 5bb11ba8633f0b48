"""Awards: proposals from the rankings (a writing contest's final judging round, a quiz contest's final rounds),
setting awards (validation per item, all or nothing, rows kept when unchanged, audited) and result settings.

The helpers here (scored_essay, final_quiz) are shared by the other results tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.core.errors import Invalid, NotFound
from contest.essays.models import Entry
from contest.extensions import db
from contest.results import services
from contest.results.models import Award
from tests.essay_factories import gen_entry
from tests.judging_factories import ROUND_OPENS, World, assignments, gen_round, gen_world, score
from tests.quiz.board_factories import gen_attempt, gen_members
from tests.quiz.board_factories import gen_round as gen_quiz_round

# Fractions of the scale per entry index: entry 1 best, entries 2 and 3 tied, then 0, 4, 5.
FRACTIONS = [0.6, 0.9, 0.8, 0.8, 0.5, 0.4]


def scored_essay(*, final: bool = True, fractions=FRACTIONS) -> World:
    """A closed writing contest (gen_world, 6 entries) with a preliminary round and, when `final`, a final round,
    every assignment of the round awards come from submitted with the entry's fraction of the scale."""
    world = gen_world(entries=6, judges=4)
    prelim = gen_round(world, assign=True)
    rounds = [prelim]
    if final:
        rounds.append(gen_round(world, assign=True, title="Vòng chung khảo", stage="final"))
    index = {e.id: i for i, e in enumerate(world.entries)}
    target = rounds[-1]
    for row in assignments(target):
        score(row, fractions[index[row.entry_id]], now=ROUND_OPENS + timedelta(hours=2))
    if final:  # the preliminary round ranks the other way round: it must not be the one used
        for row in assignments(prelim):
            score(row, 1 - fractions[index[row.entry_id]], now=ROUND_OPENS + timedelta(hours=2))
    world.extra["rounds"] = rounds
    return world


def final_quiz(unit, scores=(10, 9, 9, 8, 7, 6), prizes=None):
    """A quiz contest with a closed round (finalised on first read) where member i answered scores[i] correctly
    (same times: equal scores tie), and an open round."""
    round_ = gen_quiz_round(prizes=prizes or {"first": 1, "second": 1, "third": 1, "consolation": 1})
    members = gen_members(len(scores), unit)
    for member, correct in zip(members, scores, strict=True):
        gen_attempt(round_, member, correct=correct)
    open_round = gen_quiz_round(_contest_of(round_), state="open")
    db.session.commit()
    return round_, open_round, members


def _contest_of(round_):
    from contest.contests.models import Contest
    return db.session.get(Contest, round_.contest_id)


# --- proposals --------------------------------------------------------------------------------------------

def test_writing_proposal_comes_from_the_final_round_with_ties_kept(app):
    world = scored_essay()
    services.update_settings(world.contest, {"award_counts": {"first": 1, "second": 1, "third": 1,
                                                              "consolation": 0}})
    proposal = services.proposal(world.contest)
    assert proposal["round"]["id"] == world.extra["rounds"][1].id and proposal["round"]["stage"] == "final"
    e = world.entries
    # 1 first; 2 and 3 tied for second: both second, which takes the third place too (ties are never split).
    assert [(i["tier"], i["entry_code"], i["rank"]) for i in proposal["items"]] == [
        ("first", e[1].code, 1), ("second", e[2].code, 2), ("second", e[3].code, 2)]
    assert proposal["items"][0]["score"] == pytest.approx(90.0)
    assert proposal["items"][0]["name"] == world.writers[1].full_name
    assert services.proposal_items(proposal) == [{"tier": "first", "entry_code": e[1].code},
                                                 {"tier": "second", "entry_code": e[2].code},
                                                 {"tier": "second", "entry_code": e[3].code}]


def test_writing_proposal_without_a_final_round_uses_the_latest_round(app):
    world = scored_essay(final=False)
    services.update_settings(world.contest, {"award_counts": {"first": 1, "second": 0, "third": 0,
                                                              "consolation": 1}})
    proposal = services.proposal(world.contest)
    assert proposal["round"]["stage"] == "preliminary"
    assert [(i["tier"], i["entry_id"]) for i in proposal["items"]] == [
        ("first", world.entries[1].id), ("consolation", world.entries[2].id), ("consolation", world.entries[3].id)]
    # The collective entry names its co-author.
    services.update_settings(world.contest, {"award_counts": {"consolation": 10}})
    names = {i["entry_id"]: i["name"] for i in services.proposal(world.contest)["items"]}
    assert names[world.entries[0].id] == f"{world.writers[0].full_name}, {world.coauthor.full_name}"


def test_withdrawn_entries_and_unscored_entries_are_not_proposed(app):
    world = scored_essay()
    world.entries[1].status = "withdrawn"
    db.session.commit()
    codes = [i["entry_code"] for i in services.proposal(world.contest)["items"]]
    assert world.entries[1].code not in codes and codes[:2] == [world.entries[2].code, world.entries[3].code]


def test_writing_contest_without_judging_round_proposes_nothing(app):
    world = gen_world(entries=2, judges=1)
    assert services.proposal(world.contest) == {"kind": "essay", "round": None, "counts": services.award_counts(
        services.settings_for(world.contest)), "items": []}


def test_quiz_proposal_per_final_round(app, unit):
    round_, open_round, members = final_quiz(unit)
    contest = _contest_of(round_)
    proposal = services.proposal(contest)
    assert proposal["kind"] == "quiz"
    by_round = {r["id"]: r for r in proposal["rounds"]}
    assert by_round[open_round.id]["final"] is False and by_round[open_round.id]["items"] == []
    assert by_round[round_.id]["final"] is True
    # first: 10; second: the two 9s (the tie stays whole) which also fill third; consolation: the 8.
    assert [(i["tier"], i["user_id"], i["round_id"]) for i in proposal["items"]] == [
        ("first", members[0].id, round_.id), ("second", members[1].id, round_.id),
        ("second", members[2].id, round_.id), ("consolation", members[3].id, round_.id)]
    items = services.proposal_items(proposal)
    assert items[0] == {"tier": "first", "user_id": members[0].id, "round_id": round_.id}
    awards = services.set_awards(contest, items)
    assert [(a.tier, a.user_id, a.round_id, a.position) for a in awards] == [
        ("first", members[0].id, round_.id, 1), ("second", members[1].id, round_.id, 1),
        ("second", members[2].id, round_.id, 2), ("consolation", members[3].id, round_.id, 1)]


# --- set_awards -------------------------------------------------------------------------------------------

def test_add_and_remove_one_award_keep_the_others(app):
    world = scored_essay()
    e = world.entries
    kept = services.set_awards(world.contest, [{"tier": "first", "entry_code": e[1].code}], world.organiser)[0]
    db.session.commit()
    awards = services.add_award(world.contest, {"tier": "second", "entry_code": e[2].code}, world.organiser)
    db.session.commit()
    assert [(a.tier, a.entry_id) for a in awards] == [("first", e[1].id), ("second", e[2].id)]
    assert awards[0].id == kept.id
    # The new item's errors come under its own field names; nothing changes.
    with pytest.raises(Invalid) as exc:
        services.add_award(world.contest, {"tier": "third", "entry_code": "VT-NOPE"}, world.organiser)
    assert "entry_code" in exc.value.fields and not any(k.startswith("awards.") for k in exc.value.fields)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Award)) == 2
    left = services.remove_award(world.contest, kept.id, world.organiser)
    db.session.commit()
    assert [(a.tier, a.entry_id) for a in left] == [("second", e[2].id)]
    with pytest.raises(NotFound):
        services.remove_award(world.contest, kept.id, world.organiser)


def test_set_awards_replaces_and_audits(app):
    world = scored_essay()
    e = world.entries
    first = services.set_awards(world.contest, [{"tier": "first", "entry_code": e[1].code},
                                                {"tier": "second", "entry_code": e[2].code.lower()}],
                                world.organiser)
    db.session.commit()
    kept_id = first[0].id
    unit = world.units[2]
    awards = services.set_awards(world.contest, [
        {"tier": "special", "unit_id": unit.id, "label": "  Giải  tập thể  "},
        {"tier": "first", "entry_code": e[1].code},
        {"tier": "third", "entry_code": e[2].code}], world.organiser)
    db.session.commit()
    assert [(a.tier, a.entry_id, a.unit_id, a.label) for a in awards] == [
        ("special", None, unit.id, "Giải tập thể"), ("first", e[1].id, None, ""), ("third", e[2].id, None, "")]
    assert awards[1].id == kept_id  # unchanged: the same row, so its certificates stay valid
    assert db.session.scalar(select(func.count()).select_from(Award)) == 3
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "awards_updated")
                              .order_by(AuditEntry.id)).all()
    assert [r.details["count_before"] for r in rows] == [0, 2]
    assert rows[1].details["before"] == {"first": 1, "second": 1}
    assert rows[1].details["after"] == {"special": 1, "first": 1, "third": 1}
    assert rows[1].actor_id == world.organiser.id and rows[1].target_id == str(world.contest.id)
    assert services.set_awards(world.contest, []) == []
    assert db.session.scalar(select(func.count()).select_from(Award)) == 0


def test_set_awards_validates_every_item_and_changes_nothing(app, unit):
    world = scored_essay()
    e = world.entries
    services.set_awards(world.contest, [{"tier": "first", "entry_code": e[1].code}])
    db.session.commit()
    other = gen_entry(None, status="submitted")  # an entry of another contest
    withdrawn = db.session.scalar(select(Entry).where(Entry.contest_id == world.contest.id,
                                                      Entry.status == "withdrawn"))
    items = [
        {"tier": "first", "entry_code": e[2].code},       # 0: fine
        {"tier": "gold", "entry_code": e[3].code},        # 1: unknown tier
        {"tier": "second", "entry_code": "VT26-999999"},  # 2: unknown code
        {"tier": "second", "entry_code": other.code},     # 3: another contest's
        {"tier": "second", "entry_code": withdrawn.code},  # 4: withdrawn
        {"tier": "third", "entry_code": e[2].code},       # 5: duplicate of 0
        {"tier": "third", "unit_id": 999999},             # 6: unknown unit
        {"tier": "third", "entry_code": e[4].code, "label": "x" * 201},  # 7: label too long
        {"tier": "third", "user_id": world.writers[0].id},  # 8: a person in a writing contest
        {"tier": "third"},                                 # 9: no holder
        "first",                                           # 10: not an object
        {"tier": "third", "entry_code": e[5].code, "unit_id": unit.id},  # 11: two holders
    ]
    with pytest.raises(Invalid) as info:
        services.set_awards(world.contest, items)
    db.session.rollback()
    assert info.value.code == "invalid_awards"
    fields = info.value.fields
    assert set(fields) == {"awards.1.tier", "awards.2.entry_code", "awards.3.entry_code", "awards.4.entry_code",
                           "awards.5.entry_code", "awards.6.unit_id", "awards.7.label", "awards.8.user_id",
                           "awards.9.entry_code", "awards.10.tier", "awards.11.entry_code"}
    assert [(a.tier, a.entry_id) for a in services.awards_of(world.contest)] == [("first", e[1].id)]


def test_withdrawn_and_disqualified_entries_cannot_be_awarded(app):
    world = scored_essay()
    world.entries[4].status = "disqualified"
    world.entries[5].status = "withdrawn"
    db.session.commit()
    with pytest.raises(Invalid) as info:
        services.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[4].code},
                                            {"tier": "first", "entry_code": world.entries[5].code}])
    assert set(info.value.fields) == {"awards.0.entry_code", "awards.1.entry_code"}


def test_quiz_awards_need_a_standing_in_the_round(app, unit):
    round_, open_round, members = final_quiz(unit)
    contest = _contest_of(round_)
    outsider = gen_members(1, unit)[0]
    other_round = gen_quiz_round()  # another contest's round
    gen_attempt(open_round, members[5], correct=3)
    db.session.commit()
    with pytest.raises(Invalid) as info:
        services.set_awards(contest, [
            {"tier": "first", "user_id": outsider.id, "round_id": round_.id},   # 0: not in the round
            {"tier": "first", "user_id": members[0].id, "round_id": other_round.id},  # 1: not this contest's
            {"tier": "first", "user_id": 10**9},                               # 2: no such member
            {"tier": "first", "entry_code": "VT26-000001"},                    # 3: entries are for writing
            {"tier": "first", "user_id": outsider.id},                         # 4: no final round taken
            {"tier": "second", "user_id": members[1].id},                      # 5: fine (default round)
            {"tier": "third", "user_id": members[1].id, "round_id": round_.id},  # 6: duplicate of 5
        ])
    assert set(info.value.fields) == {"awards.0.user_id", "awards.1.round_id", "awards.2.user_id",
                                      "awards.3.entry_code", "awards.4.round_id", "awards.6.user_id"}
    awards = services.set_awards(contest, [
        {"tier": "second", "user_id": members[1].id},
        {"tier": "consolation", "email": members[5].email.upper(), "round_id": open_round.id},
        {"tier": "special", "unit_id": unit.id, "round_id": round_.id, "label": "Đơn vị tích cực"}])
    assert [(a.tier, a.user_id, a.unit_id, a.round_id) for a in awards] == [
        ("special", None, unit.id, round_.id), ("second", members[1].id, None, round_.id),
        ("consolation", members[5].id, None, open_round.id)]


def test_awards_must_be_a_list(app):
    world = gen_world(entries=1, judges=1)
    with pytest.raises(Invalid) as info:
        services.set_awards(world.contest, {"tier": "first"})
    assert info.value.code == "invalid_awards" and "awards" in info.value.fields


def test_award_items_describe_holders(app):
    world = scored_essay()
    e = world.entries
    e[0].publish_consent = True
    db.session.commit()
    services.set_awards(world.contest, [{"tier": "first", "entry_code": e[0].code},
                                        {"tier": "second", "unit_id": world.units[1].id, "label": "Tập thể"}])
    first, unit_award = services.award_items(services.awards_of(world.contest))
    assert first["holder"] == "entry" and first["public_entry"] is True
    assert first["names"] == [world.writers[0].full_name, world.coauthor.full_name]
    assert first["user_ids"] == [world.writers[0].id, world.coauthor.id]
    assert first["title"] == e[0].title and first["entry_code"] == e[0].code
    assert first["unit"] == world.units[0].name and first["certificate_code"] is None
    assert unit_award == {**unit_award, "holder": "unit", "name": world.units[1].name, "title": "",
                          "label": "Tập thể", "user_ids": [], "entry_id": None}
    assert services.display_name(first, "initials") == "H. T. M. L., V. T. H. D."
    assert services.display_name(unit_award, "initials") == world.units[1].name


# --- settings ---------------------------------------------------------------------------------------------

def test_settings_defaults_and_updates(app):
    world = gen_world(entries=1, judges=1)
    settings = services.settings_for(world.contest)
    assert services.award_counts(settings) == {"special": 0, "first": 1, "second": 2, "third": 3,
                                               "consolation": 10}
    services.update_settings(world.contest, {"award_counts": {"special": 2, "consolation": 0},
                                             "name_masking": "partial", "signer_name": "Nguye\u0302\u0303n Văn A",
                                             "place": " Hà  Nội ", "participation_certificates": True})
    data = services.settings_json(settings)
    assert data["award_counts"] == {"special": 2, "first": 1, "second": 2, "third": 3, "consolation": 0}
    assert data["name_masking"] == "partial" and data["signer_name"] == "Nguyễn Văn A"
    assert data["place"] == "Hà Nội" and data["participation_certificates"] is True


@pytest.mark.parametrize(("data", "field"), [
    ({"award_counts": {"first": 1001}}, "award_counts.first"),
    ({"award_counts": {"first": -1}}, "award_counts.first"),
    ({"award_counts": {"first": 1.5}}, "award_counts.first"),
    ({"award_counts": {"first": True}}, "award_counts.first"),
    ({"award_counts": {"gold": 1}}, "award_counts"),
    ({"award_counts": [1]}, "award_counts"),
    ({"name_masking": "hidden"}, "name_masking"),
    ({"signer_title": "x" * 201}, "signer_title"),
    ({"place": 5}, "place"),
    ({"participation_certificates": "yes"}, "participation_certificates"),
])
def test_bad_settings_are_refused_and_nothing_changes(app, data, field):
    world = gen_world(entries=1, judges=1)
    with pytest.raises(Invalid) as info:
        services.update_settings(world.contest, {**data, "signer_name": "Không đổi"})
    assert field in info.value.fields
    assert services.settings_for(world.contest).signer_name == ""
