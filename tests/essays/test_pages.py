"""The writing-contest pages through the Flask client: the contest page's essay part, a writer's entry from the
first title to the receipt and withdrawal, versions, attachments served with safe headers, the organiser's
settings, categories, entry list with filters and exports, and disqualification. Others' entries are 404s,
anonymous visitors are sent to sign in, and after the close everything is read-only."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from contest.contests.models import Contest
from contest.essays.models import Attachment, Entry, EntryVersion
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_category, gen_entry, gen_essay_contest
from tests.essays.conftest import text
from tests.quiz_factories import T0


@pytest.fixture(autouse=True)
def _frozen(clock):
    """Every test runs at T0, inside the contest's submission window."""
    return clock


@pytest.fixture
def other_client(app, unit):
    return app.test_client(user=factories.gen_user(roles=["member"], unit=unit, full_name="Lê Thị Khác"))


def png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


def new_entry(member_client, contest, category, title="Người thầy của bản") -> Entry:
    resp = member_client.post(f"/contests/{contest.slug}/entries/new",
                              data={"title": title, "category_id": str(category.id)})
    assert resp.status_code == 302
    entry = db.session.scalar(select(Entry).order_by(Entry.id.desc()))
    assert resp.headers["Location"].endswith(f"/entries/{entry.id}/edit")
    return entry


def save_form(entry, **fields) -> dict:
    data = {"version": str(entry.version), "title": entry.title, "category_id": str(entry.category_id),
            "subject_name": "Nguyễn Văn Lâm", "subject_unit": "Tổ dân phố số 5", "subject_description": "",
            "body_html": text(20)}
    data.update(fields)
    return data


# --- the contest page ----------------------------------------------------------------------------------------

def test_contest_page_shows_theme_rules_categories_and_sign_in(client, contest):
    page = client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert "Tấm gương điển hình quanh ta" in page
    assert "<p>Thể lệ.</p>" in page  # sanitised on input, shown as HTML
    assert "Cán bộ, đảng viên" in page and re.search(r"10.*50", page)
    assert 'data-testid="write-entry"' not in page
    assert "/login?next=" in page


def test_contest_page_offers_writing_and_lists_own_entries(member_client, member, contest, category):
    page = member_client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert 'data-testid="write-entry"' in page
    entry = gen_entry(contest, member, status="submitted", code="VT26-123456")
    page = member_client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert f'data-testid="my-entry-{entry.id}"' in page and "VT26-123456" in page
    assert f"/entries/{entry.id}/receipt" in page and f"/entries/{entry.id}/edit" in page


def test_contest_page_organiser_links(organiser_client, contest):
    page = organiser_client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert f"/organiser/contests/{contest.slug}/essay-settings" in page
    assert f"/organiser/contests/{contest.slug}/entries" in page
    assert f"/organiser/contests/{contest.slug}/similarity" in page


def test_creating_a_writing_contest_leads_to_its_settings(organiser_client):
    resp = organiser_client.post("/organiser/contests/new", data={
        "title": "Viết về người tốt", "slug": "viet-ve-nguoi-tot", "kind": "essay", "description": "",
        "status": "announced", "unit_id": ""})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/organiser/contests/viet-ve-nguoi-tot/essay-settings")
    assert organiser_client.get(resp.headers["Location"]).status_code == 200


# --- a writer's entry ------------------------------------------------------------------------------------------

def test_new_entry_then_editor(member_client, contest, category):
    assert member_client.get(f"/contests/{contest.slug}/entries/new").status_code == 200
    entry = new_entry(member_client, contest, category)
    page = member_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'id="entry-editor"' in page
    assert f'data-save-url="/api/v1/entries/{entry.id}"' in page
    assert f'data-upload-url="/api/v1/entries/{entry.id}/attachments"' in page
    assert 'data-version="1"' in page
    assert "Tôi cam đoan đây là tác phẩm của tôi." in page  # the pledge
    assert "vendor/quill/quill.min.js" in page
    assert "<script>" not in page and " style=" not in page  # CSP: nothing inline


def test_new_entry_refused_shows_the_error(member_client, contest, category):
    resp = member_client.post(f"/contests/{contest.slug}/entries/new", data={"title": "", "category_id": ""})
    assert resp.status_code == 422
    assert db.session.scalar(select(Entry)) is None


