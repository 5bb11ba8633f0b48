"""Plain text of an entry and its word count, counted the way Vietnamese writing contests count.

The rule (the browser counter mirrors it exactly): take the plain text of the HTML (every paragraph, heading, list
item, quote and line break starts a new line; entities decoded; NFC), delete the zero-width characters U+200B,
U+200C, U+200D, U+2060 and U+FEFF (they show no gap, so "chữ\u200bnghĩa" reads as one word), then split on
whitespace: tab, line feed, U+000B, U+000C, carriage return, space, U+0085, no-break space U+00A0, U+1680,
U+2000-U+200A, U+2028, U+2029, narrow no-break space U+202F, U+205F and the ideographic space U+3000. Every piece
that contains at least one letter or digit (Unicode categories L and N) is one word, so each Vietnamese syllable
counts once ("Hồ Chí Minh" is 3), and so do "05-CT/TW", "2026" and "t.p."; pieces made only of punctuation or
symbols ("–", "...", an emoji on its own) do not count.
"""

from __future__ import annotations

import re
import unicodedata

from bleach._vendor.html5lib import HTMLParser, getTreeWalker

# Elements that start a new line of plain text.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
})
# Elements whose content is never text a reader sees.
HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title", "textarea", "select",
                         "iframe", "object", "svg", "math"})

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same two classes as JavaScript regular expressions, for the browser counter:
#   text.replace(/[\u200B\u200C\u200D\u2060\uFEFF]/g, "").split(JS_SEPARATOR).filter(t => /[\p{L}\p{N}]/u.test(t))
JS_SEPARATOR = r"/[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/"

_ZERO_WIDTH = re.compile(f"[{ZERO_WIDTH}]")
_SEPARATORS = re.compile(f"[{WHITESPACE}]+")
_INLINE_SPACE = re.compile(f"[{WHITESPACE.replace(chr(10), '')}]+")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


def plain_text(html: str | None) -> str:
    """The text a reader sees: one line per block or line break, runs of spaces (any kind) as one ordinary space,
    no empty lines, entities decoded, NFC."""
    if not html:
        return ""
    tree = HTMLParser(namespaceHTMLElements=False).parseFragment(_CONTROL.sub("", html))
    parts: list[str] = []
    hidden = 0
    for token in getTreeWalker("etree")(tree):
        kind = token["type"]
        if kind in ("StartTag", "EndTag", "EmptyTag"):
            name = token["name"].lower()
            if name in HIDDEN_TAGS and kind != "EmptyTag":
                hidden += 1 if kind == "StartTag" else -1
            elif name in BLOCK_TAGS:
                parts.append("\n")
        elif kind in ("Characters", "SpaceCharacters") and not hidden:
            parts.append(token["data"])
    text = unicodedata.normalize("NFC", "".join(parts))
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def words(text: str) -> list[str]:
    """The words of plain text by the rule in the module docstring, in order."""
    pieces = _SEPARATORS.split(_ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text or "")))
    return [piece for piece in pieces if piece and _has_letter_or_digit(piece)]


def count_words(html_or_text: str | None, *, is_html: bool = True) -> int:
    """How many words the text has (see the module docstring); HTML is reduced to its plain text first."""
    if not html_or_text:
        return 0
    text = plain_text(html_or_text) if is_html else html_or_text
    return len(words(text))


def _has_letter_or_digit(piece: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in piece)
