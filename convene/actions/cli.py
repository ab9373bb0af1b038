"""`flask --app convene next-steps ...`: the periodic staff digest."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db_types import utcnow
from ..extensions import db
from .followup import send_staff_digest

next_steps_cli = AppGroup("next-steps", help="Follow up next steps.")


@next_steps_cli.command("digest")
def digest_command() -> None:
    """Queue the staff digest: overdue next steps and progress notes since the last digest."""
    queued = send_staff_digest(utcnow())
    db.session.commit()
    click.echo(f"Queued {queued} digest e-mail{'s' if queued != 1 else ''} in the outbox.")


commands = [next_steps_cli]
