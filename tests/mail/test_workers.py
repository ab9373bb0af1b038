"""Several workers at once, and a worker killed in the middle of an SMTP transaction."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.mail.worker import claim, claim_ids, due_query, run

ROOT = Path(__file__).resolve().parents[2]


def statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(OutboxMessage.status)))


def slow_down(sink, seconds: float, on_enter=None) -> None:
    """Make the sink take `seconds` to answer DATA (the handler is cancelled if the client vanishes)."""
    accept = type(sink).handle_DATA

    async def slow(server, session, envelope):
        if on_enter:
            on_enter()
        await asyncio.sleep(seconds)
        return await accept(sink, server, session, envelope)
    sink.handle_DATA = slow


def test_two_threads_never_send_the_same_message(app, smtp_sink, queue):
    rows = [queue() for _ in range(24)]
    slow_down(smtp_sink, 0.005)
    start = threading.Barrier(2)
    errors = []

    def work(name):
        try:
            with app.app_context():
                start.wait()
                run(once=True, batch=3, worker_id=name)
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    delivered = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert set(delivered) == {r.message_id for r in rows}
    assert set(delivered.values()) == {1}, "no message was sent twice"
    assert statuses() == {"sent": 24}
    by_worker = Counter(db.session.scalars(sa.select(OutboxMessage.locked_by)))
    assert set(by_worker) == {"worker-1", "worker-2"}, "both workers took part"


def test_a_conditional_claim_loses_to_an_earlier_one(app, queue):
    """What SQLite relies on: a worker whose candidates were claimed meanwhile gets none of them."""
    for _ in range(4):
        queue()
    seen_by_a = list(db.session.scalars(due_query(10)))
    db.session.commit()
    assert len(claim(10, "worker-b")) == 4
    assert claim_ids(seen_by_a, "worker-a") == []
    assert Counter(db.session.scalars(sa.select(OutboxMessage.locked_by))) == {"worker-b": 4}


def test_postgresql_skips_rows_another_worker_has_locked(app, backend, queue):
    if backend != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's")
    rows = [queue() for _ in range(5)]
    with db.engine.connect() as other_worker:  # a second, real connection holding row locks
        other_worker.execute(sa.text("SELECT id FROM outbox_messages ORDER BY id LIMIT 2 FOR UPDATE"))
        started = time.monotonic()
        mine = claim(10, "worker-a")
        assert time.monotonic() - started < 1, "locked rows are skipped, not waited for"
        other_worker.rollback()
    assert mine == [r.id for r in rows[2:]]


def worker_env(app, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVENE_")}
    env.update({
        "CONVENE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONVENE_SECRET_KEY": "test-secret-key-for-the-worker",
        "CONVENE_MAIL_HOST": "127.0.0.1",
        "CONVENE_MAIL_PORT": str(app.config["MAIL_PORT"]),
        "CONVENE_LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


def start_worker(app, tmp_path, *args, **env) -> subprocess.Popen:
    with open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w") as log:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "convene", "worker", *args],
                                cwd=ROOT, env=worker_env(app, **env), stdout=log, stderr=subprocess.STDOUT)


def test_worker_killed_mid_batch_loses_and_duplicates_nothing(app, smtp_sink, queue, tmp_path):
    rows = [queue(subject=f"Invitation {n}") for n in range(6)]
    third_data = threading.Event()
    entered = []
    slow_down(smtp_sink, 1.0, on_enter=lambda: (entered.append(1), len(entered) == 3 and third_data.set()))

    worker = start_worker(app, tmp_path, "--batch", "2", "--poll", "0.1", CONVENE_MAIL_LOCK_TIMEOUT="0.5")
    try:
        # SIGKILL while the worker waits for the server's answer to the third message's DATA.
        assert third_data.wait(90), (tmp_path / os.listdir(tmp_path)[0]).read_text()
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()  # never leave a worker behind when the test fails early
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    assert statuses() == {"sent": 2, "sending": 2, "pending": 2}, "the third and fourth were claimed, not sent"
    assert len(smtp_sink.messages) == 2, "the interrupted message was never accepted"

    # A new worker takes over the dead one's messages once their lock (0.5 s here) has expired.
    restarted = start_worker(app, tmp_path, "--poll", "0.1", CONVENE_MAIL_LOCK_TIMEOUT="0.5")
    try:
        deadline = time.monotonic() + 90
        while statuses() != {"sent": 6} and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        restarted.send_signal(signal.SIGTERM)  # finishes its current message, then exits
        assert restarted.wait(30) == 0
    assert statuses() == {"sent": 6}
    delivered = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert delivered == Counter({r.message_id: 1 for r in rows}), "each message delivered exactly once"
    interrupted = db.session.get(OutboxMessage, rows[2].id)
    assert interrupted.attempts == 2 and interrupted.smtp_response.startswith("250")


def test_a_message_taken_over_after_the_lock_timeout_is_not_sent_by_the_old_worker(app, smtp_sink, queue,
                                                                                   configure):
    from convene.mail.worker import send_claimed

    rows = [queue(), queue()]
    ids = claim(10, "worker-slow")
    # worker-slow stalled past the lock timeout; worker-fast reclaimed the second message and holds it.
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == rows[1].id)
                       .values(locked_by="worker-fast"))
    db.session.commit()
    configure(MAIL_LOCK_TIMEOUT=0)  # makes worker-slow re-confirm its claim before every message
    assert send_claimed(ids, "worker-slow") == (1, 0)
    assert [m["Message-ID"] for m in smtp_sink.messages] == [rows[0].message_id]
    db.session.expire_all()
    second = db.session.get(OutboxMessage, rows[1].id)
    assert (second.status, second.locked_by) == ("sending", "worker-fast")


@pytest.mark.sqlite_only
def test_sigterm_finishes_the_current_message_and_hands_back_the_rest(app, smtp_sink, queue, tmp_path):
    rows = [queue() for _ in range(5)]
    first_data = threading.Event()
    slow_down(smtp_sink, 0.2, on_enter=first_data.set)
    worker = start_worker(app, tmp_path, "--batch", "5", "--poll", "0.1")
    try:
        assert first_data.wait(90)
        worker.send_signal(signal.SIGTERM)
    finally:
        assert worker.wait(30) == 0
    assert statuses() == {"sent": 1, "pending": 4}
    assert [m["Message-ID"] for m in smtp_sink.messages] == [rows[0].message_id]
    handed_back = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
    assert {(m.attempts, m.locked_by) for m in handed_back} == {(0, None)}
