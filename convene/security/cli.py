"""`flask --app convene backup PATH` and `restore PATH` (the database and the uploads)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..audit import trigger
from ..extensions import db
from . import backup as backups


class RestoreRefused(click.ClickException):
    """A restore that was refused before anything was replaced: a clear message, exit status 2."""

    exit_code = 2


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database (SQLite online copy or pg_dump) and the uploaded files into one .tar.gz archive."""
    try:
        manifest = backups.backup(path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables "
               f"and the uploads to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current data without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database (PostgreSQL: an empty one) and the uploaded files with a backup archive's.

    Exit status 2 when the archive cannot be restored (missing, damaged, not a backup, unsafe paths)."""
    if not yes:
        click.confirm("This replaces ALL current data and uploads with the backup. Continue?", abort=True)
    try:
        manifest = backups.restore(path)
    except backups.BackupError as error:
        raise RestoreRefused(str(error)) from error
    counts = backups.row_counts()
    mismatched = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if mismatched:
        raise click.ClickException(f"Restored, but row counts differ from the manifest: {mismatched}")
    click.echo(f"Restored the backup of {manifest['created_at']} ({sum(counts.values())} rows).")


@click.command("audit-append-only")
@click.option("--remove", is_flag=True, help="Drop the trigger again.")
@with_appcontext
def audit_trigger_command(remove: bool) -> None:
    """PostgreSQL: install a trigger that refuses UPDATE/DELETE on the audit trail for every client."""
    try:
        with db.engine.begin() as connection:
            (trigger.remove if remove else trigger.install)(connection)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Audit trigger removed." if remove else "Audit trail is now append-only in the database too.")


commands = [backup_command, restore_command, audit_trigger_command]
