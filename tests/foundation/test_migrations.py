"""The migrations build the same schema as the models, and tear it down again, on both backends."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from convene import create_app
from convene.extensions import db
from convene.schema_extras import include_name
from tests.conftest import _postgres_database as postgres_database, base_config


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A database with no tables: a fresh SQLite file, or a fresh private PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    with postgres_database() as url:
        yield url


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url):
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        try:
            _upgrade_compare_downgrade()
        finally:
            db.engine.dispose()


def _upgrade_compare_downgrade():
    """Upgrade from empty, compare with the models, downgrade to base."""
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    summary = [(op[0], getattr(op[1], "name", None) or str(op[1])[:60]) if isinstance(op, tuple)
               else [o[0] for o in op] for op in diff]
    assert diff == [], f"models and migrations differ: {summary}"
    downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
