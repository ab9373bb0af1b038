"""`make soak`: the production shape under load and faults, bounded by progress, loopback only.

PostgreSQL (a scratch database of its own) + Redis + gunicorn (2 workers, deploy/gunicorn.conf.py)
+ 2 mail workers + a real SMTP sink. Paced clients load public agenda pages and .ics files, guest
list pages, and invitees answering from the links in the delivered e-mails, while an organizer
sends N invitations through the guest list's bulk "Send" form. The faults happen at set points
of the delivery: at 15% one mail worker is SIGKILLed while it holds a claim and another started,
at 40% every PostgreSQL backend is terminated, at 60% one gunicorn worker is restarted. The run
ends when everything is delivered and answered, or fails when nothing has progressed for
SOAK_STALL_SECONDS; wall time alone never ends it (SOAK_MAX_SECONDS is only a safety net).

Then it checks: every invitation queued once and delivered, counted by Message-ID; duplicates only
inside the documented at-least-once window (the SIGKILLed worker's message in flight: at most one);
every acknowledged answer in the database; no 5xx but clean 503 pages during the database restart;
no traceback and no personal-link token in the web log.

    python -m bench.soak [--invitations N] [--answers N] [--record] [--json PATH] [--database NAME]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from .soak_load import HOME_LINK, Load, Recorder, percentile, start_sink
from .soak_report import machine, print_logs, problems, record, report

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADMIN_URL = os.environ.get("CONVENE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379")
LOCK_TIMEOUT = 10  # a SIGKILLed worker's claims come back this fast (production: 300 s)
#: (share of the invitations delivered, fault); each happens once, in this order.
FAULT_POINTS = ((0.15, "kill mail worker"), (0.40, "terminate backends"), (0.60, "restart web worker"))


@dataclass
class Settings:
    invitations: int = int(os.environ.get("SOAK_INVITATIONS", 500))
    #: Invitees who open their link and answer during the run (GET, POST with the form's token, .ics).
    answers: int = int(os.environ.get("SOAK_ANSWERS", 150))
    #: Invitations per bulk "Send" POST.
    batch: int = 50
    #: The run fails when nothing was queued, sent or delivered and no answer acknowledged for this long.
    stall: float = float(os.environ.get("SOAK_STALL_SECONDS", 90))
    #: A safety net only: a run that keeps progressing is never cut short before this.
    limit: float = float(os.environ.get("SOAK_MAX_SECONDS", 1200))
    database: str = field(default_factory=lambda: f"convene_soak_{uuid.uuid4().hex[:10]}")


class Soak:
    """The processes, the scratch database and the faults; `stop_all` and `drop` always run."""

    def __init__(self, work: Path, settings: Settings):
        self.work, self.settings = work, settings
        self.admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.url = sa.make_url(ADMIN_URL).set(database=settings.database)
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.processes: dict[str, subprocess.Popen] = {}
        self.descendants: dict[int, str] = {}  # pid: its start time, so a reused pid is never killed
        self.faults: list[str] = []
        self.fault_times: dict[str, float] = {}
        self.phases: dict[str, float] = {}

    def env(self, sink_port: int, web_port: int) -> dict:
        return {**os.environ, "PYTHONPATH": str(ROOT), "CONVENE_DATABASE_URL": self.url.render_as_string(False),
                "CONVENE_SECRET_KEY": uuid.uuid4().hex * 2, "CONVENE_BASE_URL": f"http://127.0.0.1:{web_port}",
                "CONVENE_PROXY_HOPS": "1", "CONVENE_RATELIMIT_STORAGE_URI": REDIS_URL,
                "CONVENE_RATELIMIT_KEY_PREFIX": self.settings.database, "CONVENE_MAIL_EMBEDDED": "false",
                "CONVENE_MAIL_HOST": "127.0.0.1", "CONVENE_MAIL_PORT": str(sink_port),
                "CONVENE_MAIL_LOCK_TIMEOUT": str(LOCK_TIMEOUT), "CONVENE_MAIL_BATCH": "10",
                "CONVENE_UPLOADS_DIR": str(self.work / "uploads"), "CONVENE_LOG_FORMAT": "json",
                "CONVENE_LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "2", "CONVENE_BIND": f"127.0.0.1:{web_port}",
                "CONVENE_MAX_REQUESTS": "0"}

    @contextmanager
    def phase(self, name: str):
        """Time a phase of the run into `phases` (seconds), however it ends."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = round(time.monotonic() - started, 1)

    def create_database(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{self.settings.database}"'))

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.settings.database}" WITH (FORCE)'))
        self.admin.dispose()

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        with open(self.work / f"{name}.log", "ab") as log:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def result_of(self, name: str) -> dict:
        """Wait for a one-off process; the JSON line its output ends with, or why it failed."""
        log = self.work / f"{name}.log"
        if self.processes[name].wait() != 0:
            raise RuntimeError(f"{name} failed:\n{log.read_text(errors='replace')[-3000:]}")
        return json.loads(next(line for line in reversed(log.read_text().splitlines()) if line.startswith("{")))

    def start_mail_worker(self, name: str, env: dict) -> None:
        self.start(name, [PY, "-m", "flask", "--app", "convene", "worker", "--poll", "0.2"], env)

    def gunicorn_workers(self) -> list[int]:
        workers = children(self.processes["web"].pid)
        self.descendants.update({pid: started_at(pid) for pid in workers})
        return workers

    def stop_all(self) -> None:
        """SIGTERM every process started (SIGQUIT to gunicorn: the load is over, nothing waits for an
        answer), then SIGKILL whatever is left after 15 s, gunicorn's workers included."""
        for process in self.processes.values():
            self.descendants.update({pid: started_at(pid) for pid in descendants(process.pid)})
        for name, process in self.processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "web" else signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for pid, start in self.descendants.items():  # a worker that outlived its master (by pid, never by name)
            if alive(pid) and started_at(pid) == start:
                os.kill(pid, signal.SIGKILL)

    def query(self, sql: str, **params) -> list[tuple]:
        """Read the soak's database from outside the app; retried across the database restart."""
        for attempt in range(20):
            try:
                with self.engine.connect() as connection:
                    return list(connection.execute(sa.text(sql), params))
            except (sa.exc.OperationalError, sa.exc.InterfaceError):
                time.sleep(0.2 * (attempt + 1))
        raise RuntimeError("the soak's database does not answer")

    def terminate_backends(self) -> int:
        with self.admin.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d"),
                {"d": self.settings.database}).scalar_one()

    def claims_of(self, process: subprocess.Popen) -> int:
        """How many messages this mail worker holds claimed (locked_by is host:pid:random)."""
        return self.query("SELECT count(*) FROM outbox_messages WHERE status = 'sending' AND locked_by LIKE :p",
                          p=f"%:{process.pid}:%")[0][0]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (state first); [] once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def alive(pid: int) -> bool:
    return stat(pid)[:1] not in ([], ["Z"])


