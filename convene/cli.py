"""Command-line entry points: `flask --app convene <command>`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug import serving

from .auth.models import User
from .auth.services import AccountError, create_user
from .demo.data import DEMO_LOGINS, demo_rsvp_link
from .extensions import db
from .mail.embedded import start_embedded

users_cli = AppGroup("users", help="Manage sign-in accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "organizer", "staff"]), default="organizer", show_default=True)
@click.option("--name", default="", help="Display name (defaults to the part of the email before @).")
@click.password_option(help="The password (asked for when not given).")
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create a sign-in account."""
    try:
        user = create_user(email, name or email.split("@")[0], password, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts."""
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'disabled'}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app for local use, with an embedded mail worker and a local mail sink."""
    app = current_app._get_current_object()
    click.echo(start_embedded(app))
    click.echo(f"Convene is running on http://{host}:{port}/")
    click.echo(_link_base(app, host, port))
    click.echo("Demo sign-ins:")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<10} {email}  password: {password}")
    link = demo_rsvp_link()
    db.session.commit()
    if link:
        click.echo(f"An invitee's personal link, to try the RSVP page: {link}")
    # app.run() refuses to start inside the flask CLI, so serve with Werkzeug directly.
    serving.run_simple(host, port, app, use_reloader=False, threaded=True)


def _link_base(app: Flask, host: str, port: int) -> str:
    """Without BASE_URL, e-mailed links point where this server listens; say which base is used."""
    if not app.config.get("BASE_URL_IS_DEFAULT"):
        return f"Links in e-mails and calendar files use BASE_URL: {app.config['BASE_URL']}"
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # a wildcard is no address to visit
    app.config["BASE_URL"] = f"http://{reachable}:{port}"
    return f"Links in e-mails and calendar files use {app.config['BASE_URL']} (set BASE_URL to change it)"


commands = [users_cli, serve_command]
