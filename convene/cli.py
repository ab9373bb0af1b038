"""Command-line entry points: `flask --app convene <command>`."""
from __future__ import annotations

import signal
import threading

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
from .mail.worker import new_worker_id, run as run_worker
from .webhooks.delivery import deliver_due as deliver_webhooks

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


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@click.option("--batch", default=None, type=click.IntRange(1, 1000),
              help="Messages claimed at a time [default: MAIL_BATCH, 20].")
@click.option("--poll", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds to wait when nothing is due.")
@with_appcontext
def worker_command(once: bool, batch: int | None, poll: float) -> None:
    """Deliver the outbox by SMTP and the queued webhook events. Run one or several; they never send the same one."""
    worker_id = new_worker_id()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the current message, then exit
        signal.signal(signum, lambda *_: stop.set())
    config = current_app.config
    click.echo(f"Worker {worker_id} delivering the outbox via {config['MAIL_HOST']}:{config['MAIL_PORT']} and "
               f"webhooks{' (once)' if once else f', polling every {poll:g} s'}.")
    hooks = WebhookTally()
    sent, failed = run_worker(once=once, batch=batch, poll=poll, stop=stop, worker_id=worker_id, also=[hooks.deliver],
                              on_batch=lambda s, f: click.echo(f"sent {s}, not sent {f}"))
    click.echo(f"Worker stopped: {sent} sent, {failed} not sent (retried later or failed); "
               f"webhooks: {hooks.delivered} delivered, {hooks.failed} not delivered.")


class WebhookTally:
    """The worker's webhook pass, counting and echoing what it sent."""

    delivered = failed = 0

    def deliver(self, worker_id: str) -> tuple[int, int]:
        delivered, failed = deliver_webhooks(worker_id=worker_id)
        self.delivered, self.failed = self.delivered + delivered, self.failed + failed
        if delivered or failed:
            click.echo(f"webhooks delivered {delivered}, not delivered {failed}")
        return delivered, failed


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app for local use, with an embedded mail worker and a local mail sink."""
    app = current_app._get_current_object()
    click.echo(start_embedded(app, also=[deliver_webhooks]))
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


commands = [users_cli, worker_command, serve_command]
