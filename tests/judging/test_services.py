"""Judging services: rounds and rubrics, panels, the entries a round takes, assignment with conflicts, scoring
windows and reopening, conflicts declared by judges, results, progress, reminders and the blind check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Invalid, NotFound
from contest.essays.models import Entry
from contest.extensions import db
from contest.judging import results, rounds, scoring
from contest.judging.models import Assignment, RoundEntry, Score
from contest.judging.models import Conflict as ConflictRow
from tests import factories
from tests.essay_factories import gen_entry
from tests.judging_factories import (
    COAUTHOR_NAME,
    ROUND_CLOSES,
    ROUND_OPENS,
    RUBRIC,
    assignments,
    gen_round,
    gen_world,
    round_data,
    score,
)
from tests.quiz_factories import T0, gen_contest


@pytest.fixture
def world(app):
    return gen_world()


@pytest.fixture
def now(clock):
    return clock.set(ROUND_OPENS + timedelta(hours=1))


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def code_of(exc) -> str:
    return exc.value.code


# --- rounds -----------------------------------------------------------------------------------------------

def test_a_round_has_a_rubric_on_the_scale_of_its_weights(world):
    round_ = rounds.create_round(world.contest, round_data(), world.organiser)
    assert [c.name for c in round_.criteria] == [c["name"] for c in RUBRIC]
    assert all(c.id for c in round_.criteria)
    assert rounds.total_scale(round_) == 100
    assert round_.disagreement_threshold == 20  # 20% of the scale unless given
    assert (round_.stage, round_.judges_per_entry, round_.source, round_.reveal_scores) == \
        ("preliminary", 2, "submitted", "after_submit")
    assert audits("judging.round_created")[0].target_id == str(round_.id)


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": " "}, "title"),
    ({"criteria": []}, "criteria"),
    ({"criteria": [{"name": "Nội dung", "max_score": 0, "weight": 40}]}, "criteria.0"),
    ({"criteria": [{"name": "Nội dung", "max_score": 10, "weight": -1}]}, "criteria.0"),
    ({"criteria": [{"name": "A", "max_score": 10, "weight": 1}, {"name": "a", "max_score": 5, "weight": 1}]},
     "criteria.1"),
    ({"closes_at": (ROUND_OPENS - timedelta(hours=1)).isoformat()}, "closes_at"),
    ({"opens_at": "2026-05-19T08:00:00"}, "opens_at"),
    ({"stage": "semi"}, "stage"),
    ({"aggregation": "max"}, "aggregation"),
    ({"judges_per_entry": 0}, "judges_per_entry"),
    ({"disagreement_threshold": -5}, "disagreement_threshold"),
    ({"source": {"advance_from": 999999, "top": 3}}, "source"),
    ({"source": "everything"}, "source"),
])
def test_bad_round_fields_are_refused_by_name(world, fields, field):
    with pytest.raises(Invalid) as exc:
        rounds.create_round(world.contest, round_data(**fields), world.organiser)
    assert field in exc.value.fields


def test_rounds_belong_to_writing_contests(world):
    quiz = gen_contest(slug="trac-nghiem", kind="quiz")
    with pytest.raises(Conflict) as exc:
        rounds.create_round(quiz, round_data(), world.organiser)
    assert code_of(exc) == "not_an_essay"


def test_a_final_advances_from_a_round_of_the_same_contest_and_never_from_itself(world):
    first = gen_round(world)
    final = rounds.create_round(world.contest, round_data(stage="final", source={"advance_from": first.id, "top": 2}),
                                world.organiser)
    assert (final.source, final.advance_from_id, final.advance_top) == ("top", first.id, 2)
    with pytest.raises(Invalid):  # a cycle
        rounds.update_round(first, {"source": {"advance_from": final.id, "top": 1}}, world.organiser)
    with pytest.raises(Invalid):  # above the source round's scale
        rounds.create_round(world.contest, round_data(source={"advance_from": first.id, "min_score": 101}),
                            world.organiser)


def test_the_rubric_freezes_once_scored_and_the_source_once_entries_are_taken(world, now):
    round_ = gen_round(world, assign=True)
    rounds.update_round(round_, {"title": "Sơ khảo đợt 1", "criteria": [
        {"id": c.id, "name": c.name, "max_score": c.max_score, "weight": c.weight} for c in round_.criteria]},
        world.organiser)
    assert round_.title == "Sơ khảo đợt 1"
    with pytest.raises(Conflict) as exc:
        rounds.update_round(round_, {"source": {"advance_from": gen_round(world).id, "top": 1}}, world.organiser)
    assert code_of(exc) == "entries_taken"
    score(assignments(round_)[0])
    with pytest.raises(Conflict) as exc:
        rounds.update_round(round_, {"criteria": RUBRIC[:2]}, world.organiser)
    assert code_of(exc) == "round_has_scores"


# --- panel ------------------------------------------------------------------------------------------------

def test_the_panel_holds_judges_only(world):
    round_ = rounds.create_round(world.contest, round_data(), world.organiser)
    member = world.writers[0]
    with pytest.raises(Invalid) as exc:
        rounds.set_judges(round_, [world.judges[0].id, member.id, 987654], world.organiser)
    assert code_of(exc) == "not_judges"
    assert exc.value.extra["user_ids"] == [member.id, 987654]
    panel = rounds.set_judges(round_, [j.id for j in world.judges] + [world.judges[0].id], world.organiser)
    assert sorted(rj.user_id for rj in panel) == sorted(j.id for j in world.judges)


def test_leaving_the_panel_drops_pending_work_but_not_started_work(world, now):
    round_ = gen_round(world, assign=True)
    leaving, started = world.judges[1], world.judges[2]
    pending = len(assignments(round_, leaving))
    assert pending
    before = rounds.assignment_count(round_)
    rounds.set_judges(round_, [j.id for j in world.judges if j is not leaving], world.organiser)
    assert rounds.assignment_count(round_) == before - pending
    scoring.save_scores(assignments(round_, started)[0], started, {str(round_.criteria[0].id): 5})
    with pytest.raises(Conflict) as exc:
        rounds.set_judges(round_, [world.judges[0].id], world.organiser)
    assert code_of(exc) == "judge_has_started" and exc.value.extra["judge_ids"] == [started.id]


# --- entries ----------------------------------------------------------------------------------------------

def test_a_preliminary_round_takes_every_submitted_entry_at_its_submitted_version(world, now):
    round_ = gen_round(world)
    assert rounds.take_entries(round_, world.organiser, explicit=True) == len(world.entries)
    taken = db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == round_.id)).all()
    assert {r.entry_id for r in taken} == {e.id for e in world.entries}
    assert all(r.version == 2 for r in taken)
    with pytest.raises(Conflict) as exc:
        rounds.take_entries(round_, world.organiser, explicit=True)
    assert code_of(exc) == "entries_taken"


def test_entries_are_not_taken_while_submissions_are_open(world, clock):
    world.contest.closes_at = T0 + timedelta(days=1)
    db.session.commit()
    clock.set(ROUND_OPENS)
    round_ = gen_round(world)
    with pytest.raises(Conflict) as exc:
        rounds.assign(round_, world.organiser)
    assert code_of(exc) == "submissions_open"


def test_a_final_takes_the_best_entries_of_its_closed_source_round(world, clock):
    clock.set(ROUND_OPENS + timedelta(hours=1))
    first = gen_round(world, assign=True)
    fractions = {e.id: 0.4 + 0.1 * i for i, e in enumerate(world.entries)}  # the last entry is the best
    for row in assignments(first):
        score(row, fractions[row.entry_id])
    final = gen_round(world, stage="final", source={"advance_from": first.id, "top": 2},
                      opens_at=(ROUND_CLOSES + timedelta(days=1)).isoformat(),
                      closes_at=(ROUND_CLOSES + timedelta(days=8)).isoformat())
    with pytest.raises(Conflict) as exc:
        rounds.take_entries(final, world.organiser)
    assert code_of(exc) == "source_round_open"
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    assert rounds.take_entries(final, world.organiser) == 2
    taken = set(db.session.scalars(select(RoundEntry.entry_id).where(RoundEntry.round_id == final.id)))
    assert taken == {world.entries[-1].id, world.entries[-2].id}
    by_score = gen_round(world, stage="final", source={"advance_from": first.id, "min_score": 70},
                         opens_at=(ROUND_CLOSES + timedelta(days=1)).isoformat(),
                         closes_at=(ROUND_CLOSES + timedelta(days=8)).isoformat())
    rounds.take_entries(by_score, world.organiser)
    taken = set(db.session.scalars(select(RoundEntry.entry_id).where(RoundEntry.round_id == by_score.id)))
    assert taken == {e.id for e in world.entries if fractions[e.id] * 100 >= 70 - 1e-9}


# --- assignment -------------------------------------------------------------------------------------------

def test_assignment_gives_n_distinct_judges_without_conflicts_and_even_loads(world, now):
    round_ = gen_round(world)
    answer = rounds.assign(round_, world.organiser)
    assert answer["assignments"] == 2 * len(world.entries) and answer["unassigned"] == []
    rows = assignments(round_)
    per_entry: dict[int, list[int]] = {}
    for row in rows:
        per_entry.setdefault(row.entry_id, []).append(row.judge_id)
    assert all(len(set(j)) == 2 for j in per_entry.values())
    unit0_judge = world.judges[0]
    for entry in world.entries:
        units = {entry.unit_id} | {c.unit_id for c in entry.coauthors}
        if unit0_judge.unit_id in units:
            assert unit0_judge.id not in per_entry[entry.id]
    loads = [len(assignments(round_, j)) for j in world.judges]
    assert max(loads) - min(loads) <= 1
    assert rounds.assign(round_, world.organiser)["assignments"] == answer["assignments"]  # stable


def test_co_authors_units_and_accounts_are_conflicts_too(world, now):
    coauthor_judge = world.coauthor
    db.session.add(factories_role(coauthor_judge, "judge"))
    db.session.commit()
    round_ = gen_round(world, judges=[coauthor_judge, *world.judges[1:]], same_unit_conflicts=False)
    rounds.assign(round_, world.organiser)
    collective = world.entries[0]
    assert coauthor_judge.id not in {a.judge_id for a in rounds.assignments_of(round_, entry_id=collective.id)}
    assert rounds.conflict_reason(round_, collective.id, coauthor_judge.id) == "author"
    unit1_judge = factories.gen_user(email="j-unit1@example.com", roles=["judge"], unit=world.units[1])
    round_.same_unit_conflicts = True
    assert rounds.conflict_reason(round_, collective.id, unit1_judge.id) == "same_unit"  # the co-author's unit


def factories_role(user, role):
    from contest.accounts.models import UserRole

    return UserRole(user_id=user.id, role=role)


def test_what_cannot_be_assigned_is_reported_with_its_reason(world, now):
    round_ = gen_round(world, judges=world.judges[:2], judges_per_entry=2)  # judge 0 conflicts with unit 0
    answer = rounds.assign(round_, world.organiser)
    short = {u["entry"]: u for u in answer["unassigned"]}
    unit0 = [e for e in world.entries if e.unit_id == world.units[0].id]
    assert set(short) == {e.code for e in unit0}
    assert all(u["reason"] == "conflicts" and u["missing"] == 1 for u in short.values())
    three = gen_round(world, judges=world.judges[:2], judges_per_entry=3)
    assert {u["reason"] for u in rounds.assign(three, world.organiser)["unassigned"]} == {"not_enough_judges"}


def test_declared_conflicts_and_same_unit_setting(world, now):
    entry = world.entries[1]
    round_ = gen_round(world)
    rounds.take_entries(round_, world.organiser)
    rounds.add_conflict(round_, entry.code, world.judges[1].id, "Là đồng nghiệp của tác giả.", world.organiser)
    rounds.assign(round_, world.organiser)
    assert world.judges[1].id not in {a.judge_id for a in rounds.assignments_of(round_, entry_id=entry.id)}
    loose = gen_round(world, judges=[world.judges[0]], judges_per_entry=1, same_unit_conflicts=False)
    rounds.assign(loose, world.organiser)
    own_unit = [e for e in world.entries if e.unit_id == world.units[0].id][0]
    assert [a.judge_id for a in rounds.assignments_of(loose, entry_id=own_unit.id)] == [world.judges[0].id]


def test_manual_add_remove_and_swap_use_the_same_checks(world, now):
    round_ = gen_round(world, judges_per_entry=1, assign=True)
    entry = [e for e in world.entries if e.unit_id == world.units[0].id][0]
    with pytest.raises(Conflict) as exc:
        rounds.add_assignment(round_, entry.code, world.judges[0].id, world.organiser)
    assert code_of(exc) == "conflict_of_interest" and exc.value.extra["reason"] == "same_unit"
    holder = rounds.assignments_of(round_, entry_id=entry.id)[0]
    with pytest.raises(Conflict) as exc:
        rounds.add_assignment(round_, entry.code, holder.judge_id, world.organiser)
    assert code_of(exc) == "already_assigned"
    with pytest.raises(Invalid) as exc:
        rounds.add_assignment(round_, entry.code, world.writers[1].id, world.organiser)
    assert code_of(exc) == "not_on_panel"
    with pytest.raises(NotFound):
        rounds.add_assignment(round_, "VT26-NOPE", world.judges[1].id, world.organiser)
    other = next(j for j in world.judges[1:] if j.id != holder.judge_id)
    added = rounds.add_assignment(round_, entry.code, other.id, world.organiser)
    assert added.status == "pending"
    with pytest.raises(Conflict) as exc:
        rounds.swap_assignment(holder, world.judges[0].id, world.organiser)
    assert code_of(exc) == "conflict_of_interest"
    third = next(j for j in world.judges[1:] if j.id not in (holder.judge_id, other.id))
    rounds.swap_assignment(holder, third.id, world.organiser)
    assert holder.judge_id == third.id
    rounds.remove_assignment(added, world.organiser)
    score(holder)
    with pytest.raises(Conflict) as exc:
        rounds.remove_assignment(holder, world.organiser)
    assert code_of(exc) == "assignment_started"
    with pytest.raises(Conflict):
        rounds.swap_assignment(holder, other.id, world.organiser)
    assert [a.action for a in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("judging.assignment_%")).order_by(AuditEntry.id))] == \
        ["judging.assignment_added", "judging.assignment_swapped", "judging.assignment_removed"]


# --- scoring ----------------------------------------------------------------------------------------------

@pytest.fixture
def scored_round(world, now):
    return gen_round(world, assign=True)


def test_scores_are_checked_against_each_criterion(world, scored_round):
    row = assignments(scored_round)[0]
    judge = row.judge
    content, creativity, form, impact = scored_round.criteria
    with pytest.raises(Invalid) as exc:
        scoring.save_scores(row, judge, {str(content.id): 11, str(form.id): 4, str(impact.id): -1})
    assert code_of(exc) == "score_out_of_range"
    assert set(exc.value.fields) == {f"scores.{content.id}", f"scores.{impact.id}"}
    with pytest.raises(Invalid) as exc:
        scoring.save_scores(row, judge, {"999999": 1})
    assert code_of(exc) == "unknown_criterion"
    assert db.session.scalars(select(Score)).all() == [] and row.status == "pending"
    scoring.save_scores(row, judge, {str(content.id): 8, str(form.id): 4.5},
                        comments={str(content.id): "Nội dung sâu sắc."}, comment="Bài tốt.")
    assert row.status == "draft" and scoring.judge_total(row) is None
    with pytest.raises(Invalid) as exc:
        scoring.save_scores(row, judge, submit=True)
    assert code_of(exc) == "incomplete"
    assert set(exc.value.fields) == {f"scores.{creativity.id}", f"scores.{impact.id}"}
    scoring.save_scores(row, judge, {str(creativity.id): 5, str(impact.id): 10}, submit=True)
    assert row.status == "submitted" and row.submitted_at is not None
    assert scoring.judge_total(row) == pytest.approx(32 + 10 + 9 + 30)
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(row, judge, {str(content.id): 9})
    assert code_of(exc) == "already_submitted"
    with pytest.raises(NotFound):
        scoring.save_scores(row, world.judges[-1] if world.judges[-1].id != judge.id else world.judges[0], {})



def test_a_comment_may_come_before_its_score(world, scored_round):
    row = assignments(scored_round)[0]
    judge = row.judge
    content, creativity = (str(c.id) for c in scored_round.criteria[:2])
    scoring.save_scores(row, judge, comments={content: "Cần xem lại đoạn kết."})
    assert row.status == "draft"
    assert scoring.assignment_view(row)["scores"] == {content: None}
    assert scoring.assignment_view(row)["comments"] == {content: "Cần xem lại đoạn kết."}
    assert scoring.judge_total(row) is None
    with pytest.raises(Invalid) as exc:
        scoring.save_scores(row, judge, submit=True)
    assert code_of(exc) == "incomplete" and f"scores.{content}" in exc.value.fields
    scoring.save_scores(row, judge, {content: 7})
    assert {str(s.criterion_id): (s.value, s.comment) for s in row.scores} == {
        content: (7, "Cần xem lại đoạn kết.")}
    # Clearing the score keeps the comment; clearing both removes the row.
    scoring.save_scores(row, judge, {content: None, creativity: None})
    assert {str(s.criterion_id): (s.value, s.comment) for s in row.scores} == {
        content: (None, "Cần xem lại đoạn kết.")}
    scoring.save_scores(row, judge, comments={content: ""})
    assert row.scores == []
    db.session.commit()
    assert db.session.scalars(select(Score)).all() == []

def test_scoring_only_while_the_round_is_open_for_the_judge(world, scored_round, clock):
    row = assignments(scored_round)[0]
    key = str(scored_round.criteria[0].id)
    clock.set(ROUND_OPENS - timedelta(minutes=1))
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(row, row.judge, {key: 5})
    assert code_of(exc) == "round_not_open"
    with pytest.raises(Conflict):
        scoring.assignment_view(row)
    clock.set(ROUND_CLOSES)
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(row, row.judge, {key: 5})
    assert code_of(exc) == "round_closed"
    assert not scoring.may_edit(row)
    with pytest.raises(Invalid):
        scoring.extend_for_judge(scored_round, row.judge_id, (ROUND_CLOSES - timedelta(days=1)).isoformat(),
                                 "Ốm", world.organiser)
    with pytest.raises(Invalid) as exc:
        scoring.extend_for_judge(scored_round, world.writers[0].id, (ROUND_CLOSES + timedelta(days=1)).isoformat(),
                                 "Ốm", world.organiser)
    assert code_of(exc) == "not_on_panel"
    scoring.extend_for_judge(scored_round, row.judge_id, (ROUND_CLOSES + timedelta(days=1)).isoformat(),
                             "Giám khảo ốm một tuần.", world.organiser)
    scoring.save_scores(row, row.judge, {key: 5})
    others = [a for a in assignments(scored_round) if a.judge_id != row.judge_id]
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(others[0], others[0].judge, {key: 5})
    assert code_of(exc) == "round_closed"
    assert audits("judging.round_extended")[0].details["reason"] == "Giám khảo ốm một tuần."


def test_a_reopened_score_can_change_once_and_every_change_is_audited(world, scored_round, clock):
    row = score(assignments(scored_round)[0], 0.8)
    content = scored_round.criteria[0]
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    unscored = next(a for a in assignments(scored_round) if a.status == "pending")
    with pytest.raises(Conflict) as exc:
        scoring.reopen_assignment(unscored, (ROUND_CLOSES + timedelta(days=1)).isoformat(), "Sửa", world.organiser)
    assert code_of(exc) == "not_submitted"
    with pytest.raises(Invalid) as exc:
        scoring.reopen_assignment(row, (ROUND_CLOSES + timedelta(days=1)).isoformat(), " ", world.organiser)
    assert code_of(exc) == "reason_required"
    scoring.reopen_assignment(row, (ROUND_CLOSES + timedelta(days=1)).isoformat(), "Chấm nhầm tiêu chí 1.",
                              world.organiser)
    scoring.save_scores(row, row.judge, {str(content.id): 6})
    assert row.status == "submitted"
    changed = audits("judging.score_changed")
    assert changed[0].details["changes"] == {str(content.id): {"old": 8.0, "new": 6.0}}
    assert changed[0].details["reason"] == "Chấm nhầm tiêu chí 1."
    with pytest.raises(Invalid) as exc:  # a submitted score stays complete
        scoring.save_scores(row, row.judge, {str(content.id): None})
    assert code_of(exc) == "incomplete"
    scoring.save_scores(row, row.judge, submit=True)
    assert row.reopened_until is None
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(row, row.judge, {str(content.id): 7})
    assert code_of(exc) == "round_closed"
    assert audits("judging.score_reopened")[0].details["reason"] == "Chấm nhầm tiêu chí 1."


def test_the_judge_sees_the_judged_version_and_nothing_about_the_author(world, scored_round):
    entry = world.entries[0]
    row = rounds.assignments_of(scored_round, entry_id=entry.id)[0]
    entry.body_html = "<p>Bản sửa sau khi nộp</p>"  # the working copy changed after submission
    entry.title = "Tiêu đề mới"
    db.session.commit()
    view = scoring.assignment_view(row)
    assert view["entry"]["code"] == entry.code
    assert view["entry"]["title"] != "Tiêu đề mới" and "Bản sửa" not in view["entry"]["body_html"]
    text = repr(view)
    for secret in (world.writers[0].full_name, world.writers[0].email, world.units[0].name, COAUTHOR_NAME,
                   world.coauthor.email, world.units[1].name):
        assert secret not in text
    assert "others" not in view


def test_other_judges_totals_after_submitting_without_names(world, scored_round):
    first, second = rounds.assignments_of(scored_round, entry_id=world.entries[1].id)
    score(first, 0.5)
    assert scoring.assignment_view(second).get("others") is None
    score(second, 0.9)
    assert scoring.assignment_view(second)["others"] == [{"judge": 1, "total": pytest.approx(50)}]
    assert scoring.assignment_view(first)["others"] == [{"judge": 1, "total": pytest.approx(90)}]
    scored_round.reveal_scores = "never"
    assert "others" not in scoring.assignment_view(first)


def test_the_queue_lists_the_judges_own_assignments(world, scored_round):
    judge = world.judges[1]
    queue = scoring.my_assignments(judge)
    assert {i["id"] for i in queue} == {a.id for a in assignments(scored_round, judge)}
    assert all(i["round"] == "Vòng sơ khảo" and i["status"] == "pending" and i["editable"] for i in queue)
    assert all(i["category"] and i["entry_code"] for i in queue)


# --- conflicts declared by judges -------------------------------------------------------------------------

def test_a_declared_conflict_hands_the_entry_to_the_least_loaded_eligible_judge(world, scored_round):
    row = assignments(scored_round, world.judges[1])[0]
    entry_id = row.entry_id
    with pytest.raises(Invalid):
        scoring.declare_conflict(row, world.judges[1], "")
    answer = scoring.declare_conflict(row, world.judges[1], "Tác giả là người thân của tôi.")
    assert answer == {"reassigned_to": True, "removed": True}
    holders = [a.judge_id for a in rounds.assignments_of(scored_round, entry_id=entry_id)]
    assert len(holders) == 2 and world.judges[1].id not in holders
    assert db.session.scalar(select(ConflictRow).where(ConflictRow.entry_id == entry_id)).reason \
        == "Tác giả là người thân của tôi."
    later = gen_round(world, title="Vòng sơ khảo bổ sung", judges_per_entry=4)
    rounds.assign(later, world.organiser)  # the conflict holds in every round of the contest
    assert world.judges[1].id not in {a.judge_id for a in rounds.assignments_of(later, entry_id=entry_id)}


def test_a_declared_conflict_hands_back_the_entry_in_every_round(world, scored_round):
    row = assignments(scored_round, world.judges[1])[0]
    entry_id, judge = row.entry_id, world.judges[1]
    second = gen_round(world, title="Vòng song song", judges=world.judges[1:], judges_per_entry=3, assign=True)
    other = rounds.assignments_of(second, entry_id=entry_id, judge_id=judge.id)
    assert other and other[0].status == "pending"
    scoring.declare_conflict(row, judge, "Người thân.")
    for round_ in (scored_round, second):
        holders = [a.judge_id for a in rounds.assignments_of(round_, entry_id=entry_id)]
        assert judge.id not in holders
    assert len(rounds.assignments_of(second, entry_id=entry_id)) == 2  # nobody else left for the third seat
    removed = audits("judging.assignment_removed")
    assert {a.details["round_id"] for a in removed} == {scored_round.id, second.id}


def test_a_submitted_assignment_stays_when_its_judge_declares_a_conflict(world, scored_round):
    row = score(assignments(scored_round, world.judges[1])[0])
    assert scoring.declare_conflict(row, world.judges[1], "Mới biết là người quen.") == {"reassigned_to": False,
                                                                                         "removed": False}
    assert db.session.get(Assignment, row.id).status == "submitted"
    assert db.session.scalar(select(ConflictRow).where(ConflictRow.entry_id == row.entry_id)) is not None


def test_a_conflict_is_not_reassigned_when_nobody_can_take_it(world, now):
    round_ = gen_round(world, judges=world.judges[1:3], judges_per_entry=2, assign=True)
    row = assignments(round_, world.judges[1])[0]
    assert scoring.declare_conflict(row, world.judges[1], "Người quen.") == {"reassigned_to": False,
                                                                             "removed": True}
    assert len(rounds.assignments_of(round_, entry_id=row.entry_id)) == 1


# --- results, progress, reminders, blind check ------------------------------------------------------------

def test_results_rank_by_the_aggregated_score_with_spread_flag_and_agreement(world, scored_round):
    fractions = {e.id: 0.3 + 0.1 * i for i, e in enumerate(world.entries)}
    flagged_entry = world.entries[2]
    for row in assignments(scored_round):
        fraction = fractions[row.entry_id]
        if row.entry_id == flagged_entry.id and row.judge_id == rounds.assignments_of(
                scored_round, entry_id=flagged_entry.id)[0].judge_id:
            fraction = 1.0
        score(row, fraction)
    answer = results.results(scored_round)
    items = answer["items"]
    assert [i["rank"] for i in items] == [1, 2, 3, 4, 5, 6]
    assert items[0]["entry_code"] == world.entries[-1].code
    flagged = next(i for i in items if i["entry_code"] == flagged_entry.code)
    assert flagged["flagged"] and flagged["spread"] == pytest.approx(50)
    assert flagged["score"] == pytest.approx(75)
    assert all(not i["flagged"] for i in items if i is not flagged)
    assert all(len(i["judges"]) == 2 and all(j["status"] == "submitted" for j in i["judges"]) for i in items)
    assert answer["agreement"] is not None and answer["agreement"] < 1


def test_results_without_scores_and_withdrawn_entries(world, scored_round):
    score(assignments(scored_round)[0], 0.5)
    world.entries[-1].status = "disqualified"
    db.session.commit()
    items = results.results(scored_round)["items"]
    assert items[0]["rank"] == 1 and items[0]["score"] == pytest.approx(50)
    assert all(i["rank"] is None and i["score"] is None for i in items[1:])
    assert world.entries[-1].code not in {i["entry_code"] for i in items}


def test_progress_and_reminders_to_judges_who_are_behind(app, world, scored_round):
    done = world.judges[1]
    for row in assignments(scored_round, done):
        score(row)
    scoring.save_scores(assignments(scored_round, world.judges[2])[0], world.judges[2],
                        {str(scored_round.criteria[0].id): 3})
    answer = results.progress(scored_round)
    by_judge = {i["judge_id"]: i for i in answer["items"]}
    assert by_judge[done.id]["submitted"] == by_judge[done.id]["assigned"] > 0
    assert by_judge[world.judges[2].id]["in_progress"] == 1
    assert answer["totals"]["assigned"] == 2 * len(world.entries)
    app.extensions.pop("contest_outbox", None)
    assert results.remind(scored_round, world.organiser) == len(world.judges) - 1
    assert "contest_outbox" not in app.extensions  # nothing goes out before the commit
    db.session.commit()
    sent = {m["To"] for m in app.extensions["contest_outbox"]}
    assert sent == {j.email for j in world.judges if j is not done}


def test_the_blind_check_finds_authors_named_in_their_text(world, now):
    writer = world.writers[1]
    gen_entry(world.contest, writer, status="submitted",
              body_html=f"<p>Tôi là {writer.full_name.upper()}, kể về bác Lâm.</p>")
    gen_entry(world.contest, world.writers[2], status="submitted",
              body_html=f"<p>Nhóm tác giả: {COAUTHOR_NAME}.</p>",
              coauthors=[{"full_name": COAUTHOR_NAME, "user_id": world.coauthor.id}])
    round_ = gen_round(world)
    before = results.blind_check(round_)
    rounds.take_entries(round_, world.organiser)
    after = results.blind_check(round_)
    assert before == after
    assert sorted(tuple(f["names"]) for f in after) == [(COAUTHOR_NAME,), (writer.full_name,)]


def test_the_blind_check_finds_an_authors_email_even_in_a_link(world, now):
    writer = world.writers[3]
    mailed = gen_entry(world.contest, writer, status="submitted",
                       body_html=f'<p>Mọi góp ý xin <a href="mailto:{writer.email.upper()}">gửi về đây</a>.</p>')
    found = results.blind_check(gen_round(world))
    assert found == [{"entry_id": mailed.id, "entry_code": mailed.code, "names": [], "emails": [writer.email]}]


def test_attachment_access_for_judges_follows_assignments(world, scored_round, clock):
    row = assignments(scored_round)[0]
    other = next(j for j in world.judges if j.id not in
                 {a.judge_id for a in rounds.assignments_of(scored_round, entry_id=row.entry_id)})
    assert scoring.judge_may_read_entry(row.judge, row.entry_id)
    assert not scoring.judge_may_read_entry(other, row.entry_id)
    clock.set(ROUND_OPENS - timedelta(hours=1))
    assert not scoring.judge_may_read_entry(row.judge, row.entry_id)


def test_drafts_and_withdrawn_entries_are_never_judged(world, scored_round):
    judged = set(db.session.scalars(select(Assignment.entry_id).where(Assignment.round_id == scored_round.id)))
    assert judged == {e.id for e in world.entries}
    assert db.session.scalars(select(Entry.id).where(Entry.status.in_(("draft", "withdrawn")))).all()


def test_a_disqualified_entry_leaves_the_judges_queue_and_progress(world, scored_round):
    judge = world.judges[1]
    row = assignments(scored_round, judge)[0]
    before = results.progress(scored_round)["totals"]["assigned"]
    row.entry.status = "disqualified"
    db.session.commit()
    assert row.id not in {i["id"] for i in scoring.my_assignments(judge)}
    with pytest.raises(NotFound):
        scoring.assignment_for_judge(row.id, judge)
    assert results.progress(scored_round)["totals"]["assigned"] == before - 2
    still = next(a for a in assignments(scored_round, judge) if a.entry_id != row.entry_id)
    assert scoring.assignment_for_judge(still.id, judge) is still


def test_races_with_a_judge_who_starts_scoring_never_lose_their_work(world, scored_round):
    from sqlalchemy import insert, update

    row = assignments(scored_round)[0]
    assert row.status == "pending" and row.scores == []
    # The judge's first save lands between the organiser's read and write (done here behind the session's back).
    db.session.execute(update(Assignment).where(Assignment.id == row.id).values(status="draft")
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict) as exc:
        rounds.remove_assignment(row, world.organiser)
    assert code_of(exc) == "assignment_started"
    row = assignments(scored_round)[1]
    db.session.execute(update(Assignment).where(Assignment.id == row.id).values(status="draft")
                       .execution_options(synchronize_session=False))
    free = next(j for j in world.judges if j.id not in {a.judge_id for a in rounds.assignments_of(
        scored_round, entry_id=row.entry_id)} and rounds.conflict_reason(scored_round, row.entry_id, j.id) is None)
    with pytest.raises(Conflict) as exc:
        rounds.swap_assignment(row, free.id, world.organiser)
    assert code_of(exc) == "assignment_started"
    db.session.rollback()
    # Two tabs saving the same first score at once: the second gets a 409, not a 500.
    row = assignments(scored_round)[2]
    assert row.scores == []
    criterion = scored_round.criteria[0]
    db.session.execute(insert(Score).values(assignment_id=row.id, criterion_id=criterion.id, value=3, comment=""))
    with pytest.raises(Conflict) as exc:
        scoring.save_scores(row, row.judge, {str(criterion.id): 5})
    assert code_of(exc) == "scores_changed"


def test_a_judge_gets_the_files_of_assigned_entries_only(world, scored_round, clock):
    from contest.essays import services as essays
    from contest.essays.models import Attachment

    row = assignments(scored_round)[0]
    other = next(j for j in world.judges if j.id not in
                 {a.judge_id for a in rounds.assignments_of(scored_round, entry_id=row.entry_id)})
    attachment = Attachment(entry_id=row.entry_id, key="k" * 32, kind="image", content_type="image/png", size=10)
    db.session.add(attachment)
    db.session.commit()
    assert essays.attachment_by_key(row.judge, attachment.key) is attachment
    with pytest.raises(NotFound):
        essays.attachment_by_key(other, attachment.key)
    clock.set(ROUND_OPENS - timedelta(hours=1))  # before the round opens, not even the assigned judge
    with pytest.raises(NotFound):
        essays.attachment_by_key(row.judge, attachment.key)
