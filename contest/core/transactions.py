"""Work that must wait until the current transaction has committed: a mail that tells of a change, a cache clear
that must not be undone by a reader computing from the old data. Rolled-back work is forgotten, so nothing
announces a change that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "contest_after_commit"


def after_commit(session: Session, action: Callable[[], None], key: str | None = None) -> None:
    """Run `action()` once `session`'s current transaction commits, never if it rolls back. Actions with the same
    `key` run once per transaction (the last one registered wins)."""
    pending: dict = session.info.setdefault(_PENDING, {})
    pending[key if key is not None else object()] = action


def _run(session: Session) -> None:
    for action in session.info.pop(_PENDING, {}).values():
        try:
            action()
        except Exception:  # noqa: BLE001 (the change is committed; a mail or cache hiccup must not become a 500)
            current_app.logger.exception("An action after commit failed")


def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)


if not event.contains(Session, "after_commit", _run):
    event.listen(Session, "after_commit", _run)
    event.listen(Session, "after_soft_rollback", _forget)
