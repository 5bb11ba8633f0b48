"""What the browser fixtures (conftest.py) and the screenshot script share: the live server, how Chromium is found
and launched, the two devices, the watcher that turns console errors and failed requests into test failures, and
small page helpers.

Nothing here imports Playwright at module level, so that collecting the tests works (and skips cleanly) on a
machine without it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

from contest import create_app
from contest.extensions import db, limiter
from contest.units.models import Unit
from tests import factories
from tests.conftest import _empty_tables, base_config

CHROMIUM_MISSING = "Chromium not found: install Debian's chromium package to run browser tests"
REQUIRE_ENV = "CONTEST_REQUIRE_BROWSER"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

DEVICES: dict[str, dict] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}
# The browser asks for English on purpose: the site must still start in Vietnamese.
CONTEXT_OPTIONS = {"locale": "en-US", "timezone_id": "Asia/Ho_Chi_Minh"}
TIMEOUT_MS = 5000

REPO = Path(__file__).resolve().parents[2]
VI_CATALOG = REPO / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.mo"


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() in {"1", "true", "yes"}


def find_chromium() -> str | None:
    return shutil.which("chromium")


def launch_chromium(playwright):
    """Debian's Chromium (Playwright's own download is not available here), headless."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(CHROMIUM_MISSING)
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


def new_context(browser, base_url: str, device: str):
    context = browser.new_context(base_url=base_url, **CONTEXT_OPTIONS, **DEVICES[device])
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    return context


# --- the live server --------------------------------------------------------------------------------------

def live_config(database_path: Path) -> dict:
    """The unit tests' settings with real CSRF, plain-http cookies and no SERVER_NAME (links use the real host)."""
    cfg = base_config("sqlite:///" + str(database_path))
    cfg.pop("SERVER_NAME", None)
    cfg.update(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False,
               UPLOAD_FOLDER=str(database_path.parent / "uploads"))
    return cfg


class _QuietHandler(WSGIRequestHandler):
    """No access log on the test output; server errors are collected from the app's logger instead."""

    def log_request(self, code="-", size="-") -> None:
        pass


def _buffered(app):
    """Answer with the whole body at once. Werkzeug's development server skips closing the response when the
    browser drops the connection at the wrong moment (it raises while draining the socket, before close()), which
    left a static file open and failed a later test with a ResourceWarning."""

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


class _Collect(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(self.format(record))


class LiveServer:
    """The app on 127.0.0.1 and a free port, served by Werkzeug in a background thread (threaded=True).

    It has a SQLite database of its own (a file: the server's threads and the test share it). Tests make data with
    `with server.app_context(): ...` (committed at the end of the block) and start from empty tables (reset()).
    """

    def __init__(self, database_path: Path):
        self.app = create_app(live_config(database_path))
        with self.app.app_context():
            db.create_all()
        self.server_errors: list[str] = []
        self._log_handler = _Collect(self.server_errors)
        self.app.logger.addHandler(self._log_handler)
        self._server = make_server("127.0.0.1", 0, _buffered(self.app), threaded=True, request_handler=_QuietHandler)
        self.host = f"127.0.0.1:{self._server.server_port}"
        self.url = f"http://{self.host}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        self.app.logger.removeHandler(self._log_handler)
        with self.app.app_context():
            db.engine.dispose()

    @contextmanager
    def app_context(self) -> Iterator[None]:
        """Run code against the server's database; what the block adds is committed when it ends."""
        with self.app.app_context():
            try:
                yield
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    def reset(self) -> None:
        """Empty tables, rate-limit counters, the outbox and the collected server errors."""
        with self.app.app_context():
            _empty_tables()
            db.session.remove()
        limiter.reset()
        self.outbox.clear()
        self.server_errors.clear()

    @property
    def outbox(self) -> list:
        return self.app.extensions.setdefault("contest_outbox", [])

    def last_mail_text(self) -> str:
        assert self.outbox, "no mail was sent"
        return self.outbox[-1].get_content()


# --- data -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """What a test needs to know of an account it made (plain values: no ORM object outlives its context)."""

    id: int
    email: str
    password: str
    full_name: str


def make_account(server: LiveServer, unit_id: int, full_name: str, email: str,
                 roles: Iterable[str] = ("member",)) -> Account:
    with server.app_context():
        user = factories.gen_user(email=email, full_name=full_name, roles=tuple(roles),
                                  unit=db.session.get(Unit, unit_id))
        return Account(user.id, user.email, factories.PASSWORD, user.full_name)


# --- what must not happen on a page -----------------------------------------------------------------------

def _is_favicon_probe(url: str) -> bool:
    """Chromium asks for /favicon.ico on its own, now and then, when a page names no icon. The site has none yet;
    that is a missing nicety, not a broken page (an icon the page does name must load like any resource)."""
    return urlsplit(url).path == "/favicon.ico"


class PageProblems:
    """Console errors (CSP violations among them), uncaught script errors, failed requests, server errors.

    Documents answered with 4xx are expected (a wrong password is a 401 page, a refused form a 422); sub-resources
    (CSS, JS, images) must all load, and nothing may answer 5xx.
    """

    # Chromium logs this for any response >= 400, including the expected 4xx documents above.
    _RESOURCE_STATUS = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")

    def __init__(self, server: LiveServer | None = None):
        self.items: list[str] = []
        self._server = server
        self._documents_4xx: set[str] = set()

    def watch(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.items.append(f"uncaught script error: {err.error}"))
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        match = self._RESOURCE_STATUS.match(msg.text)
        url = (msg.location or {}).get("url", "")
        if match and 400 <= int(match.group(1)) < 500 and (url in self._documents_4xx or _is_favicon_probe(url)):
            return
        self.items.append(f"console error: {msg.text} (at {url or 'unknown'})")

    def _on_request_failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the page moved on (a click or goto) before a stylesheet or script finished: not a fault
        self.items.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        status = response.status
        if status < 400:
            return
        if status < 500 and response.request.resource_type == "document":
            self._documents_4xx.add(response.url)
            return
        if status == 404 and _is_favicon_probe(response.url):
            return
        self.items.append(f"HTTP {status}: {response.request.method} {response.url}")

    def all(self) -> list[str]:
        found = list(self.items)
        if self._server is not None:
            found += [f"server error logged: {text}" for text in self._server.server_errors]
        return found

    def assert_none(self) -> None:
        found = self.all()
        assert not found, "problems in the browser or on the server:\n" + "\n".join(found)


# --- page helpers -----------------------------------------------------------------------------------------

def expect(target):
    """Playwright's expect, imported late so that a machine without Playwright can still collect (and skip)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def submit(page) -> None:
    """Press the main form's submit button (the header has a sign-out button too)."""
    page.locator("main form button[type=submit]").click()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    submit(page)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing sticks out sideways).

    Called right after a click that navigates, the old document may be gone and the new one not there yet: wait
    for the page to load (and ask again if a navigation still replaced it under us)."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        except PlaywrightError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def wider_than_screen(page) -> list[str]:
    """Elements whose right edge lies beyond the screen, for a helpful failure message."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 1) {
              out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                       + ' right=' + Math.round(box.right));
            }
          }
          return out.slice(0, 10);
        }"""
    )


def assert_fits_screen(page) -> None:
    extra = horizontal_overflow(page)
    assert extra <= 0, f"{page.url} is {extra}px wider than the screen: {wider_than_screen(page)}"
