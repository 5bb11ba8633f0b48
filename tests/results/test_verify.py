"""Certificate verification and downloads: the page names the holder (unmasked), a revoked certificate says so with
its date and reason, unknown or unpublished codes are 404, look-ups are rate limited; the PDF downloaded through the
site carries the holder's name with its diacritics and a QR code that opens the verification page; only the holder
(once public) and organisers may download it."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.results import issuing
from contest.results.models import Certificate
from tests.results.test_issuing import NOW, publish, quiz_world, settings_of


def first_certificate(w):
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}], w["organiser"],
                    masking="initials")
    return next(iter(certs.values()))[0]


def test_the_verification_page_names_the_holder_in_full(client, app):
    w = quiz_world()
    cert = first_certificate(w)
    resp = client.get(f"/verify/{cert.code}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Nguyễn Thị Ánh Tuyết" in html  # a certificate names its holder, whatever the masking of results
    for expected in ("Phường Ba Đình", w["contest"].title, "Giải Nhất", "Tuần 1", cert.code, 'data-testid="valid"'):
        assert expected in html
    assert 'data-testid="revoked"' not in html and 'data-testid="download"' not in html  # anonymous: no download


def test_a_code_as_typed_is_found_and_the_form_redirects(client, app):
    w = quiz_world()
    cert = first_certificate(w)
    assert client.get(f"/verify/{cert.code.lower().replace('-', ' ')}").status_code == 200
    resp = client.get("/verify", query_string={"code": " " + cert.code.lower() + " "})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verify/{cert.code}")
    assert client.get("/verify").status_code == 200
    bad = client.get("/verify", query_string={"code": "xyz"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_a_revoked_certificate_says_so_with_date_and_reason(client, app):
    w = quiz_world()
    cert = first_certificate(w)
    issuing.revoke(cert, w["organiser"], "Phát hiện gian lận <b>khi</b> làm bài", now=NOW)
    db.session.commit()
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert 'data-testid="revoked"' in html and 'data-testid="valid"' not in html
    assert "Phát hiện gian lận &lt;b&gt;khi&lt;/b&gt; làm bài" in html
    revoked = re.search(r'data-testid="revoked">(.*?)</div>', html, re.S).group(1)
    assert "29" in revoked and "2026" in revoked  # the date of revocation


def test_unknown_and_unpublished_codes_are_404(client, app):
    w = quiz_world()
    cert = first_certificate(w)
    assert client.get("/verify/GCN-ZZZZZZZZ").status_code == 404
    assert client.get("/verify/" + "x" * 300).status_code == 404
    settings_of(w["contest"], published_at=None)
    db.session.commit()
    resp = client.get(f"/verify/{cert.code}")
    assert resp.status_code == 404 and "Nguyễn Thị Ánh Tuyết" not in resp.get_data(as_text=True)


def test_lookups_are_rate_limited(client, app):
    for _ in range(20):
        assert client.get("/verify/GCN-ZZZZZZZZ").status_code == 404
    assert client.get("/verify/GCN-ZZZZZZZY").status_code == 429


# --- downloads -------------------------------------------------------------------------------------------------

def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", reader.pages[0].extract_text())


def test_the_holder_downloads_a_pdf_with_their_name_and_a_working_qr_code(app, client):
    w = quiz_world()
    cert = first_certificate(w)
    holder = app.test_client(user=w["winner"])
    resp = holder.get(f"/certificates/{cert.code}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f'filename="{cert.code}.pdf"' in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]
    text = pdf_text(resp.data)
    assert unicodedata.normalize("NFC", "Nguyễn Thị Ánh Tuyết") in text
    assert "Giải Nhất" in text and "Phường Ba Đình" in text and cert.code in text
    image = PdfReader(io.BytesIO(resp.data)).pages[0].images[0].image
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [f"http://localhost/verify/{cert.code}"]
    # The verification page offers the holder the download.
    assert 'data-testid="download"' in holder.get(f"/verify/{cert.code}").get_data(as_text=True)


def test_the_pdf_follows_the_readers_language_and_shows_revocation(app, client):
    w = quiz_world()
    cert = first_certificate(w)
    holder = app.test_client(user=w["winner"])
    holder.get("/lang/en")
    assert "First prize" in pdf_text(holder.get(f"/certificates/{cert.code}.pdf").data)
    issuing.revoke(cert, w["organiser"], "Sai sót", now=NOW)
    db.session.commit()
    assert "REVOKED" in pdf_text(holder.get(f"/certificates/{cert.code}.pdf").data)


def test_who_may_download(app, client):
    w = quiz_world()
    cert = first_certificate(w)
    other = app.test_client(user=w["other"])
    organiser = app.test_client(user=w["organiser"])
    assert other.get(f"/certificates/{cert.code}.pdf").status_code == 404
    assert client.get(f"/certificates/{cert.code}.pdf").status_code == 404
    assert organiser.get(f"/certificates/{cert.code}.pdf").status_code == 200
    assert organiser.get("/certificates/GCN-ZZZZZZZZ.pdf").status_code == 404
    settings_of(w["contest"], published_at=None)  # unpublished: the holder waits, organisers still may
    db.session.commit()
    assert app.test_client(user=w["winner"]).get(f"/certificates/{cert.code}.pdf").status_code == 404
    assert organiser.get(f"/certificates/{cert.code}.pdf").status_code == 200


# --- organisers: the list, revocation, the ZIP ------------------------------------------------------------------

def test_organisers_list_revoke_and_download_all(app):
    w = quiz_world()
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]},
                                   {"tier": "second", "user": w["other"], "round": w["round"]}], w["organiser"])
    first, second = (c[0] for c in certs.values())
    organiser = app.test_client(user=w["organiser"])
    url = f"/organiser/contests/{w['contest'].slug}/certificates"
    html = organiser.get(url).get_data(as_text=True)
    assert first.code in html and second.code in html and "Nguyễn Thị Ánh Tuyết" in html
    assert html.count('data-testid="revoke"') == 2 and f"{url}.zip" in html

    resp = organiser.post(f"{url}/{second.code}/revoke", data={"reason": "   "})
    assert resp.status_code == 302 and second.revoked_at is None
    resp = organiser.post(f"{url}/{second.code.lower()}/revoke", data={"reason": "Trùng giải"})
    assert resp.status_code == 302
    db.session.refresh(second)
    assert second.revoked_reason == "Trùng giải" and second.revoked_by_id == w["organiser"].id
    assert organiser.post(f"{url}/{second.code}/revoke", data={"reason": "lần nữa"}).status_code == 302
    db.session.refresh(second)
    assert second.revoked_reason == "Trùng giải"
    html = organiser.get(url).get_data(as_text=True)
    assert html.count('data-testid="revoke"') == 1 and "Trùng giải" in html

    resp = organiser.get(f"{url}.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert names == [f"{first.code} - Nguyen Thi Anh Tuyet.pdf"]  # revoked ones are left out
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificates_downloaded"))
    assert audit.actor_id == w["organiser"].id and audit.details["count"] == 1

    # With participation certificates too: the award certificates alone, if asked.
    issuing.issue_participation(w["round"], w["other"], w["other"])
    db.session.commit()
    assert 'data-testid="download-award-zip"' in organiser.get(url).get_data(as_text=True)
    award_only = zipfile.ZipFile(io.BytesIO(organiser.get(f"{url}.zip?kind=award").data)).namelist()
    assert award_only == names
    assert organiser.get(f"{url}.zip?kind=nothing").status_code == 400

    # Another contest's certificate is not revoked through this one.
    assert organiser.post(f"/organiser/contests/nope/certificates/{first.code}/revoke",
                          data={"reason": "x"}).status_code == 404


def test_the_zip_is_404_without_certificates_and_members_are_refused(app):
    w = quiz_world()
    organiser = app.test_client(user=w["organiser"])
    url = f"/organiser/contests/{w['contest'].slug}/certificates"
    assert organiser.get(f"{url}.zip").status_code == 404
    assert organiser.get(url).status_code == 200
    member = app.test_client(user=w["winner"])
    assert member.get(url).status_code == 403 and member.get(f"{url}.zip").status_code == 403
    publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}], w["organiser"])
    code = db.session.scalars(select(Certificate.code)).first()
    assert member.post(f"{url}/{code}/revoke", data={"reason": "x"}).status_code == 403
