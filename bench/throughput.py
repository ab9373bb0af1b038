"""Throughput of pages against the minimal route, both served by gunicorn (2 workers), loaded by wrk.

Measured as visitors meet the pages: the public timetables and their 304 answers with no cookie
against the anonymous minimal route; the organizers' editor with a session cookie against the
minimal route with the same cookie (session and user loading are part of both). The server counts
as up at its first HTTP 200, not when its port opens; a warm-up that reports no throughput is
retried, and a row that still cannot be measured fails the run instead of being skipped.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .cases import publish_conference
from .run import MINIMAL_PATH, Row, make_app, url_for_endpoint

ROOT = Path(__file__).resolve().parent.parent
DURATION_S = 5
WARMUP_S = 2
ATTEMPTS = 3


class ThroughputError(RuntimeError):
    """Throughput could not be measured: the run reports it and exits non-zero."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def _wait_for_first_200(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _get(port, MINIMAL_PATH, {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ThroughputError(f"gunicorn answered no HTTP 200 on {MINIMAL_PATH} within {timeout:.0f} s")


def _session_cookie(url: str, admin_id: int) -> str:
    """A signed session cookie for the admin, made with the app's own session interface."""
    app = make_app(url)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{admin_id}:bench-admin-1"
        session["_fresh"] = True
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def _wrk(url: str, headers: dict, seconds: int) -> tuple[float, str]:
    """Requests per second reported by wrk (2 threads, 8 connections) and a note on non-2xx answers."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return (float(match.group(1)) if match else 0.0), (f"; {errors.group(1)} non-2xx answers" if errors else "")


def _measure(url: str, headers: dict) -> tuple[float, str]:
    """Warm up (retried until wrk reports throughput), then measure for DURATION_S."""
    for _ in range(ATTEMPTS):
        if _wrk(url, headers, WARMUP_S)[0] > 0:
            rate, note = _wrk(url, headers, DURATION_S)
            if rate > 0:
                return rate, note
    raise ThroughputError(f"wrk reported no throughput for {url} after {ATTEMPTS} attempts")


def _targets(url: str, shapes, cookie: str) -> list[tuple[str, str, dict, float, int]]:
    """(label, path, headers, target ratio, expected status) for each page; the minimal route's headers match."""
    app = make_app(url)
    publish_conference(app, shapes)
    timetable = url_for_endpoint(app, "agenda.public", slug=shapes.conference_slug)
    return [
        ("public timetable (conference, 200 sessions, anonymous)", timetable, {}, 0.40, 200),
        ("public timetable (roundtable, 30 items, anonymous)",
         url_for_endpoint(app, "agenda.public", slug=shapes.roundtable_slug), {}, 0.40, 200),
        ("public timetable revalidated (If-None-Match → 304, anonymous)", timetable, {"If-None-Match": None},
         0.60, 304),
        ("organizers' agenda editor (signed in; minimal route signed in too)",
         url_for_endpoint(app, "agenda.index", convening_id=shapes.conference_id), {"Cookie": cookie}, 0.0, 200),
    ]


def _check(port: int, label: str, path: str, headers: dict, status: int) -> dict:
    """The headers wrk must send; fails when the page does not answer as it must (wrk counts redirects as done)."""
    if "If-None-Match" in headers:
        etag = _get(port, path, {})[1].get("ETag")
        if not etag:
            raise ThroughputError(f"{label}: GET {path} sends no ETag, so there is no 304 to measure")
        headers = {**headers, "If-None-Match": etag}
    answered = _get(port, path, headers)[0]
    if answered != status:
        raise ThroughputError(f"{label}: GET {path} through gunicorn answered HTTP {answered}, not {status}")
    return headers


def run(url: str, shapes, *, backend: str) -> list[Row]:
    """One row per page; raises ThroughputError when a row cannot be measured."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if shutil.which("wrk") is None:
        raise ThroughputError("wrk is not installed (make bench installs it: apt-get install wrk)")
    cookie = _session_cookie(url, shapes.admin_id)
    targets = _targets(url, shapes, cookie)
    port = _free_port()
    env = {**os.environ, "CONVENE_BENCH_DATABASE_URL": url}
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "bench.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    rows = []
    try:
        _wait_for_first_200(port)
        base = f"http://127.0.0.1:{port}"
        minimal = {}
        for label, path, headers, target, status in targets:
            headers = _check(port, label, path, headers, status)
            floor_headers = {"Cookie": cookie} if "Cookie" in headers else {}
            key = tuple(floor_headers)
            if key not in minimal:
                minimal[key] = _measure(base + MINIMAL_PATH, floor_headers)
            floor, floor_note = minimal[key]
            page, page_note = _measure(base + path, headers)
            ratio = page / floor
            rows.append(Row(backend, "throughput", f"{label} ÷ minimal route (gunicorn 2 workers, wrk)",
                            target=f"≥ {target:.0%}" if target else "", met=(ratio >= target) if target else None,
                            note=f"{ratio:.0%}: GET {path} {page:,.0f} req/s{page_note}, minimal route "
                                 f"{floor:,.0f} req/s{floor_note}; {DURATION_S} s each, 8 connections on loopback"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the process group we started: gunicorn and its workers
        server.wait(timeout=20)
    return rows
