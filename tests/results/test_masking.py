"""Masking of names on public pages: pure rules."""

import unicodedata

import pytest

from contest.results.masking import mask_name


@pytest.mark.parametrize(("name", "mode", "shown"), [
    ("Nguyễn Văn An", "none", "Nguyễn Văn An"),
    ("Nguyễn Văn An", "partial", "Nguyễn V. A."),
    ("Nguyễn Văn An", "initials", "N. V. A."),
    ("  Đặng   thị  Ưng ", "partial", "Đặng T. Ư."),
    ("Đặng Thị Ưng", "initials", "Đ. T. Ư."),
    ("Lan", "partial", "Lan"),
    ("Lan", "initials", "L."),
    ("", "partial", ""),
    (None, "none", ""),
    ("Nguyễn Văn An", "bogus", "N. V. A."),
    ("Trần (Bé) Ba", "partial", "Trần B. B."),
])
def test_mask_name(name, mode, shown):
    assert mask_name(name, mode) == shown


def test_decomposed_input_comes_out_nfc():
    decomposed = unicodedata.normalize("NFD", "Đặng Thị Ưng")
    assert mask_name(decomposed, "partial") == unicodedata.normalize("NFC", "Đặng T. Ư.")
    assert mask_name(decomposed, "none") == unicodedata.normalize("NFC", "Đặng Thị Ưng")


def test_masked_names_reveal_no_more_than_initials():
    name = "Hoàng Quốc Việt"
    for mode in ("partial", "initials"):
        shown = mask_name(name, mode)
        assert "Quốc" not in shown and "Việt" not in shown
