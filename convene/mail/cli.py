"""`flask --app convene mail test ADDRESS` (the worker that delivers the outbox is `flask worker`, in convene/cli.py)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .services import MailError
from .smtp import DeliveryError
from .worker import send_test_message


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


commands = [mail_cli]
