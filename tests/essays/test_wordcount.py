"""Word counting the way Vietnamese contests count: whitespace-separated syllables of the plain text."""

from __future__ import annotations

import unicodedata

import pytest

from contest.essays.sanitise import clean_html
from contest.essays.wordcount import count_words, plain_text, words


@pytest.mark.parametrize(("source", "expected"), [
    ("<p>a</p><p>b</p>", 2),
    ("<p>Chủ tịch Hồ Chí Minh</p>", 5),
    ("<p>Hồ&nbsp;Chí&nbsp;Minh</p>", 3),
    ("<p><br></p>", 0),
    ("<p></p>", 0),
    ("", 0),
    ("<p>   </p><p>&nbsp;</p>", 0),
    ("<p>dòng một<br>dòng hai</p>", 4),
    ("<p>một<br>hai</p>", 2),
    ("<h2>Tiêu đề</h2><p>Nội dung</p>", 4),
    ("<ul><li>một</li><li>hai</li></ul><ol><li>ba</li></ol>", 3),
    ("<blockquote>trích</blockquote>dẫn", 2),
    ("<p><strong>in</strong> <em>nghiêng</em></p>", 2),
    ("<p><strong>ghép</strong><em>liền</em></p>", 1),  # no space between them: one word on the page
    ("<p>a&amp;b &lt;c&gt;</p>", 2),
    ("<p>&#272;&#7889;ng &#272;a</p>", 2),
    ("<p>– ... — ! ? « »</p>", 0),
    ("<p>Nghị quyết 05-CT/TW năm 2026, t.p. Hà Nội</p>", 8),
    ("<p>😀 🇻🇳 ❤️</p>", 0),
    ("<p>vui😀 quá</p>", 2),
    ("<p>a\tb\nc\r\nd</p>", 4),
    ("<p>a\u202fb\u2007c\u3000d\u2009e\u00a0f</p>", 6),
    ("<p>chữ\u200bnghĩa</p>", 1),  # a zero-width space shows no gap
    ("<p>\u200b</p>", 0),
    ("<p>100%</p>", 1),
    ("<p>³ ½ Ⅻ</p>", 3),  # digits of any kind count
    ("<script>một hai ba</script><p>bốn</p>", 1),
    ("<div>năm</div><div>sáu</div>", 2),
    ("<table><tr><td>ô</td><td>bàn</td></tr></table>", 2),
    ("<p>a<img src='/essays/files/abcdefghijklmnopqrstuvwx' alt='ảnh chân dung'>b</p>", 1),
])
def test_count_words_html(source, expected):
    assert count_words(source) == expected


def test_count_words_plain_text_is_not_parsed():
    assert count_words("<p>a</p> b", is_html=False) == 2  # "<p>a</p>" is one token with letters
    assert count_words("Hồ Chí Minh", is_html=False) == 3
    assert count_words("a &amp; b", is_html=False) == 3  # "&amp;" has letters
    assert count_words("", is_html=False) == 0
    assert count_words(None) == 0


def test_decomposed_text_counts_the_same():
    composed = "Người lính già ở Điện Biên"
    decomposed = unicodedata.normalize("NFD", composed)
    assert count_words(decomposed, is_html=False) == count_words(composed, is_html=False) == 6
    assert words(decomposed) == composed.split()


def test_plain_text():
    assert plain_text("<p>a</p><p>b</p>") == "a\nb"
    assert plain_text("<p>Hồ&nbsp;Chí&nbsp;&nbsp;Minh</p><p><br></p><p>  x  </p>") == "Hồ Chí Minh\nx"
    assert plain_text("<p>dòng<br>mới</p>") == "dòng\nmới"
    assert plain_text("<p>a&amp;b &lt;i&gt;</p>") == "a&b <i>"
    assert plain_text("<p>x<script>y</script><style>z</style>w</p>") == "xw"
    assert plain_text(unicodedata.normalize("NFD", "<p>Điện Biên</p>")) == "Điện Biên"
    assert plain_text("") == ""
    assert plain_text(None) == ""
    assert plain_text("không có thẻ") == "không có thẻ"


def test_sanitising_does_not_change_the_count():
    # Quill writes &nbsp; for every space; the sanitiser turns single ones into spaces: same words either way.
    quill = "<p>Bác&nbsp;Ba&nbsp;&nbsp;năm&nbsp;nay&nbsp;<strong>72</strong>&nbsp;tuổi&nbsp;–&nbsp;vẫn&nbsp;khoẻ.</p>"
    assert count_words(quill) == count_words(clean_html(quill)) == 8


def test_very_long_text():
    paragraph = "<p>" + " ".join(["Người", "lính", "già", "kể", "chuyện", "—", "năm", "1954."] * 25) + "</p>"
    body = paragraph * 400  # 80,000 words
    assert count_words(body) == 7 * 25 * 400
    assert plain_text(body).count("\n") == 399
