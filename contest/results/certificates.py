"""Certificate PDFs and their codes: pure rendering from plain data (no database, no request).

The same `CertificateData` always renders to the same bytes, so a ZIP of a contest's certificates is reproducible and
tests can compare outputs. Fonts are the DejaVu Serif files vendored in contest/data/fonts, embedded as subsets.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import secrets
import threading
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas

from contest.core.text import nfc

FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
# Names of our own, so a registration of the same files elsewhere under other names cannot clash with ours.
REGULAR, BOLD, ITALIC = "CertSerif", "CertSerif-Bold", "CertSerif-Italic"
_FONT_FILES = {REGULAR: "DejaVuSerif.ttf", BOLD: "DejaVuSerif-Bold.ttf", ITALIC: "DejaVuSerif-Italic.ttf"}

# Without 0/O, 1/I/L: a code read aloud or typed from paper cannot be mistaken. 31**8 ≈ 8.5e11, not guessable.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_PREFIX = re.compile(r"[A-Z0-9]{1,12}")

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
# Everything we draw, except the border itself, stays inside this box (tests check it).
CONTENT_MARGIN = 48.0

RED = HexColor("#9B1C1C")
GOLD = HexColor("#B8862B")
INK = HexColor("#1F1F1F")
REVOKED_INK = Color(0.8, 0.05, 0.05, alpha=0.35)

VI_LABELS: dict[str, str] = {
    "national_name": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "national_motto": "Độc lập - Tự do - Hạnh phúc",
    "title": "GIẤY CHỨNG NHẬN",
    "awarded_to": "Chứng nhận",
    "unit": "Đơn vị",
    "achievement": "Đã đạt",
    "contest": "Tại cuộc thi",
    "code": "Mã số",
    "verify": "Quét mã QR hoặc truy cập để xác minh",
    "revoked": "ĐÃ THU HỒI",
}
EN_LABELS: dict[str, str] = {
    "national_name": "",
    "national_motto": "",
    "title": "CERTIFICATE",
    "awarded_to": "This is to certify that",
    "unit": "Unit",
    "achievement": "has been awarded",
    "contest": "in the contest",
    "code": "Certificate no.",
    "verify": "Scan the QR code or open this address to verify",
    "revoked": "REVOKED",
}
DEFAULT_LABELS = {"vi": VI_LABELS, "en": EN_LABELS}
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, already resolved and translated by the caller.

    `labels` overrides any of the fixed texts (keys of VI_LABELS); missing keys come from the defaults of `language`.
    An empty "national_name" leaves out the national heading (the English default does); an empty "achievement"
    leaves out the line before the award (useful for participation certificates).
    """

    code: str
    holder_name: str
    contest_title: str
    award_label: str
    issued_on: date
    verify_url: str
    unit_name: str = ""
    detail: str = ""
    place: str = "Hà Nội"
    signer_title: str = "TM. BAN TỔ CHỨC"
    signer_name: str = ""
    organisation: str = ""
    revoked: bool = False
    language: str = "vi"
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        if key in self.labels:
            return nfc(self.labels[key])
        return DEFAULT_LABELS.get(self.language, VI_LABELS)[key]


