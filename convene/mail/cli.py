"""`flask --app convene worker` and `flask --app convene mail test ADDRESS`."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .services import MailError
from .smtp import DeliveryError
from .worker import new_worker_id, run, send_test_message


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (for cron).")
@click.option("--batch", default=None, type=click.IntRange(1, 1000),
              help="Messages claimed at a time [default: MAIL_BATCH, 20].")
@click.option("--poll", default=5.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds to wait when nothing is due.")
@with_appcontext
def worker_command(once: bool, batch: int | None, poll: float) -> None:
    """Deliver the outbox by SMTP. Run one or several; they never send the same message."""
    worker_id = new_worker_id()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the current message, then exit
        signal.signal(signum, lambda *_: stop.set())
    config = current_app.config
    click.echo(f"Outbox worker {worker_id} delivering via {config['MAIL_HOST']}:{config['MAIL_PORT']}"
               f"{' (once)' if once else f', polling every {poll:g} s'}.")
    sent, failed = run(once=once, batch=batch, poll=poll, stop=stop, worker_id=worker_id,
                       on_batch=lambda s, f: click.echo(f"sent {s}, not sent {f}"))
    click.echo(f"Worker stopped: {sent} sent, {failed} not sent (retried later or failed).")


mail_cli = AppGroup("mail", help="Outgoing e-mail.")


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Send one test message straight to ADDRESS (not via the outbox) and show the server's answer."""
    config = current_app.config
    where = f"{config['MAIL_HOST']}:{config['MAIL_PORT']}"
    try:
        answer = send_test_message(address)
    except MailError as error:
        raise click.ClickException(str(error)) from error
    except DeliveryError as error:
        raise click.ClickException(f"Not sent via {where}: {error.answer}") from error
    click.echo(f"Sent to {address} via {where}. The server answered: {answer}")


commands = [worker_command, mail_cli]
