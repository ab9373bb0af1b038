"""`flask --app convene invitations ...`: jobs the worker or cron runs."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from ..extensions import db
from .reminders import send_due_reminders

invitations_cli = AppGroup("invitations", help="Invitation jobs (reminders).")


@invitations_cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if it were this day (YYYY-MM-DD); defaults to today.")
def remind_command(today) -> None:
    """Send the scheduled reminders that are due (run once a day; running it again sends nothing twice)."""
    day = today.date() if today else date.today()
    sent = send_due_reminders(day)
    db.session.commit()
    click.echo(f"Queued {sent} reminder(s) for {day.isoformat()}.")


commands = [invitations_cli]
