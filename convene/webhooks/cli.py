"""`flask --app convene webhooks deliver`: webhooks alone (`flask --app convene worker` sends them with the mail)."""
from __future__ import annotations

import signal
import threading

import click
from flask.cli import AppGroup

from .delivery import run

webhooks_cli = AppGroup("webhooks", help="Outgoing webhooks.")


@webhooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@click.option("--poll", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds to wait when nothing is due.")
def deliver_command(once: bool, poll: float) -> None:
    """POST queued webhook events, signed, retrying failures with backoff."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    delivered, failed = run(once=once, poll=poll, stop=stop)
    click.echo(f"Webhooks: {delivered} delivered, {failed} not delivered (retried later or failed).")


commands = [webhooks_cli]
