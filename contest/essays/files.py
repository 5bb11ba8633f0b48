"""Attachments: checked by content (never by name), cleaned of metadata, stored outside the web root under random keys.

* JPEG and PNG are decoded with Pillow and re-encoded from their pixels alone: no EXIF (GPS, camera, dates), XMP,
  ICC profile (colours are converted to sRGB first), comments or text chunks survive. The EXIF orientation is
  applied first so photos stay upright; animated or multi-frame images keep their first frame; images larger than
  MAX_SIDE pixels on a side are scaled down to it. Decompression bombs are refused before decoding.
* PDF is opened with pypdf, refused when encrypted, and rewritten page by page into a new document: the document
  information (author, creator, dates...), XMP metadata, document-level scripts, open actions, forms and attached
  files are not carried over; page-level metadata, additional actions and annotations that run scripts or launch
  programs are removed. A PDF that cannot be rewritten is refused.

The file name is only used for display (`display_name`); the type comes from the first bytes and from decoding.
Limits come from the app config (ESSAY_MAX_IMAGE_BYTES, default 5 MB; ESSAY_MAX_PDF_BYTES, default 10 MB) or the
parameters of `inspect_upload`. Files live in UPLOAD_FOLDER (default <instance>/uploads) as
<first two characters of the key>/<key>.<extension>.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import struct
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, NameObject

from contest.core.errors import Invalid, NotFound, TooLarge, UnsupportedMediaType

DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PDF_BYTES = 10 * 1024 * 1024
#: Decoded images may have at most this many pixels (a 40 MP photo is about 160 MB in memory).
MAX_PIXELS = 40_000_000
#: Stored images are scaled down to at most this many pixels on their longer side.
MAX_SIDE = 4096
MAX_NAME_LENGTH = 200
EXTENSIONS = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PDF_MAGIC = b"%PDF-"
_SAFE_PDF_ACTIONS = {"/URI", "/GoTo"}


@dataclass(frozen=True)
class CleanFile:
    kind: str  # "image" | "pdf"
    content_type: str
    extension: str  # "jpg" | "png" | "pdf", without the dot
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


def inspect_upload(data: bytes, filename: str = "", *, max_image_bytes: int | None = None,
                   max_pdf_bytes: int | None = None) -> CleanFile:
    """The cleaned form of an uploaded file, or Invalid / TooLarge / UnsupportedMediaType with a message for the
    writer. `filename` is not used to decide anything (see `display_name`)."""
    if not data:
        raise Invalid(_l("The file is empty."), code="empty_file")
    if data.startswith(_JPEG_MAGIC) or data.startswith(_PNG_MAGIC):
        limit = max_image_bytes if max_image_bytes is not None else _config("ESSAY_MAX_IMAGE_BYTES",
                                                                             DEFAULT_MAX_IMAGE_BYTES)
        if len(data) > limit:
            raise TooLarge(_l("Images may be at most %(limit)s MB.", limit=_megabytes(limit)), code="too_large")
        return _clean_image(data, "JPEG" if data.startswith(_JPEG_MAGIC) else "PNG")
    if data.startswith(_PDF_MAGIC):
        limit = max_pdf_bytes if max_pdf_bytes is not None else _config("ESSAY_MAX_PDF_BYTES", DEFAULT_MAX_PDF_BYTES)
        if len(data) > limit:
            raise TooLarge(_l("PDF files may be at most %(limit)s MB.", limit=_megabytes(limit)), code="too_large")
        return _clean_pdf(data)
    raise UnsupportedMediaType(_l("Only JPEG or PNG images and PDF files can be attached."),
                               code="unsupported_media_type")


def display_name(filename: str | None) -> str:
    """A name that is safe to show and store: the last path part only, NFC, no control or reserved characters,
    at most MAX_NAME_LENGTH characters (the extension kept when shortening); "" when nothing is left."""
    if not filename:
        return ""
    name = unicodedata.normalize("NFC", str(filename)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name


def upload_folder() -> Path:
    """Where attachments are stored: UPLOAD_FOLDER, or <instance>/uploads; never inside the static folder."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    folder = Path(configured or os.path.join(current_app.instance_path, "uploads")).resolve()
    static = Path(current_app.static_folder).resolve() if current_app.static_folder else None
    if static is not None and (folder == static or static in folder.parents):
        raise RuntimeError(f"UPLOAD_FOLDER ({folder}) must not be inside the static folder ({static})")
    return folder


