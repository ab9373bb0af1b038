"""Shared fixtures: an app per database backend, per-test cleanup, factories, sign-in, a real SMTP sink.

Every test that uses `app` runs twice: on SQLite and on PostgreSQL (a private database
created for this pytest process, so parallel runs never collide). A PostgreSQL test is
skipped only when no server answers and CI is not set; in CI it fails instead.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from flask.testing import FlaskClient

from convene import create_app
from convene.extensions import db

pytest_plugins = ["tests.fixtures.factories", "tests.fixtures.smtp"]

POSTGRES_URL = os.environ.get("CONVENE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ("sqlite", "postgresql")


def base_config(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_PORT": 1,  # nothing listens there unless a test starts the SMTP sink
        **overrides,
    }


def pytest_collection_modifyitems(config, items):
    """Run `sqlite_only` tests once, on SQLite."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        if backend == "postgresql" and item.get_closest_marker("sqlite_only"):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _admin_url(url: str) -> sa.URL:
    return sa.make_url(url)


@contextmanager
def _postgres_database():
    """Create a private PostgreSQL database for this pytest process and drop it afterwards."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"convene_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and did not answer: {error}")
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}")
    try:
        yield _admin_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    else:
        with _postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def make_app(database_url):
    """Build an app on this backend's test database; the schema is created once."""
    created = []

    def factory(**overrides):
        app = create_app(base_config(database_url, **overrides))
        app.test_client_class = FreshContextClient
        if not created:
            with app.app_context():
                db.create_all()
                from convene import schema_extras
                schema_extras.create_all_extras(db.engine)
                stamp_migrations(db.engine)
        created.append(app)
        return app

    yield factory
    for app in created:  # close pooled connections before the database is dropped
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


def stamp_migrations(engine, revisions=None) -> None:
    """Record the schema as migrated to `revisions` (default: the head), as `flask db upgrade` would.

    create_all builds exactly the head's schema; /readyz reads this table to know it."""
    from convene.ops.health import migration_heads

    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        for revision in revisions or migration_heads():
            connection.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    The `app` fixture keeps an app context pushed for the test's own queries; without this,
    requests would reuse it and share `g` (and Flask-Login's cached user) across requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _shared_app(make_app):
    app = make_app()
    app.test_client_class = FreshContextClient
    return app


def wipe_database(engine) -> None:
    """Empty every table, fast, between tests."""
    from convene import schema_extras

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:  # children first, so foreign keys stay satisfied
            for table in tables:
                connection.execute(sa.text(f'DELETE FROM "{table}"'))
        schema_extras.wipe_extras(connection)


@pytest.fixture
def app(_shared_app):
    """The app with an app context pushed for the test; the database is emptied afterwards."""
    with _shared_app.app_context():
        yield _shared_app
        db.session.remove()
        wipe_database(db.engine)
    from convene.extensions import limiter
    if getattr(limiter, "_storage", None) is not None:  # only set up when rate limiting is on
        limiter.reset()


@pytest.fixture(autouse=True)
def _restore_limiter():
    """The limiter object is shared by every app in the process: put its state back after each test,
    so an app built with RATELIMIT_ENABLED=True cannot switch limits on for later tests."""
    from convene.extensions import limiter

    names = ("enabled", "_storage", "_limiter", "_key_prefix")
    saved = {name: getattr(limiter, name, None) for name in names}
    yield
    for name, value in saved.items():
        setattr(limiter, name, value)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(client):
    """sign_in(user) puts the user's session cookie on the test client (no password hashing)."""
    from flask_login.utils import _create_identifier

    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's session protection expects

    def do(user, fresh: bool = True, target=client):
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = fresh
            session["_id"] = identifier
        return user
    return do


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ... ; counter.count is the number of SQL statements run."""
    @contextmanager
    def counting():
        counter = QueryCounter()
        engines = set(db.engines.values())  # the stamp reads' own engine on PostgreSQL too (caching.read_stamp)
        for engine in engines:
            sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            for engine in engines:
                sa.event.remove(engine, "before_cursor_execute", counter)
    return counting


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def today() -> date:
    return date.today()


@pytest.fixture
def in_days():
    return lambda n: date.today() + timedelta(days=n)
