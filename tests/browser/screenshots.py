"""Screenshots of the main pages on a desktop and a phone, for looking at the layout by eye.

    .venv/bin/python -m tests.browser.screenshots [--out screenshots] [--lang vi|en]

Starts the app on a throw-away SQLite database filled with the demo data (contest.demo, with its quiz contest: a
closed, an open and an upcoming round), and writes full-page PNGs named <device>-<page>.png (the screenshots/ folder
is git-ignored): the public pages signed out, the administration as the demo administrator, the quiz as the demo
member (who starts the open round: the answer sheet in both display modes) and the organiser's results, report
and question bank pages as the demo organiser (the import page also with a refused file). It also prints, per page,
whether anything sticks out sideways, and any console error or failed request, so a glance at the output tells what
to look at.
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

ANONYMOUS_PAGES = [("home", "/"), ("register", "/register"), ("login", "/login"), ("forgot", "/password/forgot"),
                   ("contests", "/contests"), ("contest", "/contests/{slug}"), ("round-closed", "/rounds/{closed}"),
                   ("leaderboard", "/rounds/{closed}/leaderboard"), ("units", "/rounds/{closed}/units")]
ADMIN_PAGES = [("home-signed-in", "/"), ("account", "/account"), ("admin", "/admin/"),
               ("admin-users", "/admin/users"), ("admin-units", "/admin/units/")]
MEMBER_PAGES = [("member-home", "/"), ("member-contest", "/contests/{slug}"), ("member-round-open", "/rounds/{open}"),
                ("member-round-closed", "/rounds/{closed}"), ("member-result-review", "/attempts/{closed_attempt}"),
                ("member-leaderboard", "/rounds/{closed}/leaderboard"),
                ("member-leaderboard-live", "/rounds/{open}/leaderboard"), ("member-units", "/rounds/{closed}/units")]
ORGANISER_PAGES = [("org-contest", "/contests/{slug}"), ("org-round", "/rounds/{open}"),
                   ("org-results", "/organiser/rounds/{closed}/results"),
                   ("org-results-open", "/organiser/rounds/{open}/results"),
                   ("org-report", "/organiser/rounds/{closed}/report"),
                   ("org-round-edit", "/organiser/rounds/{open}/edit"),
                   ("bank", "/organiser/questions/"), ("bank-search", "/organiser/questions/?q=ho+chi+minh"),
                   ("bank-question", "/organiser/questions/{question}"),
                   ("bank-edit", "/organiser/questions/{question}/edit"),
                   ("bank-new", "/organiser/questions/new"), ("bank-import", "/organiser/questions/import")]
# A file with bad rows, to see the import page's list of problems.
BAD_IMPORT = ("topic,difficulty,kind,text,option_a,option_b,option_c,correct,status\n"
              "Cuộc đời và sự nghiệp,1,single,,Một,Hai,,a,approved\n"
              "Đạo đức Hồ Chí Minh,5,single,Câu hỏi có đáp án không tồn tại?,Một,Hai,,d,approved\n"
              "Phong cách Hồ Chí Minh,2,single,Một câu hỏi khá dài để xem bảng lỗi trên điện thoại hiển thị ra sao?,"
              "Một,Một,,a,approved\n")


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
    from contest.quiz.demo import DEMO_MEMBER

    args.out.mkdir(parents=True, exist_ok=True)
    admin_email = next(a["email"] for a in DEMO_ACCOUNTS if "admin" in a["roles"])
    organiser_email = next(a["email"] for a in DEMO_ACCOUNTS if "organiser" in a["roles"])
    trouble = 0
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(Path(tmp) / "screens.db").start()
        bad_file = Path(tmp) / "cau-hoi-loi.csv"
        bad_file.write_text(BAD_IMPORT, encoding="utf-8")
        try:
            with server.app_context():
                demo.seed()
                ids = _demo_ids()
            with sync_playwright() as driver:
                browser = launch_chromium(driver)
                for device in DEVICES:
                    context = new_context(browser, server.url, device)
                    context.add_cookies([{"name": "lang", "value": args.lang, "url": server.url}])
                    problems = PageProblems(server)
                    problems.watch(context)
                    page = context.new_page()

                    def shoot(pages, page=page, device=device):
                        return sum(_shoot(page, device, name, path.format(**ids), args.out) for name, path in pages)

                    trouble += shoot(ANONYMOUS_PAGES)
                    _switch_user(page, admin_email, DEMO_PASSWORD)
                    trouble += shoot(ADMIN_PAGES)
                    _switch_user(page, DEMO_MEMBER, DEMO_PASSWORD)
                    trouble += shoot(MEMBER_PAGES)
                    trouble += _answer_sheet(page, device, ids, args.out)
                    _switch_user(page, organiser_email, DEMO_PASSWORD)
                    trouble += shoot(ORGANISER_PAGES)
                    page.locator("main input[type=file]").set_input_files(str(bad_file))
                    page.get_by_test_id("import-submit").click()
                    page.wait_for_load_state()
                    trouble += _capture(page, device, "bank-import-errors", args.out, expect_status=False)
                    context.close()
                    for problem in problems.all():
                        print(f"  {device}: {problem}")
                        trouble += 1
                browser.close()
        finally:
            server.stop()
    print(f"Screenshots in {args.out}" + (f"; {trouble} thing(s) to look at" if trouble else ""))
    return 1 if trouble else 0


def _demo_ids() -> dict[str, object]:
    """The demo quiz's contest slug, its closed and open rounds, the demo member's attempt in the closed round and
    a question of the bank, for the paths above."""
    from sqlalchemy import select

    from contest.accounts.models import User
    from contest.extensions import db
    from contest.quiz.demo import DEMO_MEMBER, SLUG
    from contest.quiz.models import Attempt, Question, Round
    from contest.quiz.rounds import round_state

    rounds = {round_state(r): r.id for r in db.session.scalars(select(Round).order_by(Round.opens_at))}
    member = db.session.scalar(select(User.id).where(User.email == DEMO_MEMBER))
    attempt = db.session.scalar(select(Attempt.id).where(Attempt.round_id == rounds["closed"],
                                                         Attempt.user_id == member))
    question = db.session.scalar(select(Question.id).order_by(Question.id))
    return {"slug": SLUG, "closed": rounds["closed"], "open": rounds["open"], "closed_attempt": attempt,
            "question": question}


def _switch_user(page, email: str, password: str) -> None:
    """Sign out (the header's button) when someone is signed in, then sign in as `email`."""
    sign_out = page.locator("header form button[type=submit]")
    if sign_out.count():
        sign_out.click()
        page.wait_for_load_state()
    sign_in(page, email, password)
    page.wait_for_load_state()


def _answer_sheet(page, device: str, ids: dict, out: Path) -> int:
    """The demo member's answer sheet for the open round (started on the first device, resumed on the next),
    one question at a time, then all at once."""
    page.goto(f"/rounds/{ids['open']}")
    start = page.get_by_test_id("start")
    (start if start.count() else page.get_by_test_id("resume")).click()
    page.get_by_test_id("answer-sheet").wait_for()
    page.locator("fieldset.question:visible label.option").nth(1).click()  # the question the sheet opens on
    page.wait_for_timeout(500)  # the save's state settles
    trouble = _capture(page, device, "member-sheet-one", out)
    page.get_by_test_id("view-toggle").click()
    page.wait_for_timeout(300)
    trouble += _capture(page, device, "member-sheet-all", out)
    page.get_by_test_id("view-toggle").click()  # back to one at a time, for the next device's resume
    return trouble


def _shoot(page, device: str, name: str, path: str, out: Path) -> int:
    response = page.goto(path)
    status = response.status if response else "?"
    return _capture(page, device, name, out, status=status)


def _capture(page, device: str, name: str, out: Path, status: object = 200, expect_status: bool = True) -> int:
    target = out / f"{device}-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    extra = horizontal_overflow(page)
    note = f"  {extra}px too wide: {wider_than_screen(page)}" if extra > 0 else ""
    path = page.url.split("/", 3)[-1]
    print(f"{device:8} /{path:40} HTTP {status}  -> {target.name}{note}")
    return 1 if extra > 0 or (expect_status and status != 200) else 0


if __name__ == "__main__":
    sys.exit(main())
