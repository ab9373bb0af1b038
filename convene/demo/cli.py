"""`flask --app convene demo`: load the demo data set (idempotent)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .data import DEMO_LOGINS, database_is_empty, load_demo


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no convenings yet.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the Strategy for Peace demo data set; loading twice changes nothing."""
    if if_empty and not database_is_empty():
        click.echo("The database already holds data; demo not loaded.")
    else:
        summary = load_demo()
        db.session.commit()
        click.echo(summary)
    click.echo("Demo sign-ins:")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<10} {email}  password: {password}")


commands = [demo_command]
