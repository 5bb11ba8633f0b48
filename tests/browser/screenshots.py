"""Screenshots of the main pages on a desktop and a phone, for looking at the layout by eye.

    .venv/bin/python -m tests.browser.screenshots [--out screenshots] [--lang vi|en]

Starts the app on a throw-away SQLite database filled with the demo data (contest.demo), signs in as the demo
administrator for the pages that need it, and writes full-page PNGs named <device>-<page>.png (the screenshots/
folder is git-ignored). It also prints, per page, whether anything sticks out sideways, and any console error or
failed request, so a glance at the output tells what to look at.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.browser.support import (
    CHROMIUM_MISSING,
    DEVICES,
    REPO,
    LiveServer,
    PageProblems,
    find_chromium,
    horizontal_overflow,
    launch_chromium,
    new_context,
    sign_in,
    wider_than_screen,
)

ANONYMOUS_PAGES = [("home", "/"), ("register", "/register"), ("login", "/login"), ("forgot", "/password/forgot")]
ADMIN_PAGES = [("home-signed-in", "/"), ("account", "/account"), ("admin", "/admin/"),
               ("admin-users", "/admin/users"), ("admin-units", "/admin/units/")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    args = parser.parse_args(argv)
    if find_chromium() is None:
        print(CHROMIUM_MISSING, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from contest import demo
    from contest.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    args.out.mkdir(parents=True, exist_ok=True)
    admin_email = next(a["email"] for a in DEMO_ACCOUNTS if "admin" in a["roles"])
    trouble = 0
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "screens.db").start()
        try:
            with server.app_context():
                demo.seed()
            with sync_playwright() as driver:
                browser = launch_chromium(driver)
                for device in DEVICES:
                    context = new_context(browser, server.url, device)
                    context.add_cookies([{"name": "lang", "value": args.lang, "url": server.url}])
                    problems = PageProblems(server)
                    problems.watch(context)
                    page = context.new_page()
                    for name, path in ANONYMOUS_PAGES:
                        trouble += _shoot(page, device, name, path, args.out)
                    sign_in(page, admin_email, DEMO_PASSWORD)
                    page.wait_for_load_state()
                    for name, path in ADMIN_PAGES:
                        trouble += _shoot(page, device, name, path, args.out)
                    context.close()
                    for problem in problems.all():
                        print(f"  {device}: {problem}")
                        trouble += 1
                browser.close()
        finally:
            server.stop()
    print(f"Screenshots in {args.out}" + (f"; {trouble} thing(s) to look at" if trouble else ""))
    return 1 if trouble else 0


def _shoot(page, device: str, name: str, path: str, out: Path) -> int:
    response = page.goto(path)
    status = response.status if response else "?"
    target = out / f"{device}-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    extra = horizontal_overflow(page)
    note = f"  {extra}px too wide: {wider_than_screen(page)}" if extra > 0 else ""
    print(f"{device:8} {path:18} HTTP {status}  -> {target.name}{note}")
    return 1 if extra > 0 or status != 200 else 0


if __name__ == "__main__":
    sys.exit(main())
