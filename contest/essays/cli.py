"""Writing-contest commands: `flask --app contest essays similarity CONTEST_SLUG`.

The similarity check takes seconds for thousands of entries; run it from cron (or by hand) after the close of
submissions, e.g. every night while judging goes on:

    30 2 * * *  cd /srv/contest && .venv/bin/flask --app contest essays similarity viet-ve-tam-guong-2026
"""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from contest.contests.models import Contest
from contest.essays import checks
from contest.extensions import db

essays = AppGroup("essays", help="Writing contests.")


@essays.command("similarity")
@click.argument("slug")
def similarity_command(slug: str) -> None:
    """Find the submitted entries of the writing contest SLUG that share long passages (replaces the last check)."""
    contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
    if contest is None:
        raise click.ClickException(f"No contest with the slug {slug!r}.")
    if contest.kind != "essay":
        raise click.ClickException(f"The contest {slug!r} is a {contest.kind}, not a writing contest.")
    started = time.perf_counter()
    pairs = checks.run_check(contest)
    db.session.commit()
    entries = checks.submitted_count(contest)
    click.echo(f"Checked {entries} submitted entries of {slug}: {pairs} pair(s) share long passages "
               f"({time.perf_counter() - started:.1f} s).")


def init_app(app: Flask) -> None:
    app.cli.add_command(essays)