def started_at(pid: int) -> str:
    return (stat(pid) or [""] * 20)[19]


class Faults:
    """The three faults, each at its point of the delivery (FAULT_POINTS), driven by the soak's main loop."""

    def __init__(self, soak: Soak, env: dict, invitations: int):
        self.soak, self.env, self.invitations = soak, env, invitations
        self.done = 0

    @property
    def all_done(self) -> bool:
        return self.done == len(FAULT_POINTS)

    def step(self, delivered: int) -> None:
        while not self.all_done and delivered >= FAULT_POINTS[self.done][0] * self.invitations:
            getattr(self, FAULT_POINTS[self.done][1].replace(" ", "_"))(delivered)
            self.soak.fault_times[FAULT_POINTS[self.done][1]] = time.monotonic()
            self.done += 1

    def kill_mail_worker(self, delivered: int) -> None:
        """SIGKILL worker 1 while it holds a claim (looked for during up to 20 s), then start a third."""
        worker = self.soak.processes["mail-1"]
        deadline = time.monotonic() + 20
        while (held := self.soak.claims_of(worker)) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        self.soak.start_mail_worker("mail-3", self.env)
        self.soak.faults.append(f"SIGKILL of mail worker 1 holding {held} claimed message(s), after {delivered} "
                                "invitations delivered; mail worker 3 started")

    def terminate_backends(self, delivered: int) -> None:
        killed = self.soak.terminate_backends()
        self.soak.faults.append(f"pg_terminate_backend of all {killed} backends after {delivered} delivered")

    def restart_web_worker(self, delivered: int) -> None:
        before = self.soak.gunicorn_workers()
        os.kill(before[0], signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (set(self.soak.gunicorn_workers()) - set(before)):
            time.sleep(0.1)
        replaced = set(self.soak.gunicorn_workers()) - set(before)
        self.soak.faults.append(f"gunicorn worker restarted after {delivered} delivered (SIGTERM; "
                                + ("the master started another)" if replaced else "NOT replaced within 60 s)"))


def run(work: Path, settings: Settings) -> dict:
    from tests.fixtures.smtp import free_port

    soak, controller = Soak(work, settings), None
    try:
        with soak.phase("setup"):
            soak.create_database()
            sink, controller = start_sink(delay=0.01)
            web_port = free_port()
            env = soak.env(controller.port, web_port)
            soak.start("setup", [PY, "-m", "bench.soak_app", "setup", str(settings.invitations)], env)
            # gunicorn boots while the database is migrated and seeded; /readyz answers once both are done
            soak.start("web", [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "convene:create_app()"], env)
            world = soak.result_of("setup")
            soak.start_mail_worker("mail-1", env)
            soak.start_mail_worker("mail-2", env)
            recorder = Recorder()
            load = Load(f"127.0.0.1:{web_port}", world, sink, recorder, answers=settings.answers,
                        batch=settings.batch)
            load.wait_ready(180)
        with soak.phase("load"):
            load.start_threads()
            try:
                stalled = drive(soak, Faults(soak, env, settings.invitations), load, sink, time.monotonic())
            finally:
                load.join(RETRY_JOIN)
        died = [name for name, process in soak.processes.items()
                if name not in ("setup", "mail-1") and process.poll() is not None]
        result = check(soak, sink, load, recorder, soak.phases["load"], stalled)
        result["died"] = died
        if died:
            result["problems"].append(f"processes that died during the run: {died}")
        result["phases"] = soak.phases  # the teardown below adds "stop" and "drop"
        return result
    finally:
        with soak.phase("stop"):
            soak.stop_all()
            if controller is not None:
                controller.stop()
        with soak.phase("drop"):
            soak.drop()


RETRY_JOIN = 120  # seconds a client may still be retrying one request after the load stopped



def drive(soak: Soak, faults: Faults, load: Load, sink, started: float) -> str | None:
    """Run the faults at their points until the work is done; say why not when it stalls."""
    settings, last, last_change = soak.settings, None, time.monotonic()
    while True:
        faults.step(len(sink.links))
        messages, pending = soak.query("SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'sending')) "
                                       "FROM outbox_messages")[0]
        progress = (load.queued, messages, pending, sink.messages, len(load.acknowledged), faults.done)
        if load.sending_done.is_set() and len(load.acknowledged) >= min(settings.answers, settings.invitations) \
                and not pending and faults.all_done and len(sink.links) >= settings.invitations:
            return None
        if load.failures:
            return "a client failed"
        now = time.monotonic()
        if progress != last:
            last, last_change = progress, now
        elif now - last_change > settings.stall:
            return (f"no progress for {settings.stall:.0f} s: {load.queued} invitations queued, {messages} messages "
                    f"in the outbox, {pending} pending, {sink.messages} delivered, {len(load.acknowledged)} answers, "
                    f"{faults.done} faults")
        if now - started > settings.limit:
            return f"still progressing after the {settings.limit:.0f} s safety limit"
        time.sleep(0.25)


def check(soak: Soak, sink, load: Load, recorder: Recorder, seconds: float, stalled: str | None) -> dict:
    rows = soak.query("SELECT message_id, status, kind, invitation_id, text FROM outbox_messages")
    answers = dict(soak.query("SELECT id, status FROM invitations"))
    delivered = Counter(sink.message_ids)
    invitations = Counter(r[3] for r in rows if r[2] == "invitation")
    duplicates = {mid: n for mid, n in delivered.items() if n > 1}
    lost = [r[0] for r in rows if r[0] not in delivered]
    invitation_of = {token: r[3] for r in rows if r[3] for token in HOME_LINK.findall(r[4])}
    expected: dict[int, str] = {}  # the last acknowledged answer per invitation, whichever link carried it
    for _, token, choice in sorted(load.acknowledged_in_order):
        expected[invitation_of.get(token)] = choice
    wrong = {invitation: (choice, answers.get(invitation)) for invitation, choice in expected.items()
             if answers.get(invitation) != choice}
    web_log = (soak.work / "web.log").read_text(errors="replace")
    restart = soak.fault_times.get("terminate backends", float("inf"))
    result = {
        "seconds": round(seconds), "invitations": soak.settings.invitations,
        "invitations_queued": sum(invitations.values()), "messages": len(rows),
        "statuses": dict(Counter(r[1] for r in rows)), "delivered": sum(delivered.values()),
        "lost": len(lost), "duplicates": duplicates, "answers_acknowledged": len(load.acknowledged),
        "answers_expected": min(soak.settings.answers, soak.settings.invitations),
        "answers_wrong": wrong, "status_codes": dict(recorder.codes),
        "server_errors": sum(n for code, n in recorder.codes.items() if code >= 500 and code != 503),
        "unavailable": len(recorder.unavailable),
        "unclean_503": sum(not clean for _, _, clean in recorder.unavailable),
        "503_before_the_restart": sum(when < restart for when, _, _ in recorder.unavailable),
        "tracebacks": web_log.count("Traceback"),
        "tokens_in_web_log": sum(token in web_log for token in sink.seen),
        "faults": soak.faults, "faults_planned": len(FAULT_POINTS), "clients": load.clients,
        "latency": {kind: (percentile(times, 50), percentile(times, 95), len(times))
                    for kind, times in sorted(recorder.times.items())},
    }
    result["problems"] = problems(result, invitations, stalled, load.failures)
    return result


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=Settings.invitations)
    parser.add_argument("--answers", type=int, default=Settings.answers)
    parser.add_argument("--database", help="the scratch database's name (created, then dropped)")
    parser.add_argument("--json", type=Path, help="also write the result as JSON here")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/performance.md")
    return parser.parse_args()


