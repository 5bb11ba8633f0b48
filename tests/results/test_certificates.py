"""Certificate PDFs: Vietnamese text that survives extraction, embedded fonts, a QR code that decodes to the
verification URL, layout that stays on the page, revocation mark, byte-identical output, ZIP of many, codes."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from contest.results import certificates as cert
from contest.results.certificates import (
    CODE_ALPHABET,
    CONTENT_MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CertificateData,
    archive_name,
    format_issue_date,
    layout_certificate,
    new_certificate_code,
    render_certificate,
    render_many,
)

VERIFY_URL = "https://thi.example.vn/verify/CN26-7K4M9Q2P"


def make(**overrides) -> CertificateData:
    values = dict(
        code="CN26-7K4M9Q2P",
        holder_name="Nguyễn Thị Ánh Tuyết",
        unit_name="Phường Ba Đình",
        contest_title="Cuộc thi tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026",
        award_label="Giải Nhất",
        detail="Bài dự thi: “Bác Hồ với thanh niên”",
        issued_on=date(2026, 11, 27),
        place="Hà Nội",
        signer_title="TM. BAN TỔ CHỨC\nTRƯỞNG BAN",
        signer_name="Trần Văn Minh",
        organisation="BAN TUYÊN GIÁO VÀ DÂN VẬN THÀNH ỦY HÀ NỘI",
        verify_url=VERIFY_URL,
    )
    values.update(overrides)
    return CertificateData(**values)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    raw = reader.pages[0].extract_text()
    # reportlab writes a ToUnicode map for its TrueType subsets, and pypdf gives the composed (NFC) characters
    # back; normalising anyway keeps the comparison about what is printed, not how a tool decomposes it.
    return unicodedata.normalize("NFC", raw)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", ["Nguyễn Thị Ánh Tuyết", "Đặng Văn Lâm"])
def test_the_pdf_text_carries_the_name_with_its_diacritics_and_the_rest(name):
    pdf = render_certificate(make(holder_name=name))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert name in text
    for expected in (
        "Cuộc thi tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026",
        "Giải Nhất",
        "CN26-7K4M9Q2P",
        "GIẤY CHỨNG NHẬN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BAN TUYÊN GIÁO VÀ DÂN VẬN THÀNH ỦY HÀ NỘI",
        "Đơn vị: Phường Ba Đình",
        "Bài dự thi: “Bác Hồ với thanh niên”",
        "Hà Nội, ngày 27 tháng 11 năm 2026",
        "TRƯỞNG BAN",
        "Trần Văn Minh",
        VERIFY_URL,
    ):
        assert expected in text
    assert "ĐÃ THU HỒI" not in text


def test_decomposed_input_is_drawn_composed():
    decomposed = unicodedata.normalize("NFD", "Đặng Văn Lâm")
    assert decomposed != "Đặng Văn Lâm"
    reader = PdfReader(io.BytesIO(render_certificate(make(holder_name=decomposed))))
    assert "Đặng Văn Lâm" in reader.pages[0].extract_text()


def test_english_labels_drop_the_national_heading_and_write_the_date_in_english():
    text = pdf_text(render_certificate(make(language="en", award_label="First Prize")))
    assert "CERTIFICATE" in text
    assert "This is to certify that" in text
    assert "Hà Nội, 27 November 2026" in text
    assert "CỘNG HÒA" not in text
    assert "Nguyễn Thị Ánh Tuyết" in text


def test_labels_can_be_overridden_one_by_one():
    data = make(labels={"achievement": "", "title": "GIẤY CHỨNG NHẬN THAM GIA"}, award_label="Đợt 3 – 12 câu đúng")
    text = pdf_text(render_certificate(data))
    assert "GIẤY CHỨNG NHẬN THAM GIA" in text
    assert "Đã đạt" not in text
    assert "Tại cuộc thi" in text  # a default kept
    assert "Đợt 3 – 12 câu đúng" in text


def test_every_font_is_an_embedded_truetype_subset():
    reader = PdfReader(io.BytesIO(render_certificate(make())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) >= 3
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/TrueType"
        assert "+DejaVuSerif" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "/ToUnicode" in font


def test_the_vendored_fonts_and_their_licence_ship_with_the_package():
    for filename in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "LICENSE-DejaVu.txt"):
        assert (cert.FONT_DIR / filename).is_file()
    assert "Bitstream" in (cert.FONT_DIR / "LICENSE-DejaVu.txt").read_text()


def test_the_qr_code_decodes_to_the_verification_url():
    reader = PdfReader(io.BytesIO(render_certificate(make())))
    images = reader.pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(images[0].image)
    assert [barcode.text for barcode in found] == [VERIFY_URL]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode


def test_a_long_verification_url_still_decodes():
    url = "https://giai-thuong.tuyengiao.hanoi.example.vn/verify/" + "CN2026HANOI-7K4M9Q2P"
    reader = PdfReader(io.BytesIO(render_certificate(make(verify_url=url))))
    assert [b.text for b in zxingcpp.read_barcodes(reader.pages[0].images[0].image)] == [url]


def inside_content(box) -> bool:
    x0, y0, x1, y1 = box
    edge = CONTENT_MARGIN - 0.01
    return x0 >= edge and y0 >= edge and x1 <= PAGE_WIDTH - edge and y1 <= PAGE_HEIGHT - edge


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_fits_the_page(data: CertificateData) -> None:
    layout = layout_certificate(data)
    boxes = [item.bbox() for item in layout.texts]
    for item, (x0, y0, x1, y1) in zip(layout.texts, boxes, strict=True):
        assert cert.text_width(item.text, item.font, item.size) == pytest.approx(item.width)
        assert inside_content((x0, y0, x1, y1)), item
        assert item.size >= 5
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not overlaps(a, boxes[j]), (layout.texts[i].text, layout.texts[j].text)
    qx, qy, side = layout.qr_box
    qr = (qx, qy, qx + side, qy + side)
    assert inside_content(qr)
    assert not any(overlaps(qr, box) for box in boxes)


def test_the_ordinary_certificate_fits_without_overlaps():
    assert_fits_the_page(make())
    assert_fits_the_page(make(language="en"))


def test_long_texts_shrink_or_wrap_and_stay_on_the_page():
    long_name = "Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Phước Bửu Chánh " * 2
    data = make(
        holder_name=long_name,
        unit_name="Trường Trung học phổ thông chuyên Hà Nội – Amsterdam, Quận Cầu Giấy, Thành phố Hà Nội " * 2,
        contest_title="Cuộc thi viết chính luận về bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các "
        "quan điểm sai trái, thù địch trong tình hình mới lần thứ năm năm 2026",
        award_label="Giải Khuyến khích dành cho tác phẩm xuất sắc của đối tượng học sinh, sinh viên",
        detail="Tác phẩm: “" + "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh " * 3 + "”",
        organisation="BAN TUYÊN GIÁO VÀ DÂN VẬN THÀNH ỦY HÀ NỘI – HỘI ĐỒNG THI ĐUA KHEN THƯỞNG THÀNH PHỐ " * 2,
        signer_title="KT. TRƯỞNG BAN TUYÊN GIÁO VÀ DÂN VẬN THÀNH ỦY\nPHÓ TRƯỞNG BAN THƯỜNG TRỰC",
        signer_name="Nguyễn Hoàng Phương Thảo Trang Nhung Quỳnh Anh " * 2,
        place="Thành phố Hồ Chí Minh",
        verify_url="https://giai-thuong.tuyengiao.hanoi.example.vn/verify/" + "X" * 120,
    )
    assert_fits_the_page(data)
    text = one_line(pdf_text(render_certificate(data)))
    assert "Tôn Nữ Hoàng Thị Phương Thảo" in text


def test_a_single_very_long_word_is_broken_not_drawn_off_the_page():
    assert_fits_the_page(make(holder_name="Nguyễn" + "Văn" * 80))


def test_fit_text_measures_every_line():
    size, lines = cert.fit_text("Nguyễn Thị Ánh Tuyết " * 10, cert.BOLD, 30, 12, 400, max_lines=3)
    assert 12 <= size <= 30
    assert 1 < len(lines) <= 3
    for line in lines:
        assert cert.text_width(line, cert.BOLD, size) <= 400


def test_a_revoked_certificate_carries_the_mark_inside_the_page():
    data = make(revoked=True)
    assert "ĐÃ THU HỒI" in pdf_text(render_certificate(data))
    mark = layout_certificate(data).mark
    assert inside_content(mark.bbox())
    assert mark.size >= 60
    assert "REVOKED" in pdf_text(render_certificate(make(revoked=True, language="en")))
    assert layout_certificate(make()).mark is None


def test_the_same_certificate_renders_to_the_same_bytes():
    first = render_certificate(make())
    assert render_certificate(make()) == first
    assert render_certificate(make(holder_name="Đặng Văn Lâm")) != first
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata["/CreationDate"] == "D:20261127000000+07'00'"


def test_the_bytes_do_not_depend_on_the_process():
    script = (
        "import hashlib\n"
        "from tests.results.test_certificates import make\n"
        "from contest.results.certificates import render_certificate\n"
        "print(hashlib.sha256(render_certificate(make())).hexdigest())\n"
    )
    digests = set()
    # Other hash seeds, and a SOURCE_DATE_EPOCH (which reportlab would otherwise use for its dates).
    for extra in ({"PYTHONHASHSEED": "1"}, {"PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "1700000000"}):
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, **extra},
        )
        digests.add(result.stdout.strip())
    assert digests == {hashlib.sha256(render_certificate(make())).hexdigest()}


def test_rendering_from_many_threads_at_once_gives_the_same_bytes():
    expected = render_certificate(make())
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: render_certificate(make()), range(12)))
    assert all(result == expected for result in results)


def test_issue_dates_follow_each_language():
    assert format_issue_date(date(2026, 3, 5), "Hà Nội", "vi") == "Hà Nội, ngày 05 tháng 3 năm 2026"
    assert format_issue_date(date(2026, 2, 14), "Huế", "vi") == "Huế, ngày 14 tháng 02 năm 2026"
    assert format_issue_date(date(2026, 11, 27), "Hà Nội", "vi") == "Hà Nội, ngày 27 tháng 11 năm 2026"
    assert format_issue_date(date(2026, 11, 27), "Hà Nội", "en") == "Hà Nội, 27 November 2026"
    assert format_issue_date(date(2026, 1, 2), "", "en") == "2 January 2026"


def test_new_codes_use_the_prefix_and_an_unambiguous_alphabet():
    codes = {new_certificate_code("CN26") for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"CN26-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert new_certificate_code(" cn26 ").startswith("CN26-")
    for bad in ("", "CN-26", "Giải", "X" * 13):
        with pytest.raises(ValueError):
            new_certificate_code(bad)


def test_codes_are_normalised_for_lookup():
    assert cert.normalise_certificate_code(" cn26-7k4m 9q2p ") == "CN26-7K4M9Q2P"
    assert cert.normalise_certificate_code(None) == ""


def test_archive_names_start_with_the_code_and_fold_the_name_to_ascii():
    assert archive_name(make()) == "CN26-7K4M9Q2P - Nguyen Thi Anh Tuyet.pdf"
    assert archive_name(make(holder_name="Đặng Văn Lâm")) == "CN26-7K4M9Q2P - Dang Van Lam.pdf"
    assert archive_name(make(holder_name="../../etc/passwd")) == "CN26-7K4M9Q2P - etc passwd.pdf"
    assert archive_name(make(holder_name="山田")) == "CN26-7K4M9Q2P.pdf"
    assert len(archive_name(make(holder_name="Nguyễn " * 40))) <= len("CN26-7K4M9Q2P - ") + 60 + len(".pdf")


def test_render_many_zips_one_pdf_per_certificate():
    items = [
        make(code="CN26-AAAAAAAA", holder_name="Nguyễn Thị Ánh Tuyết"),
        make(code="CN26-BBBBBBBB", holder_name="Đặng Văn Lâm", award_label="Giải Nhì"),
        make(code="CN26-CCCCCCCC", holder_name="Lê Văn Hưng", revoked=True),
    ]
    archive_bytes = render_many(items)
    assert render_many(items) == archive_bytes
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            "CN26-AAAAAAAA - Nguyen Thi Anh Tuyet.pdf",
            "CN26-BBBBBBBB - Dang Van Lam.pdf",
            "CN26-CCCCCCCC - Le Van Hung.pdf",
        ]
        for info, item in zip(archive.infolist(), items, strict=True):
            assert info.compress_type == zipfile.ZIP_DEFLATED
            pdf = archive.read(info)
            assert pdf == render_certificate(item)
            assert item.holder_name in pdf_text(pdf)


def test_render_many_refuses_a_code_twice_and_accepts_none():
    with pytest.raises(ValueError):
        render_many([make(), dataclasses.replace(make(), holder_name="Đặng Văn Lâm")])
    with zipfile.ZipFile(io.BytesIO(render_many([]))) as archive:
        assert archive.namelist() == []
