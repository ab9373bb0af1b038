"""The migrations build the same schema as the models, and tear it down again, on both backends."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from convene import create_app
from convene.db_types import DeliveryQueueColumns
from convene.extensions import db
from convene.mail.models import OutboxMessage, OutboxStatus
from convene.schema_extras import include_name
from convene.webhooks.models import DeliveryStatus, WebhookDelivery
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


def test_both_delivery_queues_share_their_columns_and_start_pending():
    """db_types.DeliveryQueueColumns: the mail outbox and webhook deliveries declare their queue once."""
    shared = set(DeliveryQueueColumns.__annotations__)
    assert shared == {"status", "attempts", "next_attempt_at", "locked_by", "locked_at", "last_error", "created_at"}
    for model, states in ((OutboxMessage, OutboxStatus), (WebhookDelivery, DeliveryStatus)):
        columns = model.__table__.columns
        assert shared <= set(columns.keys())
        assert columns["status"].default.arg == states.PENDING.value
        assert {name: str(columns[name].type) for name in shared} == {
            name: str(OutboxMessage.__table__.columns[name].type) for name in shared}
