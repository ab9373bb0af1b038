"""`make soak`: the production shape under load and faults, bounded to a few minutes, loopback only.

PostgreSQL + Redis + gunicorn (2 workers, deploy/gunicorn.conf.py) + 2 mail workers + a real SMTP
sink. A bounded load mixes public agenda views, .ics feeds, guest list pages and attendee answers
(taken from the links in the delivered invitations) while 500 invitations are sent. Meanwhile:
one mail worker is SIGKILLed mid-batch and another started, every PostgreSQL backend is
terminated once, one gunicorn worker is restarted. Then it checks: every invitation delivered,
duplicates only inside the documented at-least-once window (counted), no acknowledged answer
lost, no 500 and no traceback; and reports p50/p95 per kind of request.

    python -m bench.soak [--record]     (--record rewrites the soak section of docs/performance.md)
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from .soak_load import Load, Recorder, percentile

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADMIN_URL = os.environ.get("CONVENE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: The load runs at least this long, and until the 500 invitations are sent and answered, at most MAX_SECONDS.
LOAD_SECONDS = float(os.environ.get("SOAK_SECONDS", 60))
MAX_SECONDS = float(os.environ.get("SOAK_MAX_SECONDS", 240))
#: Invitees who open their link and answer during the run (each is a GET and a POST with the form's token).
ANSWERS = int(os.environ.get("SOAK_ANSWERS", 150))
LOCK_TIMEOUT = 10  # a SIGKILLed worker's claims come back this fast (production: 300 s)


class Soak:
    def __init__(self, work: Path):
        self.work = work
        self.database = f"convene_soak_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.url = sa.make_url(ADMIN_URL).set(database=self.database)
        self.processes: dict[str, subprocess.Popen] = {}
        self.faults: list[str] = []

    def env(self, sink_port: int, web_port: int) -> dict:
        return {**os.environ, "PYTHONPATH": str(ROOT), "CONVENE_DATABASE_URL": self.url.render_as_string(False),
                "CONVENE_SECRET_KEY": uuid.uuid4().hex * 2, "CONVENE_BASE_URL": f"http://127.0.0.1:{web_port}",
                "CONVENE_PROXY_HOPS": "1", "CONVENE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                "CONVENE_RATELIMIT_KEY_PREFIX": self.database, "CONVENE_MAIL_EMBEDDED": "false",
                "CONVENE_MAIL_HOST": "127.0.0.1", "CONVENE_MAIL_PORT": str(sink_port),
                "CONVENE_MAIL_LOCK_TIMEOUT": str(LOCK_TIMEOUT), "CONVENE_MAIL_BATCH": "10",
                "CONVENE_UPLOADS_DIR": str(self.work / "uploads"), "CONVENE_LOG_FORMAT": "json",
                "CONVENE_LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "2", "CONVENE_BIND": f"127.0.0.1:{web_port}",
                "CONVENE_MAX_REQUESTS": "0"}

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start_mail_worker(self, name: str, env: dict) -> None:
        self.start(name, [PY, "-m", "flask", "--app", "convene", "worker", "--poll", "0.2"], env)

    def terminate_backends(self) -> int:
        with self.admin.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d"),
                {"d": self.database}).scalar_one()

    def gunicorn_workers(self) -> list[int]:
        master = self.processes["web"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def outbox(self) -> list[tuple]:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return list(connection.execute(sa.text(
                    "SELECT message_id, status, kind, invitation_id, text FROM outbox_messages")))
        finally:
            engine.dispose()

    def answers(self) -> dict[int, str]:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return dict(connection.execute(sa.text("SELECT id, status FROM invitations")).all())
        finally:
            engine.dispose()

    def stop_all(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        self.admin.dispose()


def run(work: Path) -> dict:
    from tests.fixtures.smtp import free_port

    from .soak_load import start_sink

    soak = Soak(work)
    with soak.admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{soak.database}"'))
    sink, controller = start_sink(delay=0.01)
    web_port = free_port()
    env = soak.env(controller.port, web_port)
    try:
        subprocess.run([PY, "-m", "flask", "--app", "convene", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        world = json.loads(subprocess.run([PY, "-m", "bench.soak_app", "seed"], cwd=ROOT, env=env, check=True,
                                          capture_output=True, text=True).stdout.splitlines()[-1])
        soak.start("web", [str(Path(PY).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "convene:create_app()"],
                   env)
        soak.start_mail_worker("mail-1", env)
        soak.start_mail_worker("mail-2", env)
        recorder = Recorder()
        load = Load(f"127.0.0.1:{web_port}", world, sink, recorder, answers=ANSWERS)
        load.wait_ready(120)
        started = time.monotonic()
        soak.start("sender", [PY, "-m", "bench.soak_app", "send", json.dumps(world["invitation_ids"])], env)
        threads = load.start_threads()
        inject_faults(soak, sink, env, world, started)
        sender = soak.processes["sender"]
        while time.monotonic() - started < MAX_SECONDS and (
                time.monotonic() - started < LOAD_SECONDS or sender.poll() is None
                or len(load.acknowledged) < ANSWERS):
            time.sleep(0.5)
        load.stop.set()
        for thread in threads:
            thread.join(60)
        wait_for_outbox(soak, deadline=time.monotonic() + LOCK_TIMEOUT * 6)
        if sender.poll() is None:  # say what it waits for before it is stopped
            with soak.admin.connect() as connection:
                soak.faults.append("sender still running; database sessions: " + str(connection.execute(sa.text(
                    "SELECT application_name, state, wait_event_type, wait_event, left(query, 120) "
                    "FROM pg_stat_activity WHERE datname = :d"), {"d": soak.database}).all()))
        return check(soak, sink, load, recorder, time.monotonic() - started)
    finally:
        soak.stop_all()
        controller.stop()
        soak.drop()


def inject_faults(soak: Soak, sink, env: dict, world: dict, started: float) -> None:
    """Start the three faults on a thread, each when mail is flowing, so they meet work in flight."""
    def wait_for(count: int) -> None:
        while len(sink.messages) < count and time.monotonic() - started < MAX_SECONDS:
            time.sleep(0.05)

    def faults() -> None:
        wait_for(60)
        soak.processes["mail-1"].send_signal(signal.SIGKILL)
        soak.faults.append(f"SIGKILL mail worker 1 after {len(sink.messages)} messages; started mail worker 3")
        soak.start_mail_worker("mail-3", env)
        wait_for(200)
        killed = soak.terminate_backends()
        soak.faults.append(f"pg_terminate_backend: {killed} backends after {len(sink.messages)} messages")
        wait_for(300)
        workers = soak.gunicorn_workers()
        if workers:
            os.kill(workers[0], signal.SIGTERM)
            soak.faults.append(f"gunicorn worker {workers[0]} restarted (SIGTERM; the master starts another)")
    threading.Thread(target=faults, name="faults", daemon=True).start()


def wait_for_outbox(soak: Soak, deadline: float) -> None:
    while time.monotonic() < deadline:
        if {row[1] for row in soak.outbox()} <= {"sent", "failed"}:
            return
        time.sleep(0.5)


def check(soak: Soak, sink, load: Load, recorder: Recorder, seconds: float) -> dict:
    rows = soak.outbox()
    delivered = Counter(sink.message_ids)
    invitations = [r for r in rows if r[2] == "invitation"]
    duplicates = {mid: n for mid, n in delivered.items() if n > 1}
    lost = [r[0] for r in rows if r[0] not in delivered]
    answers = soak.answers()
    invitation_of = {token: r[3] for r in rows if r[3] for token in re.findall(r"/rsvp/([\w-]+)", r[4])}
    expected: dict[int, str] = {}  # the last acknowledged answer per invitation, whichever link carried it
    for _, token, choice in sorted(load.acknowledged_in_order):
        expected[invitation_of.get(token)] = choice
    wrong = {invitation: (choice, answers.get(invitation)) for invitation, choice in expected.items()
             if answers.get(invitation) != choice}
    web_log = (soak.work / "web.log").read_text(errors="replace")
    result = {
        "seconds": round(seconds), "invitations_queued": len(invitations), "messages": len(rows),
        "statuses": dict(Counter(r[1] for r in rows)), "delivered": sum(delivered.values()),
        "lost": len(lost), "duplicates": duplicates, "answers_acknowledged": len(load.acknowledged),
        "answers_wrong": wrong, "status_codes": dict(recorder.codes), "server_errors": recorder.codes.get(500, 0),
        "tracebacks": web_log.count("Traceback"), "faults": soak.faults,
        "latency": {kind: (percentile(times, 50), percentile(times, 95), len(times))
                    for kind, times in sorted(recorder.times.items())},
    }
    problems = []
    if len(invitations) != len(load.world["invitation_ids"]):
        problems.append(f"{len(invitations)} of {len(load.world['invitation_ids'])} invitations queued")
    if lost or result["statuses"].keys() - {"sent"}:
        problems.append(f"not delivered: {len(lost)}; outbox states {result['statuses']}")
    if len(duplicates) > 1 or any(n > 2 for n in duplicates.values()):
        problems.append(f"duplicates beyond the one-message window of the killed worker: {duplicates}")
    if wrong:
        problems.append(f"acknowledged answers not in the database: {wrong}")
    if result["server_errors"] or result["tracebacks"]:
        problems.append(f"{result['server_errors']} answers 500, {result['tracebacks']} tracebacks in web.log")
    if load.failures:
        problems.append(f"load threads: {load.failures[:5]}")
    if len(soak.faults) != 3 or soak.processes["sender"].poll() is None:
        problems.append(f"only these faults happened: {soak.faults}")
    result["problems"] = problems
    return result


def report(result: dict) -> str:
    lines = ["| request | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    lines += [f"| {kind} | {n} | {p50:.0f} | {p95:.0f} |" for kind, (p50, p95, n) in result["latency"].items()]
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result["status_codes"].items()))
    return "\n".join(lines + [
        "", f"Run of {result['seconds']} s: {result['invitations_queued']} invitations queued, "
        f"{result['messages']} messages in all, {result['delivered']} deliveries, {result['lost']} lost, "
        f"{len(result['duplicates'])} delivered twice (the at-least-once window: the SIGKILLed worker's message "
        f"in flight); {result['answers_acknowledged']} attendee answers acknowledged, "
        f"{len(result['answers_wrong'])} lost; responses {codes}; {result['server_errors']} server errors, "
        f"{result['tracebacks']} tracebacks.", "", "Faults: " + "; ".join(result["faults"]) + "."])


def record(text: str) -> None:
    path = ROOT / "docs" / "performance.md"
    begin, end = "<!-- soak:begin -->", "<!-- soak:end -->"
    page = path.read_text()
    block = f"{begin}\n{text}\n{end}"
    page = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, page, flags=re.S) \
        if begin in page else page.rstrip() + "\n\n## Soak (`make soak`)\n\n" + block + "\n"
    path.write_text(page)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="convene-soak-") as work:
        result = run(Path(work))
        text = report(result)
        print(text)
        if result["problems"]:
            for name in ("web", "mail-1", "mail-2", "mail-3", "sender"):
                log = Path(work) / f"{name}.log"
                if log.exists():
                    print(f"--- {name}.log (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
            web_log = (Path(work) / "web.log").read_text(errors="replace")
            print("--- log lines with a traceback in web.log")
            lines = web_log.splitlines()
            for n, line in enumerate(lines):
                if "Traceback" in line:  # the block runs until the next unindented line after the error
                    end = next((m for m in range(n + 1, len(lines)) if lines[m] and not lines[m][0].isspace()), n)
                    print("\n".join(lines[max(0, n - 2):end + 1])[-4000:].replace("\\n", "\n"))
            print("SOAK FAILED:\n- " + "\n- ".join(result["problems"]))
            return 1
    if "--record" in sys.argv:
        record(text)
    print("Soak passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