def test_saving_without_javascript_makes_versions_and_refuses_a_stale_page(member_client, contest, category):
    entry = new_entry(member_client, contest, category)
    resp = member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry, body_html=text(12)))
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.version == 2 and entry.word_count == 12
    # The same page again (version 1): refused, the text stays in the form, nothing overwritten.
    stale = save_form(entry, version="1", body_html="<p>chữ khác hẳn</p>")
    resp = member_client.post(f"/entries/{entry.id}/edit", data=stale)
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "chữ khác hẳn" in page
    assert 'name="version" type="hidden" value="2"' in page or 'value="2"' in page
    db.session.refresh(entry)
    assert entry.version == 2 and "chữ khác hẳn" not in entry.body_html


def test_coauthor_rows_without_javascript(member_client, app, unit):
    contest = gen_essay_contest(allow_collective=True, categories=[{"min_words": 1, "max_words": 100}])
    category = contest_category(contest)
    entry = new_entry(member_client, contest, category)
    data = save_form(entry)
    data["coauthor_name"] = ["Trần Văn Hai", ""]
    data["coauthor_email"] = ["hai@example.com", ""]
    resp = member_client.post(f"/entries/{entry.id}/edit", data=data)
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert [c.full_name for c in entry.coauthors] == ["Trần Văn Hai"]
    page = member_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'value="Trần Văn Hai"' in page and 'data-testid="coauthors"' in page


def contest_category(contest):
    from contest.essays.services import categories_of

    return categories_of(contest)[0]


def test_submit_needs_the_pledge_then_gives_a_receipt(member_client, app, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry))
    resp = member_client.post(f"/entries/{entry.id}/submit", data={"publish_consent": "y"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/entries/{entry.id}/edit")
    db.session.refresh(entry)
    assert entry.status == "draft"

    resp = member_client.post(f"/entries/{entry.id}/submit", data={"pledge": "y", "publish_consent": "y"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/entries/{entry.id}/receipt")
    db.session.refresh(entry)
    assert entry.status == "submitted" and re.fullmatch(r"VT26-\d{6}", entry.code) and entry.publish_consent
    receipt = member_client.get(f"/entries/{entry.id}/receipt").get_data(as_text=True)
    assert entry.code in receipt and "Người thầy của bản" in receipt and ">20<" in receipt
    assert 'data-print' in receipt


def test_submit_outside_the_word_limits_says_the_numbers(member_client, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry, body_html=text(5)))
    resp = member_client.post(f"/entries/{entry.id}/submit", data={"pledge": "y"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert re.search(r"\b5\b", page) and re.search(r"10.*50", page)
    db.session.refresh(entry)
    assert entry.status == "draft"


def test_entry_page_history_and_withdraw(member_client, member, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry))
    member_client.post(f"/entries/{entry.id}/submit", data={"pledge": "y"})
    page = member_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert 'data-testid="withdraw"' in page and 'data-testid="history"' in page
    resp = member_client.post(f"/entries/{entry.id}/withdraw")
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.status == "withdrawn"
    page = member_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert 'data-testid="withdraw"' not in page


def test_versions_view_and_restore(member_client, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry, body_html="<p>bản thứ hai</p>"))
    db.session.refresh(entry)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry, body_html="<p>bản thứ ba</p>"))
    page = member_client.get(f"/entries/{entry.id}/versions").get_data(as_text=True)
    assert all(f'data-testid="version-{n}"' in page for n in (1, 2, 3))
    page = member_client.get(f"/entries/{entry.id}/versions/2").get_data(as_text=True)
    assert "bản thứ hai" in page and 'data-testid="restore"' in page
    assert member_client.get(f"/entries/{entry.id}/versions/9").status_code == 404
    resp = member_client.post(f"/entries/{entry.id}/versions/2/restore", data={"version": "3"})
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.version == 4 and "bản thứ hai" in entry.body_html
    # A restore from a stale page is refused.
    resp = member_client.post(f"/entries/{entry.id}/versions/1/restore", data={"version": "3"})
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.version == 4


def test_attachment_upload_serving_and_removal(member_client, other_client, organiser_client, client, contest,
                                               category):
    entry = new_entry(member_client, contest, category)
    resp = member_client.post(f"/entries/{entry.id}/attachments",
                              data={"file": (io.BytesIO(png_bytes()), "ảnh chân dung.png")},
                              content_type="multipart/form-data")
    assert resp.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment is not None and attachment.kind == "image"
    url = f"/essays/files/{attachment.key}"
    resp = member_client.get(url)
    assert resp.status_code == 200
    assert resp.mimetype == "image/png"
    assert resp.headers["Content-Disposition"] == f'inline; filename="attachment-{attachment.id}.png"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in resp.headers["Cache-Control"]
    assert "sandbox" not in resp.headers.get("Content-Security-Policy", "")
    assert Image.open(io.BytesIO(resp.get_data())).size == (8, 6)
    resp.close()
    assert status_of(organiser_client, url) == 200
    assert status_of(other_client, url) == 404
    assert status_of(client, url) == 302  # sign in first
    assert status_of(member_client, "/essays/files/" + "x" * 30) == 404

    page = member_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "ảnh chân dung.png" in page
    resp = member_client.post(f"/entries/{entry.id}/attachments/{attachment.id}/remove")
    assert resp.status_code == 302
    db.session.refresh(attachment)
    assert attachment.deleted_at is not None


def status_of(client, url: str) -> int:
    resp = client.get(url)
    resp.close()  # a served file stays open until the response is closed
    return resp.status_code


def test_a_refused_upload_is_explained(member_client, contest, category):
    entry = new_entry(member_client, contest, category)
    resp = member_client.post(f"/entries/{entry.id}/attachments",
                              data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")},
                              content_type="multipart/form-data", follow_redirects=True)
    assert resp.status_code == 200
    assert db.session.scalar(select(Attachment)) is None
    assert "flash-error" in resp.get_data(as_text=True)


def test_pdf_is_served_in_a_sandbox(member_client, member, contest, category):
    from contest.essays import files

    entry = gen_entry(contest, member)
    key = files.store(b"%PDF-1.4\n%%EOF\n", "pdf")
    attachment = Attachment(entry_id=entry.id, key=key, kind="pdf", content_type="application/pdf",
                            original_name="giay-khen.pdf", size=15)
    db.session.add(attachment)
    db.session.commit()
    resp = member_client.get(f"/essays/files/{key}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Security-Policy"] == "sandbox"
    assert resp.headers["Content-Disposition"] == f'inline; filename="attachment-{attachment.id}.pdf"'
    resp.close()


def test_another_member_gets_404_everywhere(member_client, other_client, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry))
    member_client.post(f"/entries/{entry.id}/submit", data={"pledge": "y"})
    for path in (f"/entries/{entry.id}", f"/entries/{entry.id}/edit", f"/entries/{entry.id}/receipt",
                 f"/entries/{entry.id}/versions", f"/entries/{entry.id}/versions/1"):
        assert other_client.get(path).status_code == 404, path
    for path in (f"/entries/{entry.id}/edit", f"/entries/{entry.id}/submit", f"/entries/{entry.id}/withdraw",
                 f"/entries/{entry.id}/versions/1/restore", f"/entries/{entry.id}/attachments"):
        assert other_client.post(path, data={"pledge": "y", "version": "1"}).status_code == 404, path
    db.session.refresh(entry)
    assert entry.status == "submitted"


