"""The migrations build the same schema as the models, and tear it down again, on both backends."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from convene import create_app
from convene.extensions import db
from convene.schema_extras import include_name
from tests.conftest import IN_CI, POSTGRES_URL, base_config


@pytest.fixture
def empty_database_url(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"convene_migrate_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        if IN_CI:
            raise
        pytest.skip("no PostgreSQL server answers")
    yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
