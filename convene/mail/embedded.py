"""For `flask serve` / `make run`: a local SMTP sink and a worker thread, so mail works with no server.

The sink (aiosmtpd) saves every message it receives as instance/mail-sink/<timestamp>-<n>.eml;
the worker thread delivers the outbox to it every 2 seconds. Both are daemon threads of the
web process. They only start when MAIL_EMBEDDED is true (the default) and MAIL_HOST is a
loopback address: a real SMTP server configured elsewhere gets real workers instead.
"""
from __future__ import annotations

import ipaddress
import itertools
import logging
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask

from .worker import new_worker_id, run

log = logging.getLogger(__name__)

#: What start_embedded started, so stop_embedded can stop it.
_running: dict = {}


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class FileSink:
    """An aiosmtpd handler that writes each message to its own .eml file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{next(self.counter)}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, path)  # readers never see half a message
        return f"250 2.0.0 Saved as {path.name}"


def sink_directory(app: Flask) -> Path:
    directory = Path(app.config.get("MAIL_SINK_DIR") or Path(app.instance_path) / "mail-sink")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def port_free(host: str, port: int) -> OSError | None:
    """None when host:port can be listened on, else the error (checked first: aiosmtpd only
    notices a taken port after its full ready timeout)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def start_sink(app: Flask, host: str, port: int) -> str:
    """Start the sink; a short description, or why it could not start."""
    from aiosmtpd.controller import Controller

    directory = sink_directory(app)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    error = port_free(host, port)
    controller = None
    if error is None:
        controller = Controller(FileSink(directory), hostname=host, port=port, ready_timeout=5)
        try:
            controller.start()
        except Exception as start_error:  # lost a race for the port, or too slow to start
            controller.loop.close()
            controller, error = None, start_error
    if controller is None:  # say so and carry on: the worker delivers to whatever listens there
        log.warning("local mail sink not started on %s:%s: %s", host, port, error)
        return f"no local mail sink: {host}:{port} is taken ({error}); mail goes to whatever listens there"
    _running["controller"] = controller
    return f"local mail sink on {host}:{port} saving to {directory}"


def worker_loop(app: Flask, stop: threading.Event, poll: float, also=()) -> None:
    """Deliver the outbox (and the `also` queues) until stopped; errors are logged, never fatal to the web process."""
    worker_id = "embedded:" + new_worker_id()
    while not stop.is_set():
        try:
            with app.app_context():
                run(poll=poll, stop=stop, worker_id=worker_id, also=also)
        except Exception:
            log.exception("embedded mail worker failed; restarting in %s s", poll)
            stop.wait(poll)


def start_embedded(app: Flask, also=()) -> str:
    """Start the local sink and the worker thread when appropriate; one line saying what runs.

    `also`: other queues the thread serves in the same loop (`flask serve` passes the webhook deliveries)."""
    if _running:
        return "Mail: the embedded sink and worker are already running."
    host, port = app.config.get("MAIL_HOST", "127.0.0.1"), int(app.config.get("MAIL_PORT", 8025))
    if not app.config.get("MAIL_EMBEDDED", True):
        return "Mail: embedded worker off (MAIL_EMBEDDED = False); run `flask --app convene worker` to send."
    if not is_loopback(host):
        return f"Mail: sent via {host}:{port}; run `flask --app convene worker` to deliver the outbox."
    sink = start_sink(app, host, port)
    poll = float(app.config.get("MAIL_EMBEDDED_POLL", 2))
    stop = threading.Event()
    thread = threading.Thread(target=worker_loop, args=(app, stop, poll, also), name="convene-mail-worker",
                              daemon=True)
    thread.start()
    _running.update(stop=stop, thread=thread)
    return f"Mail: {sink}; embedded worker delivering the outbox every {poll:g} s (see /outbox)."


def stop_embedded(timeout: float = 10) -> None:
    """Stop the worker thread and the sink started by start_embedded."""
    stop, thread, controller = (_running.pop(key, None) for key in ("stop", "thread", "controller"))
    _running.clear()
    if stop is not None:
        stop.set()
    if thread is not None:
        thread.join(timeout)
    if controller is not None:
        controller.stop()
