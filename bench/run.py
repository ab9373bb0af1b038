"""Measure the app's real code paths on the benchmark data sets, per database backend.

Every page is requested through the Flask test client, signed in as an administrator, with no
app context pushed around the requests (each request pushes its own, as in production). For
each case: `warmup` untimed requests, then `repeat` timed ones (median and p95), one request
with a SQL statement counter on the engine, and one under tracemalloc (peak Python memory).
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from convene import create_app
from convene.extensions import db

from . import data

POSTGRES_URL = os.environ.get("CONVENE_BENCH_POSTGRES_URL",
                              os.environ.get("CONVENE_TEST_POSTGRES_URL",
                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))


@dataclass
class Row:
    """One line of the results table."""

    backend: str
    dataset: str
    case: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    small_queries: int | None = None
    peak_kib: float | None = None
    size_kib: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    #: the median as a multiple of the run's yardstick (icalendar alone on the 200 events)
    yardstick_ratio: float | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    datasets: dict[str, dict] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)
    #: per backend: the yardstick's median in ms, measured in this run
    yardsticks: dict[str, float] = field(default_factory=dict)
    #: rows that could not be measured at all: the run exits non-zero
    failures: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- databases

@contextmanager
def database(backend: str):
    """A private, empty database URL for this run, removed afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="convene-bench-")
        path = Path(folder) / "bench.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            for file in Path(folder).glob("*"):
                file.unlink()
            os.rmdir(folder)
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"convene_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return str(error).splitlines()[0]


def make_app(url: str, **overrides):
    """The app with production-like settings (no TESTING, no debug), rate limits off for repeated requests.

    It also carries the minimal route (`/__bench__/minimal`), the floor every page is compared with,
    served by the same app, middleware and workers as the pages.
    """
    app = create_app({
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://bench.localhost",
        "LOG_LEVEL": "WARNING",
        "MAIL_PORT": 1,
        **overrides,
    })
    app.add_url_rule(MINIMAL_PATH, "bench_minimal", lambda: "ok")
    return app


#: A route that does no work of its own: the floor of any request through this app.
MINIMAL_PATH = "/__bench__/minimal"


def import_all_modules() -> None:
    """Import every module of the app, so that schema extras registered in lazily imported modules exist."""
    import importlib
    import pkgutil

    import convene

    for module in pkgutil.walk_packages(convene.__path__, "convene."):
        if not module.name.endswith(("__main__", ".cli")):
            importlib.import_module(module.name)


def create_schema(app) -> None:
    from convene import schema_extras

    import_all_modules()
    with app.app_context():
        db.create_all()
        schema_extras.create_all_extras(db.engine)


def after_bulk_load(app) -> list[str]:
    """Refresh the planner's statistics after the bulk load (search indexes keep themselves current)."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
    return []


# ---------------------------------------------------------------- measuring

class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@contextmanager
def counting(app):
    with app.app_context():
        engines = set(db.engines.values())  # with the version-stamp reads' own engine on PostgreSQL
    counter = Counter()
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", counter)


def signed_in_client(app, user_id: int, secret: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{secret}"
        session["_fresh"] = True
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[index]


@dataclass
class Measured:
    times_ms: list[float]
    queries: int
    peak_kib: float
    status: int
    body: bytes

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 0.95)


def measure_get(app, client, path: str, *, repeat: int, warmup: int, headers: dict | None = None,
                before_each=None, expect: int = 200) -> Measured:
    """Time `repeat` GETs of `path`, count the SQL of one, trace the memory of one.

    `before_each` (untimed) runs before every request, e.g. a change that must show in the answer.
    """
    headers = headers or {}
    prepare = before_each or (lambda: None)
    prepare()
    first = client.get(path, headers=headers)
    status, body = first.status_code, first.get_data()
    if status != expect:
        return Measured([], 0, 0.0, status, body)
    for _ in range(warmup):
        prepare()
        client.get(path, headers=headers)
    times = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
    prepare()
    with counting(app) as counter:
        client.get(path, headers=headers)
    prepare()
    tracemalloc.start()
    client.get(path, headers=headers)
    peak = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return Measured(times, counter.count, peak, status, body)


def measure_callable(function, *, repeat: int, warmup: int) -> Measured:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    body = function()
    peak = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return Measured(times, 0, peak, 200, body if isinstance(body, bytes) else b"")


def url_for_endpoint(app, endpoint: str, **values) -> str | None:
    """The path of an endpoint of this app, or None when the endpoint does not exist (yet)."""
    if endpoint not in app.view_functions:
        return None
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint, **values)


# ---------------------------------------------------------------- machine description

def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    info = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "os": platform.platform(),
    }
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            info["postgresql"] = connection.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001
        info["postgresql"] = "not reachable"
    try:
        info["memory"] = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False
                                        ).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError):
        pass
    return info


__all__ = ["Row", "Report", "database", "postgres_available", "make_app", "create_schema", "after_bulk_load",
           "signed_in_client", "measure_get", "measure_callable", "url_for_endpoint", "counting", "machine", "data"]