def store(data: bytes, extension: str) -> str:
    """Writes `data` atomically under a new random key and returns the key."""
    if extension not in EXTENSIONS:
        raise ValueError(f"unknown extension {extension!r}")
    root = upload_folder()
    while True:
        key = secrets.token_urlsafe(24)
        folder = root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{key}.{extension}"
        if not any((folder / f"{key}.{ext}").exists() for ext in EXTENSIONS):
            break
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o640)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return key


def path_for(key: str, extension: str | None = None) -> Path:
    """The stored file of `key`; NotFound for a malformed key or a missing file."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise NotFound(_l("This file does not exist."))
    folder = upload_folder() / key[:2]
    candidates = [extension] if extension in EXTENSIONS else list(EXTENSIONS) if extension is None else []
    for ext in candidates:
        path = folder / f"{key}.{ext}"
        if path.is_file():
            return path
    raise NotFound(_l("This file does not exist."))


# --- images -----------------------------------------------------------------------------------------------

def _clean_image(data: bytes, fmt: str) -> CleanFile:
    unreadable = Invalid(_l("This image could not be read: it may be damaged or not really a JPEG or PNG file."),
                         code="bad_image")
    too_big = Invalid(_l("This image has too many pixels (at most %(limit)s million).",
                         limit=MAX_PIXELS // 1_000_000), code="too_many_pixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about corrupt EXIF, which is dropped anyway
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                if image.width < 1 or image.height < 1:
                    raise unreadable
                if fmt == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale when that still gives MAX_SIDE: big photos stay cheap.
                    image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
                if image.width * image.height > MAX_PIXELS:
                    raise too_big
                image.seek(0)  # the first frame of an animated image
                image.load()
                icc = image.info.get("icc_profile")
                has_alpha = "A" in image.getbands() or "transparency" in image.info
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error, KeyError, TypeError,
            IndexError, ZeroDivisionError):
        raise unreadable from None

    upright = _to_srgb(upright, icc)
    if fmt == "JPEG":
        mode = "L" if upright.mode in ("1", "L", "LA", "I", "I;16", "F") else "RGB"
    else:
        grey = upright.mode in ("1", "L", "LA", "I", "I;16")
        mode = ("LA" if grey else "RGBA") if has_alpha else ("L" if grey else "RGB")
    pixels = upright.convert(mode)
    if max(pixels.size) > MAX_SIDE:
        pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image made of the pixels alone: nothing of the original's info (EXIF, XMP, ICC, text) can follow.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
        return CleanFile("image", "image/jpeg", "jpg", out.getvalue(), clean.width, clean.height)
    clean.save(out, "PNG", optimize=False)
    return CleanFile("image", "image/png", "png", out.getvalue(), clean.width, clean.height)


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The image converted to sRGB when it carries another colour profile (its colours stay right once the profile
    is dropped); unchanged when there is none or it cannot be used."""
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


# --- PDF --------------------------------------------------------------------------------------------------

def _clean_pdf(data: bytes) -> CleanFile:
    unreadable = Invalid(_l("This PDF file could not be read or cleaned: it may be damaged. Try saving it again "
                            "as PDF."), code="bad_pdf")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Invalid(_l("This PDF file is protected with a password: attach a copy without protection."),
                              code="encrypted_pdf")
            if len(reader.pages) < 1:
                raise unreadable
            writer = PdfWriter()
            for page in reader.pages:
                _strip_page(page)  # before copying, so nothing it points to is copied
                writer.add_page(page)
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            writer.metadata = None
            out = io.BytesIO()
            writer.write(out)
            cleaned = out.getvalue()
            check = PdfReader(io.BytesIO(cleaned), strict=False)
            if len(check.pages) != len(reader.pages):
                raise unreadable
    except Invalid:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, ZeroDivisionError):
        raise unreadable from None
    return CleanFile("pdf", "application/pdf", "pdf", cleaned)


def _strip_page(page) -> None:
    for key in ("/Metadata", "/PieceInfo", "/AA"):
        if key in page:
            del page[key]
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = []
    for reference in annotations.get_object():
        annotation = reference.get_object()
        action = annotation.get("/A")
        action = action.get_object() if action is not None else None
        if "/AA" in annotation:
            continue
        if action is not None and action.get("/S") not in _SAFE_PDF_ACTIONS:
            continue
        if annotation.get("/Subtype") == "/FileAttachment":
            continue
        kept.append(reference)
    if kept:
        page[NameObject("/Annots")] = ArrayObject(kept)
    else:
        del page[NameObject("/Annots")]


# --- helpers ----------------------------------------------------------------------------------------------

def _config(key: str, default: int) -> int:
    if has_app_context():
        return int(current_app.config.get(key) or default)
    return default


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"
