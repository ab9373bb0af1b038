"""PostgreSQL backups: pg_dump's custom format in, pg_restore into an empty database out.

pg_dump and pg_restore come with the postgresql-client package; their major version must be
at least the server's (pg_dump refuses a newer server). The password travels in PGPASSWORD,
never on a command line another user could read with ps.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db

DUMP_MEMBER = "convene.pgdump"


class ToolError(Exception):
    """pg_dump or pg_restore is missing or failed; the message says what to do."""


def _connection_env(url: sa.URL) -> dict[str, str]:
    env = {**os.environ, "PGDATABASE": url.database or ""}
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password)):
        if value:
            env[key] = str(value)
    return env


def _run(tool: str, arguments: list[str], url: sa.URL) -> None:
    if shutil.which(tool) is None:
        raise ToolError(f"{tool} is not installed: apt-get install postgresql-client "
                        "(the same major version as the server, or newer).")
    result = subprocess.run([tool, *arguments], env=_connection_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit status {result.returncode}"
        raise ToolError(f"{tool} failed: {detail}")


def dump(target: Path) -> None:
    """Write the whole database (schema, data, triggers, migration stamp) in pg_dump's custom format."""
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], db.engine.url)


def is_empty() -> bool:
    """True when the database has no tables of its own (a fresh `createdb`)."""
    with db.engine.connect() as connection:
        return not connection.execute(sa.text(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")).scalar_one()


def restore(source: Path) -> None:
    """Load a dump into the (empty) database; stops at the first error instead of half-restoring."""
    db.session.remove()
    db.engine.dispose()
    _run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                        f"--dbname={db.engine.url.database}", str(source)], db.engine.url)
