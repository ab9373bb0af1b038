"""`flask --app convene briefs ...`: maintenance of the publications archive."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .search import fts_ddl

briefs_cli = AppGroup("briefs", help="Outcome briefs and the public archive.")


@briefs_cli.command("reindex")
def reindex_command() -> None:
    """Create the full-text search index if missing and rebuild it from the briefs table."""
    with db.engine.begin() as connection:
        name = connection.dialect.name
        for statement in fts_ddl(name):
            connection.exec_driver_sql(statement)
        if name == "sqlite":
            connection.exec_driver_sql("INSERT INTO briefs_fts(briefs_fts) VALUES ('rebuild')")
        elif name == "postgresql":
            connection.exec_driver_sql("REINDEX INDEX ix_briefs_fts")
    click.echo(f"Rebuilt the brief search index ({name}).")


commands = [briefs_cli]
