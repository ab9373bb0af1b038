"""Helpers for the operations tests."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from convene.extensions import db
from tests.conftest import stamp_migrations


@pytest.fixture
def stamp(app):
    """stamp(revision) rewrites Alembic's version table (None: no table at all); put back at head afterwards."""
    def do(revision: str | None):
        if revision is None:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE alembic_version"))
        else:
            stamp_migrations(db.engine, [revision])
    yield do
    stamp_migrations(db.engine)


def terminate_backends(url) -> int:
    """pg_terminate_backend every connection to the database at `url`, as a restart would.

    The killing is done from a connection of its own, outside any app's pool."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()