def test_anonymous_visitors_are_sent_to_sign_in(client, member, contest):
    entry = gen_entry(contest, member)
    for path in (f"/contests/{contest.slug}/entries/new", f"/entries/{entry.id}", f"/entries/{entry.id}/edit",
                 f"/entries/{entry.id}/receipt", f"/entries/{entry.id}/versions",
                 f"/organiser/contests/{contest.slug}/entries", f"/organiser/entries/{entry.id}",
                 f"/organiser/contests/{contest.slug}/essay-settings"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_members_cannot_open_organiser_pages(member_client, member, contest):
    entry = gen_entry(contest, member, status="submitted")
    for path in (f"/organiser/contests/{contest.slug}/entries", f"/organiser/entries/{entry.id}",
                 f"/organiser/contests/{contest.slug}/essay-settings",
                 f"/organiser/contests/{contest.slug}/entries/export.csv"):
        assert member_client.get(path).status_code == 403, path
    assert member_client.post(f"/organiser/entries/{entry.id}/disqualify", data={"reason": "x"}).status_code == 403


def test_after_the_close_everything_is_read_only(member_client, member, contest, category, clock):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry))
    member_client.post(f"/entries/{entry.id}/submit", data={"pledge": "y"})
    clock.set(T0 + timedelta(days=31))
    resp = member_client.get(f"/entries/{entry.id}/edit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/entries/{entry.id}")
    page = member_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert 'data-testid="read-only"' in page
    assert 'data-testid="withdraw"' not in page and 'data-testid="edit-entry"' not in page
    contest_page = member_client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert 'data-testid="write-entry"' not in contest_page and f"/entries/{entry.id}/edit" not in contest_page
    db.session.refresh(entry)
    version = entry.version
    resp = member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry, body_html=text(30)))
    assert resp.status_code == 302
    resp = member_client.post(f"/entries/{entry.id}/withdraw", follow_redirects=True)
    assert "flash-error" in resp.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.version == version and entry.status == "submitted"
    assert 'data-testid="restore"' not in member_client.get(f"/entries/{entry.id}/versions/1").get_data(as_text=True)


