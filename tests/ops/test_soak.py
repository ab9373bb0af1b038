"""The soak (bench/soak.py) in the suite, at a bounded size: 150 invitations sent through the guest
list's bulk form on PostgreSQL + Redis + gunicorn (2 workers) + mail workers + a real SMTP sink, while
public pages, guest list pages and invitees answering from their e-mails load the app, one mail worker
is SIGKILLed holding a claim, every database backend is terminated and a web worker is restarted.

It runs when PostgreSQL and Redis answer on loopback; without them it is skipped, except in CI
(CI=true), where it fails. The soak runs in a process group of its own with a scratch database of
its own, so whatever happens the test leaves no process and no database behind.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from tests.conftest import IN_CI, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379"
INVITATIONS, ANSWERS = 150, 40
#: The soak ends on progress, not time (bench/soak.py); this only stops a hung run. A quiet
#: 2-core machine takes about a minute.
TIMEOUT = 600


def require_servers() -> None:
    missing = []
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        missing.append(f"PostgreSQL at {POSTGRES_URL}")
    finally:
        engine.dispose()
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:  # refused or timed out
        missing.append(f"Redis at {REDIS_URL}")
    if missing:
        message = "the soak needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)


def group_members(group: int) -> list[int]:
    """Live processes in this process group (by /proc: the soak's children keep their parent's group)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def database_exists(name: str) -> bool:
    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                      {"n": name}).scalar_one() == 1
    finally:
        engine.dispose()


def drop_database(name: str) -> None:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def run_soak(database: str, out: Path) -> tuple[int, str, list[int]]:
    """Run the soak; return its exit status, its output and the processes it left behind (killed here)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.soak", "--invitations", str(INVITATIONS), "--answers", str(ANSWERS),
         "--database", database, "--json", str(out)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # the soak's own clean-up stops its processes and drops its database
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        output += f"\n(the soak was stopped after {TIMEOUT} s)"
    finally:
        leftovers = group_members(process.pid)
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
        drop_database(database)
    return process.returncode, output, leftovers


def test_every_invitation_is_delivered_once_and_every_answer_kept_through_the_faults(tmp_path):
    require_servers()
    database = f"convene_soak_test_{uuid.uuid4().hex[:8]}"
    status, output, leftovers = run_soak(database, tmp_path / "soak.json")
    assert status == 0, output[-8000:]
    result = json.loads((tmp_path / "soak.json").read_text())
    assert result["invitations_queued"] == INVITATIONS and result["statuses"] == {"sent": result["messages"]}
    assert result["lost"] == 0 and len(result["duplicates"]) <= 1  # at most the killed worker's message in flight
    assert result["answers_acknowledged"] == ANSWERS and result["answers_wrong"] == {}
    assert result["server_errors"] == 0 and result["tracebacks"] == 0 and result["unclean_503"] == 0
    assert result["tokens_in_web_log"] == 0
    assert [fault.split()[0] for fault in result["faults"]] == ["SIGKILL", "pg_terminate_backend", "gunicorn"]
    assert leftovers == [] and not database_exists(database)
