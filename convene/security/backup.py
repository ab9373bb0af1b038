"""Backups of the database and the uploaded files, in one archive, on SQLite and PostgreSQL.

SQLite is copied with its online backup API; PostgreSQL with pg_dump's custom format and
restored with pg_restore into an empty database (backup_postgres.py). Either way a backup
taken while the app serves requests is consistent, and the manifest records every table's
row count so a restore can be checked.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from . import backup_postgres

DB_MEMBER = "convene.sqlite"
UPLOADS_MEMBER = "uploads"
MANIFEST_MEMBER = "manifest.json"
FORMAT = "convene-backup-1"
#: What a damaged or foreign archive raises while it is opened or read.
UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeError, ValueError)


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why."""


def engine_name() -> str:
    """"sqlite" or "postgresql"; BackupError for an in-memory database."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        raise BackupError("An in-memory database cannot be backed up.")
    return url.get_backend_name()


def database_member(engine: str) -> str:
    return backup_postgres.DUMP_MEMBER if engine == "postgresql" else DB_MEMBER


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
    engine = engine_name()
    manifest = {"format": FORMAT, "database": engine, "created_at": utcnow().isoformat(), "tables": row_counts()}
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / database_member(engine)
        try:
            if engine == "postgresql":
                backup_postgres.dump(copy)
            else:
                _copy_sqlite(Path(db.engine.url.database), copy)
        except backup_postgres.ToolError as error:
            raise BackupError(str(error)) from error
        (Path(work) / MANIFEST_MEMBER).write_text(json.dumps(manifest, indent=2))
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(Path(work) / MANIFEST_MEMBER, arcname=MANIFEST_MEMBER)
            tar.add(copy, arcname=copy.name)
            if uploads_dir().is_dir():
                tar.add(uploads_dir(), arcname=UPLOADS_MEMBER)
    archive.chmod(0o600)  # it holds everything, personal data included
    return manifest


def restore(archive: Path) -> dict:
    """Replace the database and the uploads with an archive's; return its manifest.

    Everything is unpacked and checked before anything is replaced."""
    engine = engine_name()
    if not archive.is_file():
        raise BackupError(f"No backup archive at {archive}.")
    if engine == "postgresql" and not backup_postgres.is_empty():
        raise BackupError("The database is not empty. Restore into a new, empty database (createdb, then "
                          "point CONVENE_DATABASE_URL at it); nothing was changed.")
    with tempfile.TemporaryDirectory() as work:
        manifest = unpack(archive, Path(work), engine)
        try:
            if engine == "postgresql":
                backup_postgres.restore(Path(work) / backup_postgres.DUMP_MEMBER)
            else:
                db.session.remove()
                db.engine.dispose()  # no pooled connection may hold the file while it is replaced
                _copy_sqlite(Path(work) / DB_MEMBER, Path(db.engine.url.database))
        except backup_postgres.ToolError as error:
            raise BackupError(f"{error} The uploads were left as they were.") from error
        _replace_uploads(Path(work) / UPLOADS_MEMBER)
    return manifest


def unpack(archive: Path, work: Path, engine: str) -> dict:
    """Extract a backup into `work` and return its manifest, or BackupError saying what is wrong with it."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = set(tar.getnames())
            if MANIFEST_MEMBER not in names or not names & {DB_MEMBER, backup_postgres.DUMP_MEMBER}:
                raise BackupError(f"{archive} is not a Convene backup.")
            tar.extractall(work, filter="data")  # refuses absolute paths, .. and links out of the folder
        manifest = json.loads((work / MANIFEST_MEMBER).read_text())
    except BackupError:
        raise
    except tarfile.FilterError as error:
        raise BackupError(f"{archive} holds a file that would land outside the restore folder "
                          f"({error}); nothing was restored.") from error
    except UNREADABLE as error:
        raise BackupError(f"{archive} is not a readable .tar.gz backup (damaged, truncated or another kind "
                          "of file); nothing was restored.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has an unknown backup format.")
    if not (work / database_member(engine)).is_file():
        made_on = manifest.get("database", "sqlite")
        raise BackupError(f"{archive} is a backup of a {made_on} database; this installation uses {engine}. "
                          "Nothing was restored.")
    return manifest


def _replace_uploads(source: Path) -> None:
    target = uploads_dir()
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
