"""Liveness and readiness: plain facts a load balancer or monitor can act on, never a secret.

Each check returns (ok, detail); the detail names what is wrong in words, never a URL,
password or host name, because /readyz answers anyone who can reach the app.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from ..mail.models import OutboxMessage, OutboxStatus

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


@cache
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_revisions(connection) -> frozenset[str] | None:
    """The revisions the database is stamped with, or None when it was never migrated."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return frozenset(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def check_database() -> tuple[bool, str]:
    """The database answers, and its schema is at the migrations' head."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            revisions = database_revisions(connection)
    except sa.exc.SQLAlchemyError:
        return False, "the database does not answer"
    if revisions is None:
        return False, "the database has not been migrated (run flask db upgrade)"
    if revisions != migration_heads():
        return False, "migrations are not at head (run flask db upgrade)"
    return True, "reachable, migrations at head"


def oldest_queued_age() -> float | None:
    """Seconds the longest-waiting due message has waited, or None when nothing is due."""
    with db.engine.connect() as connection:
        oldest = connection.execute(
            sa.select(sa.func.min(OutboxMessage.next_attempt_at))
            .where(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.next_attempt_at <= utcnow())
        ).scalar()
    if oldest is None:
        return None
    return max(0.0, (utcnow() - oldest).total_seconds())


def check_outbox() -> tuple[bool, str]:
    """No due message has waited longer than READY_MAX_QUEUE_AGE: the mail workers keep up."""
    limit = float(current_app.config["READY_MAX_QUEUE_AGE"])
    try:
        age = oldest_queued_age()
    except sa.exc.SQLAlchemyError:
        return False, "the outbox cannot be read"
    if age is None:
        return True, "nothing waiting"
    if age > limit:
        return False, f"the oldest due message has waited {age:.0f} s (limit {limit:.0f} s): are the mail workers running?"
    return True, f"oldest due message waited {age:.0f} s"


def check_redis() -> tuple[bool, str] | None:
    """The shared rate-limit storage answers; None when it is not Redis."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if not uri.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        connection = redis.Redis.from_url(uri, socket_timeout=2, socket_connect_timeout=2)
        try:
            connection.ping()
        finally:
            connection.close()
    except redis.RedisError:
        return False, "the rate-limit storage (Redis) does not answer"
    return True, "reachable"


def readiness() -> tuple[bool, dict]:
    """All checks that apply: (everything ok, {name: {"ok": bool, "detail": str}})."""
    checks = {"database": check_database()}
    if checks["database"][0]:
        checks["outbox"] = check_outbox()
    redis_check = check_redis()
    if redis_check is not None:
        checks["redis"] = redis_check
    report = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    return all(ok for ok, _ in checks.values()), report
