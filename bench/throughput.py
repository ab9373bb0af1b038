"""Throughput of the agenda page against a minimal route, both served by gunicorn (2 workers) and
loaded by wrk on loopback for a bounded time. Skipped with a note when wrk or gunicorn is missing."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .run import Row, make_app, url_for_endpoint

ROOT = Path(__file__).resolve().parent.parent
DURATION_S = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _session_cookie(url: str, admin_id: int) -> str:
    """A signed session cookie for the admin, made with the app's own session interface."""
    app = make_app(url)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{admin_id}:bench-admin-1"
        session["_fresh"] = True
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def _wrk(url: str, cookie: str) -> tuple[float, str]:
    """Requests per second reported by wrk for `url` (2 threads, 8 connections, DURATION_S seconds)."""
    result = subprocess.run(["wrk", "-t2", "-c8", f"-d{DURATION_S}s", "-H", f"Cookie: {cookie}", url],
                            capture_output=True, text=True, timeout=DURATION_S + 30, check=False)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    note = f"; {errors.group(1)} non-2xx responses" if errors else ""
    return (float(match.group(1)) if match else 0.0), note


def _status(port: int, path: str, cookie: str) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        return connection.getresponse().status
    finally:
        connection.close()


#: (row label, endpoint, URL values from shapes): the participants' timetable is the meeting agenda
#: page; the organizers' editor (the draft with edit controls) is measured as an extra row.
PAGES = (
    ("throughput: meeting agenda page (public timetable) ÷ minimal route (gunicorn 2 workers, wrk)",
     "agenda.public", lambda s: {"slug": s.conference_slug}),
    ("throughput: organizers' agenda editor ÷ minimal route (gunicorn 2 workers, wrk)",
     "agenda.index", lambda s: {"convening_id": s.conference_id}),
)


def run(url: str, shapes, *, backend: str) -> list[Row]:
    rows = [Row(backend, "comparison", label, target="≥ 40 %") for label, _, _ in PAGES]

    def skipped(note: str) -> list[Row]:
        for row in rows:
            row.note = note
        return rows

    gunicorn = Path(sys.executable).with_name("gunicorn")
    if shutil.which("wrk") is None:
        return skipped("skipped: wrk is not installed (apt-get install wrk)")
    if not gunicorn.exists():
        return skipped("skipped: gunicorn is not installed")
    app = make_app(url)
    from .cases import publish_conference

    publish_conference(app, shapes)  # the public timetable shows the latest published version
    paths = [url_for_endpoint(app, endpoint, **values(shapes)) for _, endpoint, values in PAGES]
    port = _free_port()
    env = {**os.environ, "CONVENE_BENCH_DATABASE_URL": url}
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "bench.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        if not _wait_for(port):
            return skipped("skipped: gunicorn did not start")
        cookie = _session_cookie(url, shapes.admin_id)
        base = f"http://127.0.0.1:{port}"
        _wrk(base + "/__bench__/minimal", cookie)  # warm both workers
        minimal, note_min = _wrk(base + "/__bench__/minimal", cookie)
        measured = []
        for row, path in zip(rows, paths):
            status = _status(port, path, cookie) if path else None
            if status != 200:  # wrk counts redirects as successes: make sure the page itself is served
                row.note = f"skipped: GET {path} through gunicorn answered HTTP {status}" if path \
                    else "skipped: page not built yet"
                measured.append(None)
                continue
            measured.append(_wrk(base + path, cookie))
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the process group we started: gunicorn and its workers
        server.wait(timeout=20)
    if not minimal:
        return skipped("skipped: wrk reported no throughput")
    for row, path, result in zip(rows, paths, measured):
        if result is None:
            continue
        page, note_page = result
        ratio = page / minimal
        row.met = ratio >= 0.40
        row.note = (f"{ratio:.0%}: GET {path} {page:,.0f} req/s{note_page}, minimal route {minimal:,.0f} req/s"
                    f"{note_min}; {DURATION_S} s each, 8 connections on loopback, signed in as an administrator")
    return rows
