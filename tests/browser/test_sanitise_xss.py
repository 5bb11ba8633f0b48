"""The sanitised XSS corpus in a real browser, with no Content-Security-Policy to help: nothing may run.

Every vector of tests/essays/xss_corpus.py is cleaned with `clean_html` and put in a page served from a fake origin
(https://essays.test/, so relative URLs resolve as on the site). A trap set before any content loads records calls of
alert/confirm/prompt/print, writes to `window.__xss`, uncaught script errors and every request leaving the page
(only our own upload URLs are answered). The page is checked after load, after hovering, focusing and clicking
every element, and after inserting each sanitised vector again through innerHTML (the path editors use).
A control test proves the trap fires on unsanitised HTML, so silence means something.
"""

from __future__ import annotations

import base64
import html

import pytest

from contest.essays.sanitise import clean_html
from tests.browser.support import CONTEXT_OPTIONS, TIMEOUT_MS
from tests.essays import xss_corpus

pytestmark = pytest.mark.browser

ORIGIN = "https://essays.test"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

TRAP = """
(() => {
  const log = [];
  const hit = (name) => function (...args) { log.push(name + "(" + args.join(",") + ")"); };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    Object.defineProperty(window, name, {value: hit(name), writable: false, configurable: false});
  }
  Object.defineProperty(window, "__xss", {get: () => undefined, set: (v) => log.push("__xss=" + v),
                                          configurable: false});
  // Script errors only (ErrorEvent); images failing to load fire plain "error" events, and so does INTERACT.
  window.addEventListener("error", (e) => { if (e instanceof ErrorEvent) log.push("error: " + e.message); }, true);
  Object.defineProperty(window, "__xssLog", {value: () => log.slice(), configurable: false});
})();
"""

INTERACT = """
async (settle = 300) => {
  const all = Array.from(document.querySelectorAll("body *"));
  for (const el of all) {
    for (const type of ["mouseover", "mouseenter", "pointerover", "pointerenter", "mousemove", "focus", "focusin",
                        "animationstart", "toggle", "load", "error"]) {
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
    if (typeof el.focus === "function") el.focus();
    // Links only lead to http(s)/mailto pages, which would open tabs; everything else is clicked.
    if (!el.closest("a")) el.click();
  }
  await new Promise((r) => setTimeout(r, settle));
  return all.length;
}
"""

REINSERT = """
async (fragments) => {
  const host = document.createElement("div");
  document.body.appendChild(host);
  for (const fragment of fragments) {
    const box = document.createElement("div");
    box.innerHTML = fragment;
    host.appendChild(box);
  }
  await new Promise((r) => setTimeout(r, 500));
  return host.querySelectorAll("*").length;
}
"""


def _document(fragments: list[str]) -> str:
    cases = "\n".join(f'<section data-case="{i}">{fragment}</section>' for i, fragment in enumerate(fragments))
    return ("<!doctype html><html lang=vi><head><meta charset=utf-8><title>corpus</title></head>"
            f"<body>{cases}</body></html>")


@pytest.fixture
def trapped_page(browser):
    """A page of our own (the shared `page` fixture needs the live server and fails on console errors, and the
    images of this corpus are meant to fail)."""
    context = browser.new_context(**CONTEXT_OPTIONS, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TRAP)
    state = {"document": "", "requests": [], "popups": []}

    def handle(route):
        url = route.request.url
        if url == ORIGIN + "/":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=state["document"])
        elif url.startswith(ORIGIN + "/essays/files/"):
            route.fulfill(status=200, content_type="image/png", body=PNG_1PX)
        else:
            state["requests"].append(url)
            route.abort()

    context.route("**/*", handle)
    page = context.new_page()
    page.on("popup", lambda popup: state["popups"].append(popup.url))
    page.on("pageerror", lambda error: state["requests"].append(f"pageerror: {error}"))
    yield page, state
    context.close()


def _load(page, state, fragments: list[str], settle_ms: int = 300) -> None:
    state["document"] = _document(fragments)
    page.goto(ORIGIN + "/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(settle_ms)


def test_the_trap_catches_unsanitised_html(trapped_page):
    page, state = trapped_page
    raw = ['<img src="x" onerror="window.__xss=1">', "<script>alert(2)</script>", '<p onmouseover="confirm(3)">p</p>',
           '<link rel="stylesheet" href="https://evil.example/x.css">']
    _load(page, state, raw)
    page.evaluate(INTERACT)
    log = page.evaluate("window.__xssLog()")
    assert "__xss=1" in log and "alert(2)" in log and "confirm(3)" in log
    assert "https://evil.example/x.css" in state["requests"]


def test_no_sanitised_vector_runs_in_a_browser(trapped_page):
    page, state = trapped_page
    cleaned = [clean_html(vector) for vector in xss_corpus.ALL]
    _load(page, state, cleaned)
    assert page.locator("section[data-case]").count() == len(cleaned)
    elements = page.evaluate(INTERACT)
    assert elements > len(cleaned)
    inserted = page.evaluate(REINSERT, cleaned)
    assert inserted > 0
    page.evaluate(INTERACT)
    assert page.evaluate("window.__xssLog()") == []
    assert state["requests"] == [] and state["popups"] == []
    # What is left is text and harmless markup: every element in the document is on the allowlist.
    tags = set(page.evaluate("Array.from(document.querySelectorAll('section *')).map(e => e.localName)"))
    assert tags <= set(xss_corpus.ALLOWED_TAGS), tags - set(xss_corpus.ALLOWED_TAGS)
    assert page.evaluate("Array.from(document.querySelectorAll('section *')).flatMap(e => "
                         "Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on'))") == []


def test_each_vector_alone(trapped_page):
    """One page per vector as well, so a vector that breaks the page for the others cannot hide them."""
    page, state = trapped_page
    for vector in xss_corpus.ALL:
        _load(page, state, [clean_html(vector)], settle_ms=20)
        page.evaluate(INTERACT, 20)
        assert page.evaluate("window.__xssLog()") == [], html.escape(vector)
        assert state["requests"] == [], vector
    assert state["popups"] == []