def missing_servers() -> list[str]:
    """The soak needs PostgreSQL and Redis on loopback (`.ci/run` starts both)."""
    import redis

    missing = []
    try:
        with sa.create_engine(ADMIN_URL, poolclass=sa.pool.NullPool).connect():
            pass
    except sa.exc.OperationalError:
        missing.append(f"PostgreSQL at {ADMIN_URL}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:  # refused or timed out
        missing.append(f"Redis at {REDIS_URL}")
    return missing


def main() -> int:
    args = arguments()
    if missing := missing_servers():
        print("The soak needs " + " and ".join(missing) + " (.ci/run starts both).", file=sys.stderr)
        return 2
    settings = Settings(invitations=args.invitations, answers=args.answers)
    if args.database:
        settings.database = args.database
    # SIGTERM (a CI timeout, the test's own limit) unwinds like Ctrl-C, so the finally blocks stop every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    before, started = machine(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="convene-soak-") as work:
        result = run(Path(work), settings)
        result.update(machine_before=before, machine_after=machine(), total_seconds=round(time.monotonic() - started),
                      date=datetime.now(timezone.utc).strftime("%-d %B %Y %H:%M UTC"), settings=asdict(settings))
        text = report(result)
        print(text)
        if args.json:
            args.json.write_text(json.dumps(result, default=str, indent=1))
        if result["problems"]:
            print_logs(Path(work))
            print("SOAK FAILED:\n- " + "\n- ".join(result["problems"]))
            return 1
    if args.record:
        record(text)
    print("Soak passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
