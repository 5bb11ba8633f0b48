"""An organiser in a real browser: imports questions into the bank from a CSV file (a file with bad rows first,
refused as a whole, then the good one), finds them without diacritics, then publishes a closed round's results
and hides them again. Runs on a desktop and a 390px phone; the refusal to publish an open round runs on a desktop.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.core import clock
from contest.extensions import db
from contest.quiz.models import Question, Round
from contest.units.models import Unit
from tests.browser.support import REPO, assert_fits_screen, expect, make_account, sign_in
from tests.quiz.board_factories import gen_attempt, gen_contest, gen_round

pytestmark = pytest.mark.browser

SAMPLE_CSV = REPO / "docs" / "samples" / "questions.csv"
HEADER = "topic,difficulty,kind,text,option_a,option_b,option_c,option_d,correct,explanation,source,status"
# Row 2 is fine; row 3 has no question text; row 4 marks an option that does not exist as correct.
BAD_CSV = "\n".join([
    HEADER,
    "Cuộc đời và sự nghiệp,1,single,Bác Hồ ra đi tìm đường cứu nước năm nào?,1911,1920,1930,1945,a,,,approved",
    "Cuộc đời và sự nghiệp,1,single,,Một,Hai,,,a,,,approved",
    "Đạo đức Hồ Chí Minh,2,single,Câu hỏi có đáp án không tồn tại?,Một,Hai,,,d,,,approved",
]) + "\n"


@pytest.fixture
def organiser(server, units):
    return make_account(server, units["Thành phố Hà Nội"], "Nguyễn Văn Tổ Chức", "tochuc@example.com",
                        roles=["organiser", "member"])


def question_count(server) -> int:
    with server.app_context():
        return db.session.scalar(select(func.count()).select_from(Question))


def upload(page, path: Path) -> None:
    page.locator("main input[type=file]").set_input_files(str(path))
    page.get_by_test_id("import-submit").click()


def test_import_questions_from_a_csv_file_and_find_them_without_diacritics(page, server, organiser, tmp_path):
    sign_in(page, organiser.email, organiser.password)
    page.locator("header").get_by_role("link", name="Ngân hàng câu hỏi").click()
    expect(page).to_have_url(re.compile(r"/organiser/questions/$"))
    expect(page.locator("main h1")).to_have_text("Ngân hàng câu hỏi")
    assert_fits_screen(page)
    page.get_by_test_id("import-questions").click()
    expect(page).to_have_url(re.compile(r"/organiser/questions/import$"))
    assert_fits_screen(page)

    # A file with bad rows: every problem is listed with its row, and nothing is imported (not even row 2).
    bad = tmp_path / "cau-hoi-loi.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    upload(page, bad)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(page.locator(".flash-error")).to_be_visible()
    expect(errors.locator("tbody tr[data-row='3']")).to_have_count(1)
    expect(errors.locator("tbody tr[data-row='4']")).to_have_count(1)
    expect(errors.locator("tbody tr[data-row='2']")).to_have_count(0)
    for row in ("3", "4"):
        cells = errors.locator(f"tbody tr[data-row='{row}'] td")
        expect(cells.nth(0)).to_have_text(row)
        assert cells.nth(2).inner_text().strip(), f"row {row} is listed without a reason"
    expect(errors.locator("tbody tr[data-row='3']")).to_contain_text("text")
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    assert question_count(server) == 0
    assert_fits_screen(page)

    # The good file: the success message, and the questions are in the list.
    upload(page, SAMPLE_CSV)
    expect(page.locator(".flash-success")).to_contain_text("3")
    expect(page.get_by_test_id("import-result")).to_contain_text("3")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert question_count(server) == 3
    assert_fits_screen(page)
    page.get_by_test_id("import-result").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/organiser/questions/\?sort=newest$"))
    rows = page.get_by_test_id("bank-questions").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("bank-questions")).to_contain_text("Chủ tịch Hồ Chí Minh sinh ngày, tháng, năm nào?")
    assert_fits_screen(page)

    # Searching without diacritics finds the questions written with them.
    page.get_by_test_id("bank-search").fill("ho chi minh")
    page.get_by_test_id("bank-search-submit").click()
    expect(page).to_have_url(re.compile(r"[?&]q=ho\+chi\+minh"))
    expect(rows).to_have_count(3)  # two say it in the question, one in its source (Hồ Chí Minh Toàn tập)
    expect(page.get_by_test_id("bank-count")).to_contain_text("3")
    page.get_by_test_id("bank-search").fill("chu tich ho chi minh sinh")
    page.get_by_test_id("bank-search-submit").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chủ tịch Hồ Chí Minh sinh ngày, tháng, năm nào?")
    expect(page.get_by_test_id("bank-search")).to_have_value("chu tich ho chi minh sinh")
    page.get_by_test_id("bank-search").fill("can kiem liem chinh")
    page.get_by_test_id("bank-search-submit").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cần, kiệm, liêm, chính")
    assert_fits_screen(page)


@pytest.fixture
def closed_round(server, units) -> int:
    """A round that closed a day ago, with three members' submitted attempts (nobody has seen the board yet)."""
    with server.app_context():
        from tests.quiz.board_factories import gen_members

        unit = db.session.get(Unit, units["Phường Ba Đình"])
        round_ = gen_round(gen_contest(title="Tìm hiểu Di chúc của Bác"), state="closed", title="Tuần 1")
        first, second, third = gen_members(3, unit)
        first.full_name, second.full_name, third.full_name = "Lê Văn An", "Trần Thị Bình", "Phạm Minh Châu"
        gen_attempt(round_, first, correct=10, duration_ms=200_000)
        gen_attempt(round_, second, correct=9, duration_ms=150_000)
        gen_attempt(round_, third, correct=9, duration_ms=300_000)
        return round_.id