# --- organisers ------------------------------------------------------------------------------------------------

def test_settings_page_saves_sanitised_rules(organiser_client, contest):
    url = f"/organiser/contests/{contest.slug}/essay-settings"
    page = organiser_client.get(url).get_data(as_text=True)
    assert 'id="rules-editor"' in page and "Tấm gương điển hình quanh ta" in page
    resp = organiser_client.post(url, data={
        "theme": "Người tốt việc tốt", "rules_html": '<p onclick="x()">Thể lệ <script>alert(1)</script>mới</p>',
        "code_prefix": "vt27", "max_entries_per_writer": "2", "allow_collective": "y",
        "pledge_text": "Tôi cam đoan.", "similarity_min_words": "30"})
    assert resp.status_code == 302
    settings = contest_settings(contest)
    assert settings.theme == "Người tốt việc tốt" and settings.code_prefix == "VT27"
    assert settings.max_entries_per_writer == 2 and settings.allow_collective
    assert "script" not in settings.rules_html and "onclick" not in settings.rules_html
    assert "Thể lệ" in settings.rules_html


def contest_settings(contest):
    from contest.essays.services import settings_for

    db.session.expire_all()
    return settings_for(db.session.get(Contest, contest.id))


def test_settings_errors_are_shown_and_nothing_changes(organiser_client, contest):
    url = f"/organiser/contests/{contest.slug}/essay-settings"
    resp = organiser_client.post(url, data={"theme": "x", "rules_html": "", "code_prefix": "Ư!",
                                            "pledge_text": "Tôi cam đoan.", "similarity_min_words": "30"})
    assert resp.status_code == 422
    assert "field-error" in resp.get_data(as_text=True)
    assert contest_settings(contest).theme == "Tấm gương điển hình quanh ta"


def test_categories_add_edit_and_delete_refused_while_used(organiser_client, member, contest, category):
    url = f"/organiser/contests/{contest.slug}/categories"
    resp = organiser_client.post(url, data={"new-name": "Học sinh, sinh viên", "new-min_words": "100",
                                            "new-max_words": "800", "new-position": "2"})
    assert resp.status_code == 302
    from contest.essays.services import categories_of

    added = next(c for c in categories_of(contest) if c.name == "Học sinh, sinh viên")
    assert (added.min_words, added.max_words) == (100, 800)
    resp = organiser_client.post(f"/organiser/categories/{added.id}/edit",
                                 data={f"c{added.id}-name": "Học sinh", f"c{added.id}-min_words": "200",
                                       f"c{added.id}-max_words": "100"})
    assert resp.status_code == 422  # max below min: the service's refusal, on the form
    resp = organiser_client.post(f"/organiser/categories/{added.id}/edit",
                                 data={f"c{added.id}-name": "Học sinh", f"c{added.id}-min_words": "200",
                                       f"c{added.id}-max_words": "900"})
    assert resp.status_code == 302
    db.session.refresh(added)
    assert added.name == "Học sinh" and added.min_words == 200

    gen_entry(contest, member, category=category)
    resp = organiser_client.post(f"/organiser/categories/{category.id}/delete", follow_redirects=True)
    assert "flash-error" in resp.get_data(as_text=True)
    assert db.session.get(type(category), category.id) is not None
    resp = organiser_client.post(f"/organiser/categories/{added.id}/delete")
    assert resp.status_code == 302
    assert added.id not in [c.id for c in categories_of(contest)]


@pytest.fixture
def many_entries(contest, category, unit):
    other_unit = factories.gen_unit("Xã Ứng Hòa")
    second = gen_category(contest, name="Học sinh, sinh viên")
    authors = [factories.gen_user(full_name="Phạm Thị Mai", unit=unit),
               factories.gen_user(full_name="Đỗ Văn Quang", unit=other_unit)]
    made = [gen_entry(contest, authors[0], status="submitted", title="Bà mẹ Việt Nam anh hùng"),
            gen_entry(contest, authors[1], status="submitted", category=second, title="Người lính cụ Hồ"),
            gen_entry(contest, authors[1], status="draft", title="Bản nháp dở dang")]
    return {"entries": made, "second": second, "other_unit": other_unit}


