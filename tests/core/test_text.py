"""Vietnamese text normalisation, pure functions."""

from __future__ import annotations

import unicodedata

import pytest

from contest.core.text import nfc, normalise_email, sort_key, unaccent


def test_nfc_composes_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn\tAn ")
    assert nfc(decomposed) == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


@pytest.mark.parametrize("variant", [
    "an.nguyen@example.com", "  AN.NGUYEN@EXAMPLE.COM\n", "An.Nguyen@Example.Com",
])
def test_email_variants_normalise_to_one(variant):
    assert normalise_email(variant) == "an.nguyen@example.com"


def test_email_unicode_forms_normalise_to_one():
    nfc_form = "hồng@example.com"
    nfd_form = unicodedata.normalize("NFD", nfc_form).upper()
    assert nfc_form != nfd_form
    assert normalise_email(nfd_form) == normalise_email(nfc_form) == "hồng@example.com"


@pytest.mark.parametrize(("text", "folded"), [
    ("Hồ Chí Minh", "ho chi minh"),
    ("Đống Đa", "dong da"),
    ("PHƯỜNG THẠCH BÀN", "phuong thach ban"),
    (unicodedata.normalize("NFD", "Ứng Hòa"), "ung hoa"),
    ("", ""),
])
def test_unaccent(text, folded):
    assert unaccent(text) == folded


def test_sort_key_orders_vietnamese_names_by_letters():
    names = ["Đan Phượng", "Ba Đình", "Ứng Hòa", "Long Biên", "Ân Thi", "An Khánh"]
    assert sorted(names, key=sort_key) == ["An Khánh", "Ân Thi", "Ba Đình", "Đan Phượng", "Long Biên", "Ứng Hòa"]
