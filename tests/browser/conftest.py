"""Browser fixtures, written by hand (no pytest-playwright).

* `live_server` (session): the app with real CSRF on a SQLite file of its own, served on 127.0.0.1:<free port> by
  Werkzeug in a background thread. Each test gets it through `server`, which first empties the tables, the
  rate-limit counters and the outbox; make data with `with server.app_context(): factories.gen_user(...)`.
* `browser` (session): Debian's Chromium, headless, launched once.
* `device`: every test that uses a page runs twice, ids "desktop" (1280x800) and "phone" (390x844, touch, 2x).
* `context` / `page`: a fresh browser context per test (locale en-US: the site must still start in Vietnamese).
  Console errors (CSP violations included), uncaught script errors, failed requests, 5xx answers and errors
  logged by the app fail the test at teardown; a failing test leaves a screenshot and the HTML of its pages in
  test-artifacts/browser/.

Without Chromium (`shutil.which("chromium")` finds nothing) the tests skip; with CONTEST_REQUIRE_BROWSER=1 (CI)
they fail instead.
"""

from __future__ import annotations

import re
import sys

import pytest

from tests import factories
from tests.browser.support import (
    CHROMIUM_MISSING,
    DEVICES,
    REPO,
    REQUIRE_ENV,
    TIMEOUT_MS,
    VI_CATALOG,
    Account,
    LiveServer,
    PageProblems,
    browser_required,
    find_chromium,
    launch_chromium,
    make_account,
    new_context,
)

ARTIFACTS = REPO / "test-artifacts" / "browser"
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def _unavailable(reason: str):
    if browser_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 is set, so browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


# --- session: Chromium, Playwright, the live server -------------------------------------------------------

@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        _unavailable(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def playwright_driver(chromium_executable):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[dev]' to run browser tests")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = launch_chromium(playwright_driver)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium_executable):
    if not VI_CATALOG.exists():
        pytest.fail(f"{VI_CATALOG.relative_to(REPO)} is missing: run `make translations` (the pages are tested "
                    "in Vietnamese)", pytrace=False)
    server = LiveServer(tmp_path_factory.mktemp("live") / "live.db").start()
    yield server
    server.stop()


# --- per test ---------------------------------------------------------------------------------------------

@pytest.fixture
def server(live_server) -> LiveServer:
    """The live server, with empty tables, rate limits, outbox and error log."""
    live_server.reset()
    return live_server


@pytest.fixture(params=list(DEVICES), ids=list(DEVICES))
def device(request) -> str:
    return request.param


@pytest.fixture
def problems(server) -> PageProblems:
    return PageProblems(server)


@pytest.fixture
def context(request, browser, server, device, problems):
    context = new_context(browser, server.url, device)
    problems.watch(context)
    yield context
    report = request.node.stash.get(_CALL_REPORT, None)
    failed = report is not None and report.failed
    if failed:
        _save_artifacts(request.node.nodeid, context)
    context.close()
    if failed:
        if problems.all():
            print("Problems seen during the failed test:\n" + "\n".join(problems.all()), file=sys.stderr)
    elif report is not None and report.passed:
        problems.assert_none()


@pytest.fixture
def page(context):
    return context.new_page()


def _save_artifacts(nodeid: str, context) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")
    for n, open_page in enumerate(context.pages):
        try:
            open_page.screenshot(path=str(ARTIFACTS / f"{stem}-{n}.png"), full_page=True)
            (ARTIFACTS / f"{stem}-{n}.html").write_text(open_page.content(), encoding="utf-8")
        except Exception as exc:  # artifacts are a courtesy: never hide the real failure
            print(f"could not save artifacts of {open_page.url}: {exc}", file=sys.stderr)


# --- data -------------------------------------------------------------------------------------------------

@pytest.fixture
def units(server) -> dict[str, int]:
    """A small tree; several names share words so that filtering has something to leave out."""
    with server.app_context():
        city = factories.gen_unit("Thành phố Hà Nội")
        made = [city, factories.gen_unit("Phường Thạch Bàn", city), factories.gen_unit("Xã Thạch Thất", city),
                factories.gen_unit("Phường Ba Đình", city), factories.gen_unit("Phường Bồ Đề", city)]
        return {unit.name: unit.id for unit in made}


@pytest.fixture
def member(server, units) -> Account:
    return make_account(server, units["Phường Bồ Đề"], "Trần Thị Thu Hương", "thu.huong@example.com")


@pytest.fixture
def admin_account(server, units) -> Account:
    return make_account(server, units["Thành phố Hà Nội"], "Phạm Quốc Dũng", "quantri@example.com", roles=["admin"])
