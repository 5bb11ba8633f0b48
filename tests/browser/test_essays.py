"""Writing contests in a real browser, on a desktop and a 390px phone: a writer drafts an entry, loses the
connection, keeps typing, reloads and finds the text, submits with the pledge, gets the receipt and withdraws; two
tabs editing one draft never overwrite each other; an organiser reviews, filters, disqualifies and exports.

Screenshots of the editor, the receipt and the organiser's entries page go to test-artifacts/browser/essays/.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import clock
from contest.essays.models import Entry, EntryVersion
from contest.extensions import db
from contest.units.models import Unit
from tests import factories
from tests.browser.support import REPO, assert_fits_screen, expect, make_account, sign_in
from tests.essay_factories import gen_category, gen_entry, gen_essay_contest

pytestmark = pytest.mark.browser

SHOTS = REPO / "test-artifacts" / "browser" / "essays"
SLUG = "viet-ve-guong-sang"


@pytest.fixture
def essay_contest(server):
    with server.app_context():
        now = clock.utcnow()
        contest = gen_essay_contest(SLUG, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10),
                                    categories=[{"name": "Cán bộ, đảng viên", "min_words": 5, "max_words": 300}])
        return contest.id


@pytest.fixture
def organiser(server, units):
    return make_account(server, units["Thành phố Hà Nội"], "Lê Minh Châu", "tochuc@example.com",
                        roles=["organiser", "member"])


def shot(page, device: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{device}-{name}.png"), full_page=True)


def editor_ready(page) -> None:
    expect(page.locator("#entry-editor[data-ready='1']")).to_have_count(1)
    expect(page.locator(".ql-editor")).to_be_visible()


def type_in_editor(page, words: str) -> None:
    editor = page.locator(".ql-editor")
    editor.click(position={"x": 30, "y": 12})  # the top: the sticky save bar may cover the middle
    page.keyboard.press("Control+End")
    page.keyboard.type(words)


def server_entry(server, entry_id: int) -> dict:
    with server.app_context():
        entry = db.session.get(Entry, entry_id)
        return {"version": entry.version, "body": entry.body_html, "status": entry.status, "code": entry.code,
                "words": entry.word_count}


def ignore_offline_noise(problems) -> None:
    """The failed requests and the browser's offline page were the point of the test."""
    problems.items[:] = [p for p in problems.items
                         if "ERR_INTERNET_DISCONNECTED" not in p and "/api/v1/entries/" not in p]


def test_a_writer_drafts_offline_reloads_submits_and_withdraws(page, context, server, member, essay_contest,
                                                             device, problems):
    sign_in(page, member.email, member.password)
    page.goto(f"/contests/{SLUG}")
    assert_fits_screen(page)
    page.get_by_test_id("write-entry").click()
    page.locator("main input[name=title]").fill("Người giữ lửa ở khu phố")
    page.get_by_test_id("create-entry").click()
    editor_ready(page)
    assert_fits_screen(page)
    entry_id = int(page.locator("#entry-editor").get_attribute("data-entry"))

    page.locator("main input[name=subject_name]").fill("Bà Nguyễn Thị Lan")
    type_in_editor(page, "Bà Lan là tổ trưởng tổ dân phố suốt hai mươi năm.")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    expect(page.get_by_test_id("word-count")).to_contain_text("12")
    saved = server_entry(server, entry_id)
    assert saved["version"] >= 2 and "hai mươi năm" in saved["body"] and saved["words"] == 12
    shot(page, device, "editor")

    # The connection drops; the writer keeps typing.
    context.set_offline(True)
    type_in_editor(page, " Bà chăm lo từng mái nhà khi mất mạng.")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "offline", timeout=10_000)
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('contest-entry-'))"
                         ".map(k => localStorage.getItem(k)).join('')")
    assert "khi mất mạng" in kept
    assert "khi mất mạng" not in server_entry(server, entry_id)["body"]
    shot(page, device, "editor-offline")

    # The phone drops the tab while offline (a reload without a network cannot even load the page). Back online,
    # the writer opens the editor again: the text typed offline is there, restored from this device, and saved.
    page.close()
    page = context.new_page()
    context.set_offline(False)
    page.goto(f"/entries/{entry_id}/edit")
    editor_ready(page)
    expect(page.locator(".ql-editor")).to_contain_text("khi mất mạng")
    expect(page.locator("#editor-message")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    assert "khi mất mạng" in server_entry(server, entry_id)["body"]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('contest-entry-')).length") == 0
    ignore_offline_noise(problems)

    # Submit with the pledge: the receipt with its code.
    expect(page.get_by_test_id("submit-entry")).to_be_enabled()
    page.get_by_test_id("pledge").check()
    page.get_by_test_id("submit-entry").click()
    expect(page.get_by_test_id("receipt-code")).to_have_text(re.compile(r"^VT26-\d{6}$"))
    expect(page.get_by_test_id("print")).to_be_visible()
    assert_fits_screen(page)
    shot(page, device, "receipt")
    code = page.get_by_test_id("receipt-code").inner_text()
    assert server_entry(server, entry_id)["code"] == code
    assert code in server.last_mail_text()

    page.get_by_test_id("back-to-entry").click()
    page.get_by_test_id("withdraw").click()
    expect(page.get_by_test_id("entry-status")).to_have_text(re.compile("Đã rút|Withdrawn|rút", re.I))
    assert server_entry(server, entry_id)["status"] == "withdrawn"


