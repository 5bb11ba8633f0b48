"""Attachments: type by content, metadata gone, bombs and disguised files refused, atomic storage."""

from __future__ import annotations

import io
import os

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import ExifTags, Image, ImageCms, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject

from contest.core.errors import Invalid, NotFound, TooLarge, UnsupportedMediaType
from contest.essays import files
from contest.essays.files import display_name, inspect_upload, path_for, store

SECRET = "Nguyễn Văn Bí Mật"


@pytest.fixture
def bare_app(tmp_path):
    """A minimal app: these functions need only current_app's config, instance path and Babel."""
    app = Flask("essay_files_test", instance_path=str(tmp_path / "instance"))
    Babel(app)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    with app.app_context():
        yield app


def photo(size=(40, 20), *, fmt="JPEG", mode="RGB", orientation=None, gps=True, **save) -> bytes:
    image = Image.new(mode, size, "red" if mode != "1" else 1)
    # Left half red, right half blue: orientation can be checked by the colours.
    if mode in ("RGB", "RGBA"):
        image.paste((0, 0, 255) if mode == "RGB" else (0, 0, 255, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Artist] = "Secret Artist"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({
            ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (21.0, 1.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (105.0, 51.0, 12.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes(), **save)
    return out.getvalue()


def pdf(*, pages=1, author=SECRET, encrypt=None, javascript=False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Title": "Secret Title", "/Creator": "SecretWriter 1.0"})
    page_metadata = StreamObject()
    page_metadata.set_data(b"<x:xmpmeta>Secret XMP</x:xmpmeta>")
    writer.pages[0][NameObject("/Metadata")] = writer._add_object(page_metadata)
    writer.pages[0][NameObject("/AA")] = DictionaryObject()
    if javascript:
        script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('SecretScript');")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
        names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): names})
        catalog_xmp = StreamObject()
        catalog_xmp.set_data(b"<x:xmpmeta>Secret document XMP</x:xmpmeta>")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(catalog_xmp)
    if encrypt:
        writer.encrypt(encrypt, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- images -----------------------------------------------------------------------------------------------

def test_jpeg_loses_exif_gps_comments_and_icc():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = photo(comment=b"Secret comment", icc_profile=srgb)
    before = Image.open(io.BytesIO(source))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test image really has GPS data
    clean = inspect_upload(source, "anh.jpg")
    assert (clean.kind, clean.content_type, clean.extension) == ("image", "image/jpeg", "jpg")
    assert (clean.width, clean.height) == (40, 20)
    after = Image.open(io.BytesIO(clean.data))
    assert after.format == "JPEG"
    assert not after.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(after.info)
    for secret in (b"Secret", b"SecretCam", b"GPS"):
        assert secret not in clean.data
    assert clean.size == len(clean.data)


def test_exif_orientation_is_applied_before_stripping():
    source = photo((40, 20), orientation=6)  # "rotate 90° clockwise to display"
    clean = inspect_upload(source, "doc.jpg")
    assert (clean.width, clean.height) == (20, 40)
    after = Image.open(io.BytesIO(clean.data)).convert("RGB")
    # The red left half is now on top.
    assert after.getpixel((10, 5))[0] > 200 and after.getpixel((10, 35))[2] > 200


def test_png_loses_text_chunks_and_exif_and_keeps_transparency():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Author")
    info.add_itxt("Description", SECRET)
    info.add_text("XML:com.adobe.xmp", "<x:xmpmeta>Secret</x:xmpmeta>", zip=True)
    source = photo((30, 30), fmt="PNG", mode="RGBA", pnginfo=info)
    assert Image.open(io.BytesIO(source)).text["Author"] == "Secret Author"
    clean = inspect_upload(source, "hinh.png")
    assert (clean.content_type, clean.extension, clean.width, clean.height) == ("image/png", "png", 30, 30)
    after = Image.open(io.BytesIO(clean.data))
    assert after.mode == "RGBA"
    assert not getattr(after, "text", {})
    assert not after.getexif()
    assert b"Secret" not in clean.data and b"tEXt" not in clean.data and b"iTXt" not in clean.data
    assert b"zTXt" not in clean.data and b"eXIf" not in clean.data


def test_palette_png_with_transparency_keeps_it():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(1, (0, 0, 4, 8))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    clean = Image.open(io.BytesIO(inspect_upload(out.getvalue(), "x.png").data))
    assert clean.mode == "RGBA"
    assert clean.getpixel((6, 0))[3] == 0 and clean.getpixel((1, 0)) == (0, 255, 0, 255)


def test_animated_png_keeps_its_first_frame():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(out.getvalue())).n_frames == 3
    clean = Image.open(io.BytesIO(inspect_upload(out.getvalue(), "a.png").data))
    assert getattr(clean, "n_frames", 1) == 1
    assert clean.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_huge_images_are_scaled_down():
    source = photo((files.MAX_SIDE + 500, 100), gps=False)
    clean = inspect_upload(source, "rong.jpg")
    assert clean.width == files.MAX_SIDE and clean.height < 100


@pytest.mark.parametrize("size", [(10_000, 10_000), (8_000, 6_000)])
def test_decompression_bombs_are_refused(size):
    # 100 and 48 million pixels in a few kilobytes: over Pillow's own limit, and over ours.
    out = io.BytesIO()
    Image.new("1", size, 0).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(Invalid) as caught:
        inspect_upload(out.getvalue(), "bom.png")
    assert caught.value.code == "too_many_pixels"


def test_truncated_and_garbage_images_are_refused():
    source = photo((200, 200), gps=False)
    for data in (source[: len(source) // 2], source[:200], b"\xff\xd8\xff" + b"<html><script>x</script>",
                 b"\x89PNG\r\n\x1a\n" + b"\x00" * 50):
        with pytest.raises(Invalid) as caught:
            inspect_upload(data, "anh.jpg")
        assert caught.value.code == "bad_image"


@pytest.mark.parametrize("data", [
    b"<html><body><script>alert(1)</script></body></html>",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    b"PK\x03\x04 a docx file",
    b"MZ\x90\x00 an executable",
    b" %PDF-1.7 with a space in front",
    b"\xef\xbb\xbf<html>",
])
def test_other_types_are_refused_by_content_whatever_the_name(data):
    for name in ("anh.jpg", "anh.png", "bai.pdf", "x"):
        with pytest.raises(UnsupportedMediaType):
            inspect_upload(data, name)


def test_the_name_never_decides_the_type():
    assert inspect_upload(pdf(), "anh.jpg").kind == "pdf"
    assert inspect_upload(photo(gps=False), "bai.pdf").content_type == "image/jpeg"
    assert inspect_upload(photo(fmt="PNG", gps=False), "anh.jpg").content_type == "image/png"


def test_empty_file_is_refused():
    with pytest.raises(Invalid) as caught:
        inspect_upload(b"", "x.jpg")
    assert caught.value.code == "empty_file"


def test_size_limits_from_parameters_and_config(bare_app):
    image = photo(gps=False)
    with pytest.raises(TooLarge) as caught:
        inspect_upload(image, "x.jpg", max_image_bytes=len(image) - 1)
    assert caught.value.status == 413
    bare_app.config["ESSAY_MAX_IMAGE_BYTES"] = 3 * 1024 * 1024 // 2
    assert inspect_upload(image, "x.jpg").kind == "image"
    big = image + b"\x00" * (3 * 1024 * 1024 // 2)  # trailing bytes: size is checked before decoding
    with pytest.raises(TooLarge) as caught:
        inspect_upload(big, "x.jpg")
    assert "1.5" in str(caught.value.message)
    document = pdf()
    bare_app.config["ESSAY_MAX_PDF_BYTES"] = len(document) - 1
    with pytest.raises(TooLarge):
        inspect_upload(document, "x.pdf")
    assert inspect_upload(document, "x.pdf", max_pdf_bytes=len(document)).kind == "pdf"


def test_default_limits_without_config():
    assert files._config("ESSAY_MAX_IMAGE_BYTES", files.DEFAULT_MAX_IMAGE_BYTES) == 5 * 1024 * 1024
    with pytest.raises(TooLarge) as caught:
        inspect_upload(b"%PDF-" + b"0" * files.DEFAULT_MAX_PDF_BYTES, "x.pdf")
    assert "10 MB" in str(caught.value.message)


# --- PDF --------------------------------------------------------------------------------------------------

def test_pdf_loses_document_information_xmp_and_scripts():
    source = pdf(pages=3, javascript=True)
    assert PdfReader(io.BytesIO(source)).metadata["/Author"] == SECRET
    clean = inspect_upload(source, "ho-so.pdf")
    assert (clean.kind, clean.content_type, clean.extension, clean.width, clean.height) == (
        "pdf", "application/pdf", "pdf", None, None)
    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 3
    assert not reader.metadata
    assert reader.xmp_metadata is None
    assert "/Metadata" not in reader.pages[0] and "/AA" not in reader.pages[0]
    assert "/Names" not in reader.trailer["/Root"] and "/OpenAction" not in reader.trailer["/Root"]
    for secret in (b"Secret", b"SecretWriter", b"app.alert", "Bí Mật".encode("utf-16-be")):
        assert secret not in clean.data


def test_pdf_annotations_that_run_scripts_are_removed_links_kept():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    from pypdf.annotations import Link

    writer.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://hanoi.gov.vn"))
    script = Link(rect=(60, 60, 90, 90), url="https://x.vn")
    script[NameObject("/A")] = DictionaryObject({NameObject("/S"): NameObject("/JavaScript")})
    writer.add_annotation(0, script)
    out = io.BytesIO()
    writer.write(out)
    clean = PdfReader(io.BytesIO(inspect_upload(out.getvalue(), "x.pdf").data))
    annotations = [ref.get_object() for ref in clean.pages[0]["/Annots"]]
    assert [a["/A"]["/S"] for a in annotations] == ["/URI"]


def test_encrypted_pdf_is_refused():
    with pytest.raises(Invalid) as caught:
        inspect_upload(pdf(encrypt="matkhau"), "x.pdf")
    assert caught.value.code == "encrypted_pdf"


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n<html><script>alert(1)</script></html>",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
])
def test_broken_pdfs_are_refused(data):
    with pytest.raises(Invalid) as caught:
        inspect_upload(data, "x.pdf")
    assert caught.value.code == "bad_pdf"


def test_truncated_pdf_is_refused_or_cleaned():
    source = pdf(pages=2)
    try:
        clean = inspect_upload(source[: len(source) * 2 // 3], "x.pdf")
    except Invalid as error:
        assert error.code == "bad_pdf"
    else:  # pypdf could rebuild it: then it is a clean, readable PDF
        assert len(PdfReader(io.BytesIO(clean.data)).pages) >= 1 and b"Secret" not in clean.data


# --- names and storage ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("Ảnh chân dung bác Ba.jpg", "Ảnh chân dung bác Ba.jpg"),
    ("C:\\Users\\lan\\Bài viết.pdf", "Bài viết.pdf"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\nc\u202e.pdf", "a b c .pdf"),
    ('x<script>"|?*.png', "x_script_____.png"),
    ("  ..hidden.pdf. ", "hidden.pdf"),
    ("", ""),
    (None, ""),
    ("/", ""),
])
def test_display_name(name, expected):
    assert display_name(name) == expected


def test_display_name_is_nfc_and_short():
    import unicodedata

    assert display_name(unicodedata.normalize("NFD", "Hồ sơ.pdf")) == "Hồ sơ.pdf"
    long = display_name("ư" * 300 + ".jpeg")
    assert len(long) == files.MAX_NAME_LENGTH and long.endswith("ư.jpeg")
    assert len(display_name("x" * 300)) == files.MAX_NAME_LENGTH


def test_store_and_path_for(bare_app, tmp_path):
    clean = inspect_upload(photo(gps=False), "x.jpg")
    key = store(clean.data, clean.extension)
    assert files.KEY_PATTERN.fullmatch(key) and len(key) == 32
    path = path_for(key)
    assert path == tmp_path / "uploads" / key[:2] / f"{key}.jpg"
    assert path.read_bytes() == clean.data
    assert path_for(key, "jpg") == path
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    other = store(b"%PDF-x", "pdf")
    assert other != key and path_for(other).suffix == ".pdf"
    with pytest.raises(NotFound):
        path_for(key, "png")
    for bad in ("../../etc/passwd", "short", key + "/", "", None, "a" * 65):
        with pytest.raises(NotFound):
            path_for(bad)
    with pytest.raises(NotFound):
        path_for("b" * 32)
    with pytest.raises(ValueError):
        store(b"x", "html")


def test_store_defaults_to_the_instance_folder(bare_app, tmp_path):
    bare_app.config["UPLOAD_FOLDER"] = None
    key = store(b"%PDF-1", "pdf")
    assert path_for(key) == tmp_path / "instance" / "uploads" / key[:2] / f"{key}.pdf"


def test_store_refuses_the_static_folder(bare_app):
    bare_app.config["UPLOAD_FOLDER"] = os.path.join(bare_app.static_folder, "uploads")
    with pytest.raises(RuntimeError):
        store(b"%PDF-1", "pdf")


def test_damaged_files_give_a_clear_error_never_a_crash():
    """Seeded random damage to real files: each is either cleaned or refused with a ServiceError."""
    import random

    from contest.core.errors import ServiceError

    rng = random.Random(20260104)
    seeds = [photo(), photo(fmt="PNG", mode="RGBA"), pdf(pages=2, javascript=True)]
    outcomes = {"cleaned": 0, "refused": 0}
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(8, len(data))
            roll = rng.random()
            if roll < 0.6:
                data[at] = rng.randrange(256)
            elif roll < 0.8:
                del data[at:at + rng.randint(1, 50)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 20))
        try:
            clean = inspect_upload(bytes(data), "x")
        except ServiceError:
            outcomes["refused"] += 1
        else:
            outcomes["cleaned"] += 1
            assert b"Secret" not in clean.data
    assert outcomes["cleaned"] and outcomes["refused"]
