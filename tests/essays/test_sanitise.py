"""The sanitiser: every known XSS vector comes out harmless, and what writers really write survives."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
from bleach._vendor.html5lib import HTMLParser, getTreeWalker

from contest.core.errors import Invalid
from contest.essays import sanitise
from contest.essays.sanitise import attachment_keys, clean_html, is_own_upload_url, safe_link
from tests.essays import xss_corpus

KEY = "abcdefghijklmnopqrstuvwx"
OTHER_KEY = "Zy-_0123456789abcdefghijklmnop"
ALLOWED_ATTRS = {"a": {"href", "title", "rel", "target"}, "img": {"src", "alt"}, "p": {"class"}, "h2": {"class"},
                 "h3": {"class"}, "h4": {"class"}, "li": {"class"}, "blockquote": {"class"}}


def problems(output: str) -> list[str]:
    """Everything in `output`, parsed the way a browser parses it, that could run script or load a foreign thing."""
    found = []
    tree = HTMLParser(namespaceHTMLElements=False).parseFragment(output)
    for token in getTreeWalker("etree")(tree):
        kind = token["type"]
        if kind == "Comment":
            found.append(f"comment {token['data']!r}")
        if kind not in ("StartTag", "EmptyTag"):
            continue
        name = token["name"]
        if token.get("namespace") not in (None, "http://www.w3.org/1999/xhtml"):
            found.append(f"foreign element {name}")
        if name not in xss_corpus.ALLOWED_TAGS:
            found.append(f"element {name}")
        for (_ns, attr), value in token["data"].items():
            if attr.lower().startswith("on"):
                found.append(f"handler {attr} on {name}")
            if attr not in ALLOWED_ATTRS.get(name, set()):
                found.append(f"attribute {attr} on {name}")
            if attr == "href":
                squeezed = re.sub(r"[\x00-\x20\x7f-\x9f]", "", html.unescape(value)).lower()
                if not re.match(r"(https?://|mailto:)", squeezed):
                    found.append(f"href {value!r}")
            if attr == "src" and not re.fullmatch(r"/essays/files/[A-Za-z0-9_-]{20,64}", value):
                found.append(f"src {value!r}")
            if attr == "class" and value not in sanitise.ALLOWED_CLASSES:
                found.append(f"class {value!r}")
    return found


@pytest.mark.parametrize("vector", xss_corpus.ALL)
def test_no_vector_survives(vector):
    out = clean_html(vector)
    assert problems(out) == [], out
    assert clean_html(out) == out
    # A second, independent look at the raw string: every "<" opens or closes an allowed tag (text and
    # attribute values carry "&lt;"), and there is no comment, CDATA or processing instruction.
    for match in re.finditer("<", out):
        assert re.match(r"</?(" + "|".join(xss_corpus.ALLOWED_TAGS) + r")[ >]", out[match.start():]), out


def test_the_corpus_is_large_and_the_checker_catches_what_it_should():
    assert len(xss_corpus.ALL) >= 60
    assert len(set(xss_corpus.ALL)) == len(xss_corpus.ALL)
    # The checker itself must see the dangers, or the test above proves nothing.
    assert problems("<script>alert(1)</script>")
    assert problems('<p onclick="x">y</p>')
    assert problems('<a href="java&#x09;script:alert(1)">x</a>')
    assert problems('<img src="x">')
    assert problems("<svg></svg>")
    assert problems('<p style="x">y</p>')
    assert problems("<!-- x -->")
    assert problems('<a href="https://x.vn" rel="noopener nofollow" target="_blank">ok</a>') == []


@pytest.mark.parametrize("vector", [
    "<script>window.__xss=1</script>",
    "<style>body{background:red}</style>",
    "<template><p>hidden</p></template>",
    "<iframe>inside</iframe>",
    "<object>inside</object>",
    "<svg><text>inside</text></svg>",
    "<math><mi>inside</mi></math>",
    "<noscript>inside</noscript>",
    "<textarea>inside</textarea>",
])
def test_dangerous_elements_go_with_their_content(vector):
    assert clean_html(vector + "<p>after</p>") == "<p>after</p>"


def test_other_unknown_elements_keep_their_text():
    assert clean_html("<span>Xin</span> <font color=red>chào</font> <code>bạn</code>") == "Xin chào bạn"
    assert clean_html("<table><tr><td>Ô</td></tr></table>").strip() == "Ô"
    assert clean_html("<div>một</div><div>hai</div>").split() == ["một", "hai"]


def test_allowed_formatting_is_kept():
    source = ('<h2>Tấm gương</h2><h3>Phần 1</h3><h4>Mục a</h4><p><strong>đậm</strong> <b>b</b> <em>nghiêng</em> '
              "<i>i</i> <u>gạch</u> <s>xoá</s> H<sub>2</sub>O x<sup>2</sup></p><blockquote>Trích dẫn</blockquote>"
              "<ul><li>một</li><li>hai</li></ul><ol><li>ba</li></ol><hr><p>dòng<br>mới</p><p><br></p>")
    assert clean_html(source) == source


def test_headings_are_kept_below_the_page_title():
    assert clean_html("<h1>Tiêu đề</h1><h5>nhỏ</h5><h6>nhỏ hơn</h6>") == "<h2>Tiêu đề</h2><h4>nhỏ</h4><h4>nhỏ hơn</h4>"


def test_only_alignment_classes_survive():
    assert clean_html('<p class="ql-align-center">Thơ</p>') == '<p class="ql-align-center">Thơ</p>'
    assert clean_html('<h2 class="ql-align-right" id="x">T</h2>') == '<h2 class="ql-align-right">T</h2>'
    assert clean_html('<p class="ql-indent-1">x</p>') == "<p>x</p>"
    assert clean_html('<p class="ql-align-center evil">x</p>') == "<p>x</p>"
    assert clean_html('<strong class="ql-align-center">x</strong>') == "<strong>x</strong>"
    assert clean_html('<p style="text-align:center" data-x="1" id="a">x</p>') == "<p>x</p>"


def test_links_get_rel_and_target_and_only_safe_schemes():
    assert clean_html('<a href="https://vnexpress.net/a?b=1&amp;c=2" title="Báo">tin</a>') == (
        '<a href="https://vnexpress.net/a?b=1&amp;c=2" rel="noopener nofollow" target="_blank" title="Báo">tin</a>')
    # Quill writes its own rel and target: ours replace them.
    assert clean_html('<a href="http://x.vn" rel="opener" target="_top">x</a>') == (
        '<a href="http://x.vn" rel="noopener nofollow" target="_blank">x</a>')
    assert clean_html('<a href="mailto:ban@to.vn">thư</a>') == (
        '<a href="mailto:ban@to.vn" rel="noopener nofollow" target="_blank">thư</a>')
    # Typed without a scheme: a web address.
    assert 'href="https://www.chinhphu.vn/x"' in clean_html('<a href="www.chinhphu.vn/x">x</a>')
    assert 'href="https://hanoi.gov.vn"' in clean_html('<a href="//hanoi.gov.vn">x</a>')
    # Anything else loses the link and keeps the words.
    for href in ("/admin", "#top", "ftp://x.vn/f", "tel:0912345678", "javascript:alert(1)", "https://", "mailto:",
                 "", "ttps://x.vn"):
        assert clean_html(f'<a href="{href}">chữ</a>') == "chữ", href
    assert clean_html("<a>chữ</a>") == "chữ"


def test_safe_link():
    assert safe_link("HTTPS://Example.VN/Path") == "https://Example.VN/Path"
    assert safe_link("  https://x.vn  ") == "https://x.vn"
    assert safe_link("java\tscript:alert(1)") is None
    assert safe_link("https://x.vn/a b") == "https://x.vn/a%20b"
    assert safe_link("java script:alert(1)") is None
    assert safe_link("https://x.vn/?q=\"'<>`") == "https://x.vn/?q=%22%27%3C%3E%60"
    assert safe_link("https://x\u200b.vn") is None
    assert safe_link(None) is None


def test_images_only_from_our_uploads():
    ours = f'<img src="/essays/files/{KEY}" alt="Ảnh chân dung">'
    assert clean_html(ours) == f'<img alt="Ảnh chân dung" src="/essays/files/{KEY}">'
    assert clean_html(f'<p>a<img src="/essays/files/{KEY}" width="10" height="9" style="x" class="ql-x">b</p>') == (
        f'<p>a<img alt="" src="/essays/files/{KEY}">b</p>')
    for src in ("https://evil.example/x.png", f"https://evil.example/essays/files/{KEY}", f"/essays/files/{KEY}?x=1",
                f"/essays/files/{KEY}/", f"//evil.example/essays/files/{KEY}", "/essays/files/short",
                f"/essays/files/{KEY}%2F..", "data:image/png;base64,iVBORw0KGgo=", f"/essays/files/{KEY}#x",
                f" /essays/files/{KEY}"):
        assert clean_html(f'<p>x<img src="{src}">y</p>') == "<p>xy</p>", src


def test_is_own_upload_url_and_attachment_keys():
    assert is_own_upload_url(f"/essays/files/{KEY}")
    assert is_own_upload_url("/essays/files/" + "a" * 64)
    assert not is_own_upload_url("/essays/files/" + "a" * 65)
    assert not is_own_upload_url("/essays/files/" + "a" * 19)
    assert not is_own_upload_url(f"/essays/files/{KEY}\n")
    assert not is_own_upload_url(None)
    body = clean_html(f'<p><img src="/essays/files/{KEY}"></p><p><img src="/essays/files/{OTHER_KEY}" alt="x">'
                      f'<img src="/essays/files/{KEY}"><img src="https://x.vn/essays/files/{KEY}z"></p>'
                      f'<a href="https://x.vn/essays/files/{KEY}zz">x</a>')
    assert attachment_keys(body) == {KEY, OTHER_KEY}
    assert attachment_keys("") == set()
    assert attachment_keys(None) == set()


def test_vietnamese_text_is_kept_and_nfc():
    decomposed = unicodedata.normalize("NFD", "Người lính già ở Điện Biên Phủ kể chuyện")
    out = clean_html(f"<p>{decomposed}</p>")
    assert out == "<p>Người lính già ở Điện Biên Phủ kể chuyện</p>"
    assert unicodedata.is_normalized("NFC", out)
    # Entities decode to the same composed letters.
    assert clean_html("<p>Ha&#768; N&ocirc;&#803;i</p>") == "<p>Hà Nội</p>"
    assert clean_html("<p>&amp;lt; a &lt; b &gt; c &amp; d</p>") == "<p>&amp;lt; a &lt; b &gt; c &amp; d</p>"


def test_quill_output_keeps_its_shape_and_wraps():
    quill = ('<p>Bác&nbsp;Ba&nbsp;năm&nbsp;nay&nbsp;<strong>72</strong>&nbsp;tuổi.</p><p><br></p>'
             '<p>&nbsp;&nbsp;&nbsp;&nbsp;Thụt&nbsp;đầu&nbsp;dòng</p><ol><li>một</li><li>hai</li></ol>')
    out = clean_html(quill)
    assert out == ("<p>Bác Ba năm nay <strong>72</strong> tuổi.</p><p><br></p>"
                   "<p>\xa0\xa0\xa0\xa0Thụt đầu dòng</p><ol><li>một</li><li>hai</li></ol>")


def test_control_characters_and_lone_surrogates_are_removed():
    assert clean_html("<p>a\x00b\x07c\ud800d\x85e</p>") == "<p>abcde</p>"
    assert clean_html("<p>tab\tand\nnewline</p>") == "<p>tab\tand\nnewline</p>"


def test_idempotent_on_awkward_structures():
    for source in ["<p><table><tr><td><ul><li>a</li></ul></td></tr></table></p>", "<p><h2>x</h2></p>",
                   "<a href='https://a.vn'><a href='https://b.vn'>x</a></a>", "<ul><p>x</p><li>y</ul>",
                   "<b><p>x</b>y</p>", "<p>é</p>\u0301", "<b>a</b>\u0338", "<li>lẻ</li>", "</p>",
                   "<blockquote><h2><li>x</blockquote>", "<strong><em>a</strong>b</em>"]:
        once = clean_html(source)
        assert clean_html(once) == once, source
        assert problems(once) == []


def test_empty_and_none():
    assert clean_html("") == ""
    assert clean_html(None) == ""
    assert clean_html("   ") == "   "
    with pytest.raises(TypeError):
        clean_html(b"<p>x</p>")


def test_oversized_input_is_refused_before_parsing():
    with pytest.raises(Invalid) as caught:
        clean_html("<p>" + "a" * sanitise.MAX_INPUT_CHARS + "</p>")
    assert caught.value.code == "too_long"
    assert "300.000" in str(caught.value.message)
    # Just under the limit is fine.
    long_essay = "<p>" + "chữ " * ((sanitise.MAX_INPUT_CHARS - 10) // 4) + "</p>"
    assert clean_html(long_essay).startswith("<p>chữ chữ")


def test_random_tag_soup_comes_out_safe_and_stable():
    """Seeded random mixtures of markup fragments and corpus vectors: always safe, always idempotent."""
    import random

    rng = random.Random(2026)
    pieces = ["<p>", "</p>", "<a href='https://x.vn'>", "</a>", "<b>", "</b>", "<em>", "</em>", "<ul>", "<li>", "</li>",
              "</ul>", "<ol>", "<h1>", "<h2>", "</h2>", "<table>", "<td>", "</table>", "<div>", "</div>",
              "<blockquote>", "</blockquote>", "<br>", "<hr>", f"<img src='/essays/files/{KEY}'>", "<svg>", "<math>",
              "<style>", "</style>", "<script>", "</script>", "<!--", "-->", "<textarea>", "<noscript>", "<select>",
              "<form>", "<template>", "</template>", "<![CDATA[", "]]>", "<plaintext>", "<p title='", "'>", "&nbsp;",
              "&amp;", "&lt;", "\u0301", "\u0338", "\xa0", " ", "chữ", "<", ">", '"', "'", *xss_corpus.ALL]
    for _ in range(800):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        out = clean_html(source)
        assert problems(out) == [], source
        assert clean_html(out) == out, source
