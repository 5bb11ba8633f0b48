"""Quiz commands: `flask --app contest quiz finalise-expired`, run every minute from cron.

    * * * * *  cd /srv/contest && .venv/bin/flask --app contest quiz finalise-expired --quiet
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from contest.extensions import db
from contest.quiz import attempts

quiz = AppGroup("quiz", help="Quiz rounds and attempts.")

# Rows finalised per transaction: locks stay short while thousands of attempts expire at a round's close.
COMMIT_EVERY = 500


@quiz.command("finalise-expired")
@click.option("--round", "round_id", type=int, default=None, help="Only this round.")
@click.option("--quiet", is_flag=True, help="Print nothing when there was nothing to do.")
def finalise_expired_command(round_id: int | None, quiet: bool) -> None:
    """Finalise every attempt whose deadline and grace have passed, with the answers saved in time."""
    total = 0
    while True:
        done = attempts.finalise_expired(round_id=round_id, limit=COMMIT_EVERY)
        db.session.commit()
        total += done
        if done < COMMIT_EVERY:
            break
    if total or not quiet:
        click.echo(f"Finalised {total} expired attempt(s).")


def init_app(app: Flask) -> None:
    from contest.quiz.board_views import finalise_rounds_command

    if "finalise-rounds" not in quiz.commands:
        quiz.add_command(finalise_rounds_command)
    app.cli.add_command(quiz)
