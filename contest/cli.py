"""Command-line tools: create-user (first admin, scripts) and seed-demo (believable demo data)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from contest.accounts import services as accounts
from contest.accounts.models import ROLES, User
from contest.core.errors import ServiceError
from contest.extensions import db


@click.command("create-user")
@click.option("--email", required=True, help="Email of the account.")
@click.option("--password", required=True, help="Password (at least PASSWORD_MIN_LENGTH characters).")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--unit", "unit_id", type=int, default=None, help="Id of the unit the person belongs to.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True,
              help="A role to hold; repeat for several.")
def create_user_command(email, password, full_name, unit_id, roles):
    """Create an account, or set the roles of the account that has this email."""
    existing = accounts.find_user_by_email(email)
    try:
        if existing is not None:
            accounts.set_roles(existing, roles, actor=None, ip="cli")
            db.session.commit()
            click.echo(f"Account {existing.email} exists; roles now: {', '.join(existing.roles)}.")
            return
        user = accounts.register(email, password, full_name, unit_id, roles=roles, unit_required=False)
        from contest.core import audit

        for role in user.roles:
            audit.record("role_granted", actor=None, target_type="user", target_id=user.id, ip="cli", role=role,
                         email=user.email)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message}{' (' + details + ')' if details else ''}") from None
    click.echo(f"Created {user.email} (id {user.id}) with roles: {', '.join(user.roles)}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Load nothing when the database already has accounts.")
def seed_demo_command(if_empty):
    """Load the demo data (idempotent) and print the demo accounts."""
    from contest import demo

    has_users = db.session.scalar(select(func.count()).select_from(User)) > 0
    if if_empty and has_users and accounts.find_user_by_email(demo.DEMO_ACCOUNTS[0]["email"]) is None:
        click.echo("The database already holds accounts; demo data not loaded.")
        return
    created = demo.seed()
    db.session.commit()
    click.echo(f"Demo data ready ({created} new rows).")
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for acc in demo.DEMO_ACCOUNTS:
        click.echo(f"  {', '.join(acc['roles']):<28} {acc['email']:<28} {acc['full_name']}")


def init_app(app: Flask) -> None:
    from contest.essays import cli as essays_cli
    from contest.quiz import cli as quiz_cli

    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    quiz_cli.init_app(app)
    essays_cli.init_app(app)
