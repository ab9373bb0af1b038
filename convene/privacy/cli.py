"""`flask --app convene privacy export|erase|purge`."""
from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from ..audit.services import record
from ..extensions import db
from ..people.services import find_person_by_email
from . import services

privacy_cli = AppGroup("privacy", help="Personal-data rights: export, erase, retention purge.")
CLI_ACTOR = "command line"


def _person_or_fail(email: str):
    person = find_person_by_email(email)
    if person is None:
        raise click.ClickException(f"No person with the email {email!r} in the directory.")
    return person


@privacy_cli.command("export")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (mode 600) instead of standard output.")
def export_command(email: str, output: str | None) -> None:
    """Print everything Convene holds about a person as JSON (audited)."""
    person = _person_or_fail(email)
    body = json.dumps(services.export_person(person), indent=2, ensure_ascii=False, sort_keys=True)
    record("person.export", person, actor_label=CLI_ACTOR)
    db.session.commit()
    if output:
        import os

        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(body + "\n")
        click.echo(f"Wrote the export of person #{person.id} to {output}.", err=True)
    else:
        click.echo(body)


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--self-identification-only", is_flag=True,
              help="Delete only gender, nationality, dietary and access needs; keep the person otherwise.")
@click.option("--yes", is_flag=True, help="Do it without asking.")
def erase_command(email: str, self_identification_only: bool, yes: bool) -> None:
    """Erase (anonymize) a person, keeping their invitations for past counts (audited)."""
    person = _person_or_fail(email)
    what = "the self-identified data of" if self_identification_only else "all identifying data of"
    if not yes:
        click.confirm(f"Delete {what} {person.name} (#{person.id}) for good?", abort=True)
    if self_identification_only:
        services.erase_self_identification(person, actor_label=CLI_ACTOR)
    else:
        services.anonymize_person(person, actor_label=CLI_ACTOR)
    db.session.commit()
    click.echo(f"Deleted {what} person #{person.id}.")


@privacy_cli.command("purge")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date.")
def purge_command(today) -> None:
    """Delete self-identified data of people whose convenings all closed RETENTION_MONTHS ago (audited)."""
    months = int(current_app.config.get("RETENTION_MONTHS", 24))
    purged = services.purge_expired(today.date() if today else date.today(), months, actor_label=CLI_ACTOR)
    db.session.commit()
    click.echo(f"Deleted the self-identified data of {len(purged)} people (retention {months} months).")


commands = [privacy_cli]