def test_two_tabs_never_overwrite_each_other(context, server, member, essay_contest, device, problems):
    with server.app_context():
        entry = gen_entry(db.session.get(Contest, essay_contest), db.session.get(User, member.id),
                          body_html="<p>Mở đầu bài viết.</p>")
        entry_id = entry.id
    first = context.new_page()
    sign_in(first, member.email, member.password)
    first.goto(f"/entries/{entry_id}/edit")
    editor_ready(first)
    second = context.new_page()
    second.goto(f"/entries/{entry_id}/edit")
    editor_ready(second)

    type_in_editor(first, " Câu của thẻ thứ nhất.")
    expect(first.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    assert server_entry(server, entry_id)["version"] == 2

    # The second tab still starts from version 1: its save is refused, and it says so.
    type_in_editor(second, " Câu của thẻ thứ hai.")
    expect(second.get_by_test_id("conflict")).to_be_visible(timeout=10_000)
    expect(second.get_by_test_id("save-state")).to_have_attribute("data-state", "conflict")
    expect(second.get_by_test_id("conflict-text")).to_have_value(re.compile("thẻ thứ hai"))
    expect(second.get_by_test_id("submit-entry")).to_be_disabled()
    assert_fits_screen(second)
    shot(second, device, "editor-conflict")
    assert "thẻ thứ hai" not in server_entry(server, entry_id)["body"]

    # Save mine as the newest version: the first tab's text stays among the versions.
    second.get_by_test_id("conflict-keep").click()
    expect(second.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    expect(second.get_by_test_id("conflict")).to_be_hidden()
    now = server_entry(server, entry_id)
    assert now["version"] == 3 and "thẻ thứ hai" in now["body"] and "thẻ thứ nhất" not in now["body"]
    with server.app_context():
        v2 = db.session.scalar(select(EntryVersion.body_html).where(EntryVersion.entry_id == entry_id,
                                                                    EntryVersion.number == 2))
    assert "thẻ thứ nhất" in v2

    # The first tab now conflicts too; it loads the newer version and is offered its own text back.
    type_in_editor(first, " Thêm nữa.")
    expect(first.get_by_test_id("conflict")).to_be_visible(timeout=10_000)
    first.get_by_test_id("conflict-load").click()
    editor_ready(first)
    expect(first.locator(".ql-editor")).to_contain_text("thẻ thứ hai")
    expect(first.get_by_test_id("recover")).to_be_visible()
    first.get_by_test_id("recover-restore").click()
    expect(first.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    final = server_entry(server, entry_id)
    assert final["version"] == 4 and "Thêm nữa." in final["body"]
    # The two refused saves (409 version_conflict) were the point of the test; nothing else may have failed.
    refused = [p for p in problems.items if "409" in p and "/api/v1/entries/" in p]
    assert len(refused) == 4  # each seen as a response and as a console line
    problems.items[:] = [p for p in problems.items if p not in refused]


def test_an_organiser_reviews_filters_disqualifies_and_exports(page, server, organiser, essay_contest, units,
                                                               device, tmp_path):
    with server.app_context():
        contest = db.session.get(Contest, essay_contest)
        second = gen_category(contest, name="Học sinh, sinh viên", min_words=5, max_words=300)
        writer_a = factories.gen_user(full_name="Phạm Thị Mai", unit=db.session.get(Unit, units["Phường Ba Đình"]))
        writer_b = factories.gen_user(full_name="Đỗ Văn Quang", unit=db.session.get(Unit, units["Xã Thạch Thất"]))
        target = gen_entry(contest, writer_a, status="submitted", title="Bà mẹ Việt Nam anh hùng")
        gen_entry(contest, writer_b, status="submitted", category=second, title="Người lính cụ Hồ")
        gen_entry(contest, writer_b, status="draft", title="Bản nháp dở dang")
        target_id = target.id
    sign_in(page, organiser.email, organiser.password)
    page.goto(f"/contests/{SLUG}")
    page.get_by_test_id("essay-entries").click()
    expect(page.get_by_test_id("entry-total")).to_contain_text("3")
    assert_fits_screen(page)
    shot(page, device, "organiser-entries")

    page.locator("main select[name=status]").select_option("submitted")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("entry-total")).to_contain_text("2")
    expect(page.locator("main")).not_to_contain_text("Bản nháp dở dang")
    page.locator("main select[name=category]").select_option(label="Học sinh, sinh viên")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("entry-total")).to_contain_text("1")
    page.locator("main select[name=category]").select_option("")
    page.locator("main input[name=q]").fill("me viet nam")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("entry-total")).to_contain_text("1")
    page.get_by_role("link", name="Bà mẹ Việt Nam anh hùng").click()

    expect(page.get_by_test_id("entry-facts")).to_contain_text("Phạm Thị Mai")
    expect(page.get_by_test_id("submitted-body")).to_be_visible()
    assert_fits_screen(page)
    page.locator("main textarea[name=reason]").fill("Chép nguyên văn một bài đã đăng báo.")
    page.get_by_test_id("disqualify").click()
    expect(page.get_by_test_id("disqualified")).to_contain_text("Chép nguyên văn")
    assert server_entry(server, target_id)["status"] == "disqualified"
    assert "Chép nguyên văn" in server.last_mail_text()

    page.goto(f"/organiser/contests/{SLUG}/entries")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    target_csv = tmp_path / download.suggested_filename
    download.save_as(str(target_csv))
    rows = list(csv.reader(io.StringIO(target_csv.read_text(encoding="utf-8-sig"))))
    assert any("Bà mẹ Việt Nam anh hùng" in cell for row in rows for cell in row)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target_xlsx = tmp_path / download.suggested_filename
    download.save_as(str(target_xlsx))
    book = load_workbook(target_xlsx, read_only=True)
    try:
        cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    finally:
        book.close()
    assert "Người lính cụ Hồ" in cells
