"""The one sanitiser for HTML written by users (entry texts, contest rules), built on bleach with an explicit allowlist.

What survives, and nothing else:

* elements p, br, h2, h3, h4, strong, b, em, i, u, s, sub, sup, blockquote, ul, ol, li, a, img, hr
  (h1 becomes h2 and h5/h6 become h4, so a pasted title stays a heading below the page's own h1);
* on a: href (http, https or mailto only; "www.example.vn" and "//example.vn" become https links, anything else
  loses the link but keeps its text) and title; every link gets rel="noopener nofollow" and target="_blank";
* on img: src only when it is one of our uploads (`/essays/files/<key>`), and alt; any other image is removed;
* on p, h2-h4, li, blockquote: class only when it is exactly one of Quill's alignment classes
  (ql-align-center, ql-align-right, ql-align-justify), so centred titles and poems keep their layout.

No style, id, data-* or event attributes. Other elements are removed with their text kept, except script, style,
template, iframe, object, embed, svg, math (and the other raw-text or embedding elements in `_DROP_WITH_CONTENT`)
which go with everything inside them. Comments are removed, text is NFC-normalised per text node, control
characters and lone surrogates are removed, and a single non-breaking space between words becomes an ordinary space
(Quill 2's getSemanticHTML writes every space as &nbsp;, which would stop lines from wrapping on a phone; runs of
two or more are kept so deliberate indentation survives a round trip through the editor).

The output is idempotent: `clean_html(clean_html(x)) == clean_html(x)`. The parser can build a tree whose
serialisation parses into a slightly different tree (a list left inside a paragraph once a table around it is
stripped, for instance), so cleaning repeats until the output no longer changes (at most a few rounds; every round's
output is already safe). The sanitised HTML must be stored and shown as it is: do not NFC-normalise or whitespace-
collapse the markup afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from bleach import html5lib_shim
from bleach._vendor.html5lib.filters.base import Filter
from bleach._vendor.html5lib.serializer import HTMLSerializer
from bleach.sanitizer import BleachSanitizerFilter
from flask_babel import lazy_gettext as _l

from contest.core.errors import Invalid

#: The largest input accepted, in characters (an essay of 1,500 words is about 10-20 thousand).
MAX_INPUT_CHARS = 300_000

ALLOWED_TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "ul", "ol", "li",
    "a", "img", "hr",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt"],
    "p": ["class"], "h2": ["class"], "h3": ["class"], "h4": ["class"], "li": ["class"], "blockquote": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
ALLOWED_CLASSES = frozenset({"ql-align-center", "ql-align-right", "ql-align-justify"})
LINK_REL = "noopener nofollow"
LINK_TARGET = "_blank"

_RENAMED = {"h1": "h2", "h5": "h4", "h6": "h4"}
# Removed together with everything inside them.
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "noscript", "noembed", "noframes", "xmp", "title", "textarea", "select", "head", "plaintext",
})
# Tags the parser treats as elements; bleach's tokenizer turns every other tag into (stripped) text before the tree
# is built, so the browser re-parsing our output sees the same structure we cleaned.
_PARSED_TAGS = ALLOWED_TAGS | _DROP_WITH_CONTENT | frozenset(_RENAMED)

UPLOAD_PATH = "/essays/files/"
_KEY = r"[A-Za-z0-9_-]{20,64}"
_OWN_UPLOAD = re.compile(r"/essays/files/(" + _KEY + r")")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_URL_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]")
_LONE_NBSP = re.compile(r"(?<![ \u00a0])\u00a0(?![ \u00a0])")
_BARE_HOST = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?::\d{1,5})?(?:[/?#]|$)")
_MAX_ROUNDS = 4
_URL_ESCAPES = str.maketrans({" ": "%20", '"': "%22", "'": "%27", "<": "%3C", ">": "%3E", "`": "%60"})


def is_own_upload_url(url: str | None) -> bool:
    """True only for the exact path of one of our uploaded files: `/essays/files/<key>`, nothing before or after."""
    return isinstance(url, str) and _OWN_UPLOAD.fullmatch(url) is not None


def attachment_keys(html: str | None) -> set[str]:
    """The keys of our uploads shown as images in (clean) HTML."""
    if not html:
        return set()
    keys: set[str] = set()
    for token in _walk(html):
        if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "img":
            src = token["data"].get((None, "src"))
            if is_own_upload_url(src):
                keys.add(src[len(UPLOAD_PATH):])
    return keys


def clean_html(html: str | None) -> str:
    """The safe form of user HTML (see the module docstring); "" for None or empty input.

    Raises Invalid (code "too_long") for input over MAX_INPUT_CHARS characters, before any parsing.
    """
    if html is None:
        return ""
    if not isinstance(html, str):
        raise TypeError("clean_html expects a str")
    if len(html) > MAX_INPUT_CHARS:
        raise Invalid(_l("The text is too long to be saved (more than %(limit)s characters including formatting).",
                         limit=f"{MAX_INPUT_CHARS:,}".replace(",", ".")), code="too_long")
    out = _clean_once(html)
    for _round in range(_MAX_ROUNDS):
        again = _clean_once(out)
        if again == out:
            break
        out = again
    return out


def safe_link(href: str | None) -> str | None:
    """The href a link may keep (entities already decoded), normalised; None when the link must go."""
    if not href:
        return None
    value = _CONTROL.sub("", href).strip(" \t\n\r\f\u00a0")
    # Spaces as pasted, and characters that only matter to HTML, are percent-encoded (the link is the same).
    value = value.translate(_URL_ESCAPES)
    if not value or _URL_SPACE.search(value):
        # Tabs, newlines or invisible characters inside: browsers strip some of them ("java\tscript:"), and an
        # honest link never has them. (Plain spaces, as pasted, are encoded.)
        return None
    if value.startswith("//"):
        value = "https:" + value
    elif ":" not in value.split("/", 1)[0] and _BARE_HOST.match(value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_PROTOCOLS:
        return None
    if scheme in ("http", "https") and not parts.netloc:
        return None
    if scheme == "mailto" and "@" not in parts.path:
        return None
    return value[: len(parts.scheme)].lower() + value[len(parts.scheme):]


# --- the machinery ------------------------------------------------------------------------------------------

def _parser():
    return html5lib_shim.BleachHTMLParser(tags=_PARSED_TAGS, strip=True, consume_entities=True,
                                          namespaceHTMLElements=False)


def _walk(html: str):
    return html5lib_shim.getTreeWalker("etree")(_parser().parseFragment(_CONTROL.sub("", html)))


_SERIALIZER = HTMLSerializer(quote_attr_values="always", omit_optional_tags=False, resolve_entities=False,
                             sanitize=False, alphabetical_attributes=True, escape_lt_in_attrs=True,
                             use_trailing_solidus=False, minimize_boolean_attributes=False)


def _clean_once(html: str) -> str:
    if not html:
        return ""
    stream = _Prune(_walk(html))
    stream = _Sanitizer(source=stream, allowed_tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        allowed_protocols=ALLOWED_PROTOCOLS, strip_disallowed_tags=True,
                        strip_html_comments=True)
    return _SERIALIZER.render(_Finish(stream))


class _Prune(Filter):
    """Drops dangerous elements with all their content, renames h1/h5/h6 and drops anything not in HTML's
    namespace (only svg and math can produce such elements, and they are already gone)."""

    def __iter__(self):
        skipping = 0
        for token in super().__iter__():
            kind = token["type"]
            if skipping:
                if kind == "StartTag":
                    skipping += 1
                elif kind == "EndTag":
                    skipping -= 1
                continue
            if kind in ("StartTag", "EndTag", "EmptyTag"):
                name = token["name"].lower()
                if name in _DROP_WITH_CONTENT or token.get("namespace") not in (None, html5lib_shim.namespaces["html"]):
                    if kind == "StartTag":
                        skipping = 1
                    continue
                token["name"] = _RENAMED.get(name, name)
            elif kind == "Doctype":
                continue
            yield token


class _Sanitizer(BleachSanitizerFilter):
    """bleach's allowlist filter; text arrives with entities already decoded, so it is only cleaned here and
    escaped by the serializer (bleach's default would turn a literal "&lt;" typed by the writer into "<")."""

    def sanitize_characters(self, token):
        token["data"] = _CONTROL.sub("", token.get("data", ""))
        return token


class _Finish(Filter):
    """Checks and normalises the values of the attributes bleach let through, and the text."""

    def __iter__(self):
        dropped_links: list[bool] = []
        for token in super().__iter__():
            kind = token["type"]
            name = token.get("name")
            if kind == "Characters" or kind == "SpaceCharacters":
                data = unicodedata.normalize("NFC", token["data"])
                token["data"] = _LONE_NBSP.sub(" ", data)
                if not token["data"]:
                    continue
                token["type"] = "Characters"
            elif kind in ("StartTag", "EmptyTag"):
                attrs = token.get("data") or {}
                if name == "a":
                    href = safe_link(attrs.get((None, "href")))
                    dropped_links.append(href is None)
                    if href is None:
                        continue
                    new = {(None, "href"): href}
                    title = _text_attr(attrs.get((None, "title")))
                    if title:
                        new[(None, "title")] = title
                    new[(None, "rel")] = LINK_REL
                    new[(None, "target")] = LINK_TARGET
                    token["data"] = new
                elif name == "img":
                    src = attrs.get((None, "src"))
                    if not is_own_upload_url(src):
                        continue
                    new = {(None, "src"): src}
                    alt = _text_attr(attrs.get((None, "alt")))
                    new[(None, "alt")] = alt
                    token["data"] = new
                    token["type"] = "EmptyTag"
                else:
                    cls = (attrs.get((None, "class")) or "").strip()
                    token["data"] = {(None, "class"): cls} if cls in ALLOWED_CLASSES else {}
            elif kind == "EndTag" and name == "a" and dropped_links and dropped_links.pop():
                continue
            yield token


def _text_attr(value: str | None) -> str:
    if not value:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", _CONTROL.sub("", value))).strip()[:500]