def test_entries_list_filters_and_count(organiser_client, contest, many_entries):
    url = f"/organiser/contests/{contest.slug}/entries"
    page = organiser_client.get(url).get_data(as_text=True)
    assert all(f'data-testid="entry-row-{e.id}"' in page for e in many_entries["entries"])
    assert re.search(r'data-testid="entry-total"><strong>3 ', page)
    page = organiser_client.get(url, query_string={"status": "draft"}).get_data(as_text=True)
    assert "Bản nháp dở dang" in page and "Người lính cụ Hồ" not in page
    page = organiser_client.get(url, query_string={"category": many_entries["second"].id}).get_data(as_text=True)
    assert "Người lính cụ Hồ" in page and "Bà mẹ Việt Nam" not in page
    page = organiser_client.get(url, query_string={"unit": many_entries["other_unit"].id}).get_data(as_text=True)
    assert "Bà mẹ Việt Nam" not in page and "Bản nháp dở dang" in page
    page = organiser_client.get(url, query_string={"q": "me viet nam"}).get_data(as_text=True)
    assert "Bà mẹ Việt Nam anh hùng" in page and "Người lính" not in page
    page = organiser_client.get(url, query_string={"status": "nonsense", "category": "abc",
                                                   "page": "-3"}).get_data(as_text=True)
    assert "Người lính cụ Hồ" in page  # bad filters are ignored, never a 500


def test_exports_download(organiser_client, contest, many_entries):
    resp = organiser_client.get(f"/organiser/contests/{contest.slug}/entries/export.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    # Submitted entries only: drafts are not entries of the contest yet.
    assert len(rows) == 1 + 2 and any("Người lính cụ Hồ" in cell for row in rows for cell in row)
    resp = organiser_client.get(f"/organiser/contests/{contest.slug}/entries/export.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    try:
        assert len(list(book.active.iter_rows(values_only=True))) == 1 + 2
    finally:
        book.close()
    assert organiser_client.get(f"/organiser/contests/{contest.slug}/entries/export.pdf").status_code == 404


def test_organiser_entry_disqualify_and_reinstate(organiser_client, member_client, app, member, contest, category):
    entry = gen_entry(contest, member, status="submitted", versions=2,
                      coauthors=[{"full_name": "Trần Văn Hai", "email": "hai@example.com"}])
    page = organiser_client.get(f"/organiser/entries/{entry.id}").get_data(as_text=True)
    assert member.email in page and "Trần Văn Hai" in page and "Phường Thạch Bàn" in page
    assert 'data-testid="submitted-body"' in page and 'data-testid="disqualify-form"' in page

    resp = organiser_client.post(f"/organiser/entries/{entry.id}/disqualify", data={"reason": "  "})
    assert resp.status_code == 422
    outbox = app.extensions.setdefault("contest_outbox", [])
    before = len(outbox)
    resp = organiser_client.post(f"/organiser/entries/{entry.id}/disqualify",
                                 data={"reason": "Chép nguyên văn bài đã đăng báo."})
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.status == "disqualified"
    assert len(outbox) == before + 1 and "Chép nguyên văn" in outbox[-1].get_content()
    writer_page = member_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert 'data-testid="disqualified"' in writer_page and "Chép nguyên văn bài đã đăng báo." in writer_page
    assert member_client.get(f"/entries/{entry.id}/edit").status_code == 302  # read-only now

    resp = organiser_client.post(f"/organiser/entries/{entry.id}/reinstate")
    assert resp.status_code == 302
    db.session.refresh(entry)
    assert entry.status == "submitted"


def test_organiser_entry_of_unknown_id_is_404(organiser_client):
    assert organiser_client.get("/organiser/entries/999999").status_code == 404
    assert organiser_client.get("/organiser/contests/khong-co/entries").status_code == 404


def test_pages_in_english(member_client, contest, category):
    member_client.set_cookie("lang", "en", domain="localhost")
    entry = new_entry(member_client, contest, category)
    page = member_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'data-msg-saved="Saved"' in page and "Submit my entry" in page


def test_version_rows_are_written_for_page_saves(member_client, contest, category):
    entry = new_entry(member_client, contest, category)
    member_client.post(f"/entries/{entry.id}/edit", data=save_form(entry))
    numbers = db.session.scalars(select(EntryVersion.number).where(EntryVersion.entry_id == entry.id)).all()
    assert sorted(numbers) == [1, 2]