def test_publish_a_closed_round_then_hide_it_again(page, server, organiser, closed_round):
    board_url = f"/rounds/{closed_round}/leaderboard"
    # Before publication an anonymous reader learns nothing of the board.
    assert page.goto(board_url).status == 404

    sign_in(page, organiser.email, organiser.password)
    page.goto(f"/rounds/{closed_round}")  # from the round's page to its results
    page.get_by_test_id("results-link").click()
    expect(page).to_have_url(re.compile(rf"/organiser/rounds/{closed_round}/results$"))
    expect(page.locator("main h1")).to_have_text("Kết quả đợt thi")
    expect(page.get_by_test_id("publication")).to_have_text("Chưa công bố")
    expect(page.get_by_test_id("unpublish")).to_have_count(0)
    assert_fits_screen(page)

    page.get_by_test_id("publish").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("publication")).to_have_text(re.compile(r"^Đã công bố lúc .*\d"))
    expect(page.get_by_test_id("publish")).to_have_text("Công bố lại")
    expect(page.get_by_test_id("unpublish")).to_be_visible()
    with server.app_context():
        published_at = db.session.get(Round, closed_round).published_at
        assert published_at is not None
    assert_fits_screen(page)

    # Signed out, the public board shows the final ranking.
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_test_id("nav-profile")).to_have_count(0)
    page.goto(f"/rounds/{closed_round}")
    page.get_by_test_id("leaderboard-link").click()
    expect(page).to_have_url(re.compile(rf"{board_url}$"))
    board = page.get_by_test_id("leaderboard")
    expect(board.locator("tbody tr")).to_have_count(3)
    expect(board.locator("tbody tr").nth(0)).to_contain_text("Lê Văn An")
    expect(board.locator("tbody tr").nth(1)).to_contain_text("Trần Thị Bình")  # 9 right, and faster
    expect(board.locator("tbody tr").nth(2)).to_contain_text("Phạm Minh Châu")
    expect(board.locator("tbody tr").nth(0)).to_contain_text("10/10")
    expect(page.get_by_test_id("live-banner")).to_have_count(0)
    assert_fits_screen(page)

    # Hidden again: the public board is gone.
    sign_in(page, organiser.email, organiser.password)
    page.goto(f"/organiser/rounds/{closed_round}/results")
    page.get_by_test_id("unpublish").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("publication")).to_have_text("Chưa công bố")
    expect(page.get_by_test_id("unpublish")).to_have_count(0)
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_test_id("nav-profile")).to_have_count(0)
    page.goto(f"/rounds/{closed_round}")
    expect(page.get_by_test_id("leaderboard-link")).to_have_count(0)
    assert page.goto(board_url).status == 404
    expect(page.get_by_test_id("leaderboard")).to_have_count(0)


@pytest.mark.parametrize("device", ["desktop"])
def test_publishing_an_open_round_is_refused(page, server, organiser, closed_round):
    with server.app_context():
        open_id = gen_round(gen_contest(), state="open", title="Tuần 2").id
    sign_in(page, organiser.email, organiser.password)

    # An open round's results page says why there is nothing to publish yet.
    page.goto(f"/organiser/rounds/{open_id}/results")
    expect(page.get_by_test_id("publish")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Chỉ có thể công bố kết quả sau khi đợt thi đã đóng.")

    # The page was loaded while the round was closed; meanwhile its close was moved into the future.
    page.goto(f"/organiser/rounds/{closed_round}/results")
    with server.app_context():
        db.session.get(Round, closed_round).closes_at = clock.utcnow() + timedelta(days=1)
    with page.expect_response(lambda r: r.request.method == "POST" and "/publish" in r.url) as answer:
        page.get_by_test_id("publish").click()
    assert answer.value.status == 409
    # Said on the results page itself, which now shows the round as open and no publish button.
    expect(page.locator(".flash-error")).to_have_text("Đợt thi vẫn đang mở; hãy công bố kết quả sau khi đợt thi đóng.")
    expect(page.locator("main h1")).to_have_text("Kết quả đợt thi")
    expect(page.get_by_test_id("publish")).to_have_count(0)
    expect(page.get_by_test_id("publication")).to_have_text("Chưa công bố")
    with server.app_context():
        assert db.session.get(Round, closed_round).published_at is None