@dataclass(frozen=True)
class PlacedText:
    """One run of text as drawn: left edge `x` and baseline `y`, or, when `angle` is set, rotated about (x, y)."""

    text: str
    font: str
    size: float
    x: float
    y: float
    width: float
    color: Color = INK
    angle: float = 0.0

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the glyph box, from the font's ascent and descent, rotation included."""
        ascent, descent = pdfmetrics.getAscentDescent(self.font, self.size)
        if not self.angle:
            return (self.x, self.y + descent, self.x + self.width, self.y + ascent)
        base = _rotated_baseline(self.size)
        corners = [(-self.width / 2, base + descent), (self.width / 2, base + descent)]
        corners += [(-self.width / 2, base + ascent), (self.width / 2, base + ascent)]
        cos, sin = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        xs = [self.x + cx * cos - cy * sin for cx, cy in corners]
        ys = [self.y + cx * sin + cy * cos for cx, cy in corners]
        return (min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Rule:
    """A horizontal line (the short rules under the headings)."""

    x0: float
    x1: float
    y: float
    width: float = 0.8
    color: Color = INK


@dataclass(frozen=True)
class CertificateLayout:
    texts: list[PlacedText]
    rules: list[Rule]
    qr_box: tuple[float, float, float]  # x, y, side
    mark: PlacedText | None  # the diagonal "revoked" mark


# --- fonts -------------------------------------------------------------------------------------------------------

_fonts_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register the vendored fonts with reportlab, once per process; safe to call from many threads."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        _fonts_ready = True


# --- codes -------------------------------------------------------------------------------------------------------


def new_certificate_code(prefix: str) -> str:
    """A new random code such as "CN26-7K4M9Q2P": the prefix (ASCII letters and digits), a dash, 8 characters."""
    prefix = (prefix or "").strip().upper()
    if not _PREFIX.fullmatch(prefix):
        raise ValueError("A certificate code prefix is 1 to 12 ASCII letters or digits.")
    return prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_certificate_code(value: str | None) -> str:
    """The form codes are stored and looked up in: trimmed, inner spaces removed, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


# --- text fitting ------------------------------------------------------------------------------------------------


def text_width(text: str, font: str, size: float) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Split one word too wide for a line into pieces that fit (a URL, a name written without spaces)."""
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap: each line's measured width is at most `width`."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if text_width(word, font, size) <= width:
            current = word
        else:
            *full, current = _break_word(word, font, size, width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def fit_text(
    text: str, font: str, max_size: float, min_size: float, width: float, max_lines: int = 1
) -> tuple[float, list[str]]:
    """The largest size and the lines at which `text` fits `width` in at most `max_lines` lines.

    A slightly long text first shrinks on one line (down to 70 % of max_size); a longer one wraps, shrinking as
    needed; text that cannot fit even at min_size is cut with an ellipsis rather than drawn off the page.
    """
    text = nfc(text)
    if not text:
        return max_size, []
    size = max_size
    single_floor = max(min_size, max_size * 0.7)
    while size >= single_floor:
        if text_width(text, font, size) <= width:
            return size, [text]
        size -= 0.5
    if max_lines > 1:
        size = max_size
        while size >= min_size:
            lines = wrap_text(text, font, size, width)
            if len(lines) <= max_lines:
                return size, lines
            size -= 0.5
    lines = wrap_text(text, font, min_size, width)
    if len(lines) <= max_lines:
        return min_size, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and text_width(last + "…", font, min_size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return min_size, lines


def format_issue_date(issued_on: date, place: str, language: str) -> str:
    """The place and date line: "Hà Nội, ngày 05 tháng 3 năm 2026" or "Hà Nội, 5 March 2026".

    In Vietnamese, days below 10 and the months 1 and 2 take a leading zero, as in administrative documents.
    """
    place = nfc(place)
    if language == "en":
        text = f"{issued_on.day} {_EN_MONTHS[issued_on.month - 1]} {issued_on.year}"
    else:
        month = f"{issued_on.month:02d}" if issued_on.month <= 2 else str(issued_on.month)
        text = f"ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}"
    return f"{place}, {text}" if place else text


# --- layout ------------------------------------------------------------------------------------------------------


class _Column:
    """Places centred lines top-down in a column and remembers what it placed."""

    def __init__(self, centre: float, width: float, top: float, out: list[PlacedText]):
        self.centre, self.width, self.y, self.out = centre, width, top, out

    def add(
        self,
        text: str,
        font: str,
        size: float,
        min_size: float | None = None,
        max_lines: int = 1,
        color: Color = INK,
        leading: float = 1.25,
        space_before: float = 0.0,
    ) -> list[PlacedText]:
        size, lines = fit_text(text, font, size, min_size or size, self.width, max_lines)
        placed = []
        for index, line in enumerate(lines):
            self.y -= (space_before if index == 0 else 0.0) + size * leading
            width = text_width(line, font, size)
            item = PlacedText(line, font, size, self.centre - width / 2, self.y, width, color)
            self.out.append(item)
            placed.append(item)
        return placed


def _middle(data: CertificateData, scale: float, top: float) -> tuple[list[PlacedText], float]:
    """The centre block (name, unit, award, contest, detail) at `scale`; returns it and its lowest descender."""
    texts: list[PlacedText] = []
    col = _Column(PAGE_WIDTH / 2, PAGE_WIDTH - 2 * CONTENT_MARGIN - 60, top, texts)
    s = scale
    col.add(data.label("awarded_to"), ITALIC, 15 * s, max_lines=2)
    col.add(data.holder_name, BOLD, 30 * s, 15 * s, max_lines=2, color=RED, space_before=10 * s, leading=1.2)
    if nfc(data.unit_name):
        col.add(f"{data.label('unit')}: {nfc(data.unit_name)}", REGULAR, 15 * s, 9 * s, max_lines=2, space_before=6 * s)
    if data.label("achievement"):
        col.add(data.label("achievement"), ITALIC, 14 * s, 9 * s, space_before=8 * s)
    col.add(data.award_label, BOLD, 24 * s, 12 * s, max_lines=2, color=RED, space_before=6 * s, leading=1.2)
    if data.label("contest"):
        col.add(data.label("contest"), ITALIC, 14 * s, 9 * s, space_before=8 * s)
    col.add(data.contest_title, BOLD, 17 * s, 9 * s, max_lines=2, space_before=4 * s)
    if nfc(data.detail):
        col.add(data.detail, ITALIC, 13 * s, 8 * s, max_lines=2, space_before=6 * s)
    lowest = min((t.bbox()[1] for t in texts), default=top)
    return texts, lowest


def _rotated_baseline(size: float) -> float:
    return -size * 0.35


def layout_certificate(data: CertificateData) -> CertificateLayout:
    """Where every piece of text goes; `render_certificate` draws exactly this."""
    register_fonts()
    texts: list[PlacedText] = []
    rules: list[Rule] = []
    left, right = CONTENT_MARGIN, PAGE_WIDTH - CONTENT_MARGIN
    top = PAGE_HEIGHT - CONTENT_MARGIN - 6

    # Heading: the organisation on the left, the national heading on the right (Vietnamese style), or the
    # organisation alone in the middle when there is no national heading.
    national = data.label("national_name")
    org_text = nfc(data.organisation)
    if national:
        org_col = _Column(left + 170, 330, top, texts)
        nat_col = _Column(right - 180, 350, top, texts)
        org_lines = org_col.add(org_text, BOLD, 12, 8, max_lines=3) if org_text else []
        nat_col.add(national, BOLD, 12, 8)
        motto = nat_col.add(data.label("national_motto"), BOLD, 12.5, 8, leading=1.35)
        if motto:
            m = motto[-1]
            rules.append(Rule(m.x, m.x + m.width, m.y - 4))
        if org_lines:
            last = org_lines[-1]
            rules.append(Rule(org_col.centre - 45, org_col.centre + 45, last.y - 9))
        heading_bottom = min(org_col.y, nat_col.y)
    else:
        org_col = _Column(PAGE_WIDTH / 2, right - left - 60, top, texts)
        org_lines = org_col.add(org_text, BOLD, 13, 8, max_lines=2) if org_text else []
        if org_lines:
            rules.append(Rule(PAGE_WIDTH / 2 - 60, PAGE_WIDTH / 2 + 60, org_lines[-1].y - 9))
        heading_bottom = org_col.y

    title_col = _Column(PAGE_WIDTH / 2, right - left - 60, heading_bottom - 14, texts)
    title_col.add(data.label("title"), BOLD, 36, 20, color=RED, leading=1.0)
    title_bottom = title_col.y - 10

    # Bottom block: date, signer title, room for signature and seal, signer name (right); code, QR, URL (left).
    qr_side = 92.0
    qr_x, qr_y = left + 12, CONTENT_MARGIN + 30
    bottom_left_width = 250.0
    sign_col = _Column(right - 170, 320, 0, texts)
    date_size, date_lines = fit_text(format_issue_date(data.issued_on, data.place, data.language), ITALIC, 13, 9, 320)
    # The caller may break the signer's title ("TM. BAN TỔ CHỨC\nTRƯỞNG BAN"); each part fits on its own.
    signer_size, signer_lines = 13.5, []
    for part in (data.signer_title or "").splitlines():
        if nfc(part):
            size, lines = fit_text(part, BOLD, 13.5, 9, 320, max_lines=2)
            signer_size = min(signer_size, size)
            signer_lines.extend(lines)
    signer_lines = signer_lines[:3]
    sign_top = CONTENT_MARGIN + 135 + 1.25 * signer_size * max(len(signer_lines) - 1, 0)
    sign_col.y = sign_top + date_size
    for line in date_lines:
        sign_col.y -= date_size
        w = text_width(line, ITALIC, date_size)
        texts.append(PlacedText(line, ITALIC, date_size, sign_col.centre - w / 2, sign_col.y, w))
    sign_col.y -= 4
    for line in signer_lines:
        sign_col.y -= signer_size * 1.25
        w = text_width(line, BOLD, signer_size)
        texts.append(PlacedText(line, BOLD, signer_size, sign_col.centre - w / 2, sign_col.y, w))
    if nfc(data.signer_name):
        size, (line, *_) = fit_text(data.signer_name, BOLD, 14, 9, 320)
        w = text_width(line, BOLD, size)
        texts.append(PlacedText(line, BOLD, size, sign_col.centre - w / 2, CONTENT_MARGIN + 14, w))

    code_text = f"{data.label('code')}: {normalise_certificate_code(data.code)}"
    size, (line, *_) = fit_text(code_text, BOLD, 11, 7, bottom_left_width)
    texts.append(PlacedText(line, BOLD, size, qr_x, qr_y + qr_side + 8, text_width(line, BOLD, size)))
    url_lines_y = qr_y - 9
    for text, font, max_lines in ((data.label("verify"), ITALIC, 1), (data.verify_url, REGULAR, 2)):
        size, lines = fit_text(text, font, 7.5, 5, bottom_left_width, max_lines=max_lines)
        for line in lines:
            texts.append(PlacedText(line, font, size, qr_x, url_lines_y, text_width(line, font, size)))
            url_lines_y -= size * 1.2

    # The centre block shrinks as a whole until it clears the bottom block.
    floor = max(qr_y + qr_side + 8 + 14, sign_top + date_size + 6)
    scale = 1.0
    while True:
        middle, lowest = _middle(data, scale, title_bottom)
        if lowest >= floor or scale <= 0.5:
            break
        scale -= 0.05
    # Spare height goes half above, half below, so a short certificate does not crowd under its title.
    shift = max(lowest - floor, 0.0) / 2
    texts.extend(PlacedText(t.text, t.font, t.size, t.x, t.y - shift, t.width, t.color) for t in middle)

    mark = None
    if data.revoked:
        text = data.label("revoked")
        angle = math.degrees(math.atan2(PAGE_HEIGHT, PAGE_WIDTH))
        size = 120.0
        while size > 20:
            candidate = PlacedText(
                text, BOLD, size, PAGE_WIDTH / 2, PAGE_HEIGHT / 2, text_width(text, BOLD, size), REVOKED_INK, angle
            )
            x0, y0, x1, y1 = candidate.bbox()
            if x0 >= left and y0 >= CONTENT_MARGIN and x1 <= right and y1 <= PAGE_HEIGHT - CONTENT_MARGIN:
                break
            size -= 2
        mark = candidate
    return CertificateLayout(texts=texts, rules=rules, qr_box=(qr_x, qr_y, qr_side), mark=mark)


# --- drawing -----------------------------------------------------------------------------------------------------


def qr_image(value: str, pixels_per_module: int = 8) -> Image.Image:
    """The QR code of `value` (reportlab's encoder, level M, 4-module quiet zone) as a greyscale image.

    Embedded as an image rather than reportlab's vector rectangles so that it can be read back from the PDF (tests
    decode it); at 8 pixels a module it stays sharp in print even when a viewer smooths images.
    """
    widget = QrCodeWidget(value, barLevel="M")
    widget.qr.make()
    count = widget.qr.getModuleCount()
    border = 4
    side = count + 2 * border
    small = Image.new("L", (side, side), 255)
    for row, modules in enumerate(widget.qr.modules):
        for column, dark in enumerate(modules):
            if dark:
                small.putpixel((column + border, row + border), 0)
    return small.resize((side * pixels_per_module, side * pixels_per_module), Image.Resampling.NEAREST)


def _draw_border(c: pdf_canvas.Canvas) -> None:
    c.saveState()
    outer, inner = 18.0, 30.0
    c.setStrokeColor(RED)
    c.setLineWidth(3.5)
    c.rect(outer, outer, PAGE_WIDTH - 2 * outer, PAGE_HEIGHT - 2 * outer)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(outer + 5, outer + 5, PAGE_WIDTH - 2 * (outer + 5), PAGE_HEIGHT - 2 * (outer + 5))
    c.setLineWidth(0.6)
    c.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)
    # A small gold lozenge in each corner and at the middle of each side, between the frames.
    c.setFillColor(GOLD)
    mid = (outer + 5 + inner) / 2
    points = [
        (mid, mid),
        (PAGE_WIDTH - mid, mid),
        (mid, PAGE_HEIGHT - mid),
        (PAGE_WIDTH - mid, PAGE_HEIGHT - mid),
        (PAGE_WIDTH / 2, mid),
        (PAGE_WIDTH / 2, PAGE_HEIGHT - mid),
        (mid, PAGE_HEIGHT / 2),
        (PAGE_WIDTH - mid, PAGE_HEIGHT / 2),
    ]
    for x, y in points:
        path = c.beginPath()
        path.moveTo(x, y + 5)
        path.lineTo(x + 5, y)
        path.lineTo(x, y - 5)
        path.lineTo(x - 5, y)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _pdf_date(issued_on: date):
    stamp = f"D:{issued_on.year:04d}{issued_on.month:02d}{issued_on.day:02d}000000+07'00'"
    return lambda *_: stamp


def _draw(c: pdf_canvas.Canvas, data: CertificateData) -> None:
    layout = layout_certificate(data)
    _draw_border(c)
    for rule in layout.rules:
        c.setStrokeColor(rule.color)
        c.setLineWidth(rule.width)
        c.line(rule.x0, rule.y, rule.x1, rule.y)
    for item in layout.texts:
        c.setFillColor(item.color)
        c.setFont(item.font, item.size)
        c.drawString(item.x, item.y, item.text)
    x, y, side = layout.qr_box
    c.drawImage(ImageReader(qr_image(data.verify_url)), x, y, side, side)
    if layout.mark is not None:
        mark = layout.mark
        c.saveState()
        c.translate(mark.x, mark.y)
        c.rotate(mark.angle)
        c.setFillColor(mark.color)
        c.setFont(mark.font, mark.size)
        c.drawString(-mark.width / 2, _rotated_baseline(mark.size), mark.text)
        c.restoreState()
    c.showPage()


def render_certificate(data: CertificateData) -> bytes:
    """A one-page A4 landscape PDF; the same data gives the same bytes (dates come from `issued_on`)."""
    register_fonts()
    # reportlab keeps per-font subsetting state in the registered (process-wide) TTFont objects; two threads drawing
    # at once once gave different bytes under load. One certificate at a time per process (some 40 ms each).
    with _render_lock:
        return _render(data)


_render_lock = threading.Lock()


def _render(data: CertificateData) -> bytes:
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1, initialFontName=REGULAR
    )
    # invariant=1 fixes reportlab's clock, except that SOURCE_DATE_EPOCH (set by some build and CI environments)
    # still seeds the document ID; seeding it from the certificate itself makes the bytes depend on nothing else.
    # reportlab is pinned; tests/results/test_certificates.py catches a change here.
    c._doc.signature = hashlib.md5(b"contest certificate", usedforsecurity=False)
    c._doc.signature.update(f"{normalise_certificate_code(data.code)} {data.issued_on.isoformat()}".encode())
    c.setDateFormatter(_pdf_date(data.issued_on))
    c.setTitle(f"{data.label('title')} {normalise_certificate_code(data.code)} – {nfc(data.holder_name)}")
    c.setSubject(nfc(data.contest_title))
    if nfc(data.organisation):
        c.setAuthor(nfc(data.organisation))
    c.setCreator("contest")
    _draw(c, data)
    c.save()
    return buffer.getvalue()


# --- many at once --------------------------------------------------------------------------------------------------


def ascii_fold(value: str) -> str:
    """Diacritics and đ/Đ folded, case kept: "Nguyễn Thị Ánh Tuyết" -> "Nguyen Thi Anh Tuyet"."""
    text = unicodedata.normalize("NFD", nfc(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def archive_name(data: CertificateData) -> str:
    """The file name inside a ZIP of certificates: "CN26-7K4M9Q2P - Nguyen Thi Anh Tuyet.pdf".

    The code comes first, so names are unique and sort by code; the holder's name, ASCII-folded and cut to 60
    characters, is there for the organiser looking for someone. ASCII because ZIP tools still differ on UTF-8 names.
    """
    code = normalise_certificate_code(data.code)
    name = re.sub(r"[^A-Za-z0-9 .\-]+", " ", ascii_fold(data.holder_name))
    name = re.sub(r"\s+", " ", name).strip(" .-")[:60].strip(" .-")
    return f"{code} - {name}.pdf" if name else f"{code}.pdf"


def render_many(items: Iterable[CertificateData]) -> bytes:
    """A ZIP (deflated) of one PDF per certificate, named by `archive_name`; the same items give the same bytes."""
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for data in items:
            code = normalise_certificate_code(data.code)
            if code in seen:
                raise ValueError(f"Certificate code {code} appears twice.")
            seen.add(code)
            info = zipfile.ZipInfo(archive_name(data), date_time=(max(data.issued_on.year, 1980), *_month_day(data)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, render_certificate(data))
    return buffer.getvalue()


def _month_day(data: CertificateData) -> tuple[int, int, int, int, int]:
    if data.issued_on.year < 1980:
        return (1, 1, 0, 0, 0)
    return (data.issued_on.month, data.issued_on.day, 0, 0, 0)
