"""An entry whose text names its author is found, whatever the case and diacritics, on whole words only."""

from __future__ import annotations

import unicodedata

import pytest

from contest.judging.blind import names_in_text

AUTHOR = "Nguyễn Văn An"


@pytest.mark.parametrize("text", [
    "Bài viết của Nguyễn Văn An, lớp 12A.",
    "bai viet cua nguyen van an",
    "NGUYỄN VĂN AN kính gửi",
    "Người viết: Nguyễn\nVăn   An.",
    "(Nguyễn-Văn-An)",
    unicodedata.normalize("NFD", "Tác giả Nguyễn Văn An"),
])
def test_the_full_name_is_found_whatever_the_case_and_diacritics(text):
    assert names_in_text(text, [AUTHOR]) == [AUTHOR]


@pytest.mark.parametrize("text", [
    "Bác Hồ dạy: an toàn là trên hết.",  # "an" alone
    "Tác giả Nguyễn Văn Anh kể lại.",  # a longer name
    "Nguyễn Văn Antoine",
    "Văn An và Nguyễn",
    "",
])
def test_partial_names_and_longer_words_are_not_found(text):
    assert names_in_text(text, [AUTHOR]) == []


def test_a_shorter_name_is_not_found_inside_a_longer_one():
    assert names_in_text("Tác giả Nguyễn Văn Anh", ["Văn An", "Văn Anh"]) == ["Văn Anh"]


def test_one_word_names_are_ignored():
    assert names_in_text("An và Hùng đi học.", ["An", "Hùng", " ", ""]) == []


def test_the_author_and_co_authors_found_in_the_given_order_once_each():
    text = "Nhóm: Trần Thị Bích Ngọc, Lê Hoàng và nguyễn văn an."
    names = [AUTHOR, "Phạm Minh", "Trần Thị Bích Ngọc", AUTHOR, "Lê Hoàng"]
    assert names_in_text(text, names) == [AUTHOR, "Trần Thị Bích Ngọc", "Lê Hoàng"]


def test_d_with_stroke_matches_plain_d():
    assert names_in_text("Tác giả: DANG DUC DUNG", ["Đặng Đức Dũng"]) == ["Đặng Đức Dũng"]
    assert names_in_text("Tác giả: Đặng Đức Dũng", ["Dang Duc Dung"]) == ["Dang Duc Dung"]
