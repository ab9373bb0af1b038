"""Backups of the embedded SQLite database and the uploaded files, in one archive.

The database is copied with SQLite's online backup API, so a backup taken while the app
serves requests is consistent. PostgreSQL installations use pg_dump/pg_restore instead
(see docs/security.md).
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db

DB_MEMBER = "convene.sqlite"
UPLOADS_MEMBER = "uploads"
MANIFEST_MEMBER = "manifest.json"
FORMAT = "convene-backup-1"


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why."""


def sqlite_path() -> Path:
    """The database file, or BackupError when the database is not a SQLite file."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError("This database is PostgreSQL: back it up with pg_dump -Fc and restore it with "
                          "pg_restore, as docs/security.md describes.")
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def uploads_dir() -> Path:
    """Uploaded files (UPLOADS_DIR, else instance/uploads)."""
    configured = current_app.config.get("UPLOADS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def row_counts() -> dict[str, int]:
    """Rows per table, recorded in the manifest so a restore can be checked."""
    with db.engine.connect() as connection:
        return {table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables}


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another with the online backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup(archive: Path) -> dict:
    """Write the database and the uploads into a .tar.gz archive; return its manifest."""
    database = sqlite_path()
    manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "tables": row_counts()}
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / DB_MEMBER
        _copy_sqlite(database, copy)
        (Path(work) / MANIFEST_MEMBER).write_text(json.dumps(manifest, indent=2))
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(Path(work) / MANIFEST_MEMBER, arcname=MANIFEST_MEMBER)
            tar.add(copy, arcname=DB_MEMBER)
            if uploads_dir().is_dir():
                tar.add(uploads_dir(), arcname=UPLOADS_MEMBER)
    archive.chmod(0o600)  # it holds everything, personal data included
    return manifest


def restore(archive: Path) -> dict:
    """Replace the database and the uploads with an archive's; return its manifest."""
    database = sqlite_path()
    if not archive.is_file():
        raise BackupError(f"No backup archive at {archive}.")
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames())
        if MANIFEST_MEMBER not in names or DB_MEMBER not in names:
            raise BackupError(f"{archive} is not a Convene backup.")
        tar.extractall(work, filter="data")  # refuses absolute paths, .. and links out of the folder
        manifest = json.loads((Path(work) / MANIFEST_MEMBER).read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive} has an unknown backup format.")
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold the file while it is replaced
        _copy_sqlite(Path(work) / DB_MEMBER, database)
        _replace_uploads(Path(work) / UPLOADS_MEMBER)
    return manifest


def _replace_uploads(source: Path) -> None:
    target = uploads_dir()
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
