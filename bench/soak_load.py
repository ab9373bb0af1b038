"""The soak's traffic: an SMTP sink that counts Message-IDs, and HTTP clients that record every answer."""
from __future__ import annotations

import asyncio
import http.client
import random
import re
import threading
import time
from collections import Counter, defaultdict
from email import message_from_bytes, policy
from urllib.parse import urlencode

from aiosmtpd.controller import Controller

RSVP_LINK = re.compile(r"/rsvp/([A-Za-z0-9_-]{20,})")


class Sink:
    """Counts every delivered Message-ID and collects the personal links in invitations, in order."""

    def __init__(self, delay: float):
        self.delay = delay
        self.messages: list[bytes] = []
        self.message_ids: list[str] = []
        self.links: list[str] = []
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)  # a relay's think time, so a SIGKILL can land mid-batch
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(envelope.content)
            self.message_ids.append(str(message["Message-ID"]))
            text = message.get_body(("plain",)).get_content()  # decoded: no quoted-printable line breaks
            for link in dict.fromkeys(RSVP_LINK.findall(text)):
                if link not in self.seen:
                    self.seen.add(link)
                    self.links.append(link)
        return "250 2.0.0 Ok: queued"


def start_sink(delay: float) -> tuple[Sink, Controller]:
    from tests.fixtures.smtp import free_port

    sink = Sink(delay)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return sink, controller


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


class Recorder:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.codes: Counter = Counter()
        self.lock = threading.Lock()

    def add(self, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.codes[status] += 1
            if status < 500:
                self.times[kind].append(ms)


class Client:
    """One visitor: keep-alive connection, cookies, a client address the proxy would forward."""

    def __init__(self, host: str, recorder: Recorder, address: str):
        self.host, self.recorder, self.address = host, recorder, address
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        """Send once per try; a 503 (database restart) or a dropped connection (worker restart) is retried."""
        for _ in range(20):
            headers = {"X-Forwarded-For": self.address, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = urlencode(form) if form is not None else None
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, timeout=30)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self.connection = None  # the worker went away between requests: connect again
                time.sleep(0.1)
                continue
            self.recorder.add(kind, response.status, (time.perf_counter() - started) * 1000)
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name] = value
            if response.status in (503, 429):
                time.sleep(0.3)
                continue
            return response.status, text, dict(response.headers)
        raise RuntimeError(f"{method} {path} never succeeded")


def hidden(page: str, name: str) -> str:
    tag = re.search(r'<input[^>]*name="' + name + r'"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else ""


class Load:
    def __init__(self, host: str, world: dict, sink: Sink, recorder: Recorder, answers: int):
        self.host, self.world, self.sink, self.recorder = host, world, sink, recorder
        self.answers = answers
        self.stop = threading.Event()
        self.acknowledged: dict[str, str] = {}
        self.acknowledged_in_order: list[tuple[float, str, str]] = []
        self.next_link = 0
        self.lock = threading.Lock()
        self.failures: list[str] = []

    def wait_ready(self, seconds: float) -> None:
        client = Client(self.host, Recorder(), "192.0.2.1")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if client.request("ready", "GET", "/readyz")[0] == 200:
                    return
            except RuntimeError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the app never became ready")

    def start_threads(self) -> list[threading.Thread]:
        targets = [self.public_viewer, self.public_viewer, self.organizer, self.attendee, self.attendee, self.attendee]
        threads = [threading.Thread(target=self.guard, args=(target, n), daemon=True) for n, target in enumerate(targets)]
        for thread in threads:
            thread.start()
        return threads

    def guard(self, target, n: int) -> None:
        try:
            target(n)
        except Exception as error:  # reported as a soak problem, never a silent thread death
            self.failures.append(f"{target.__name__}: {error!r}")

    def public_viewer(self, n: int) -> None:
        client = Client(self.host, self.recorder, f"198.51.100.{n + 1}")
        slug = self.world["public_slug"]
        while not self.stop.is_set():
            client.request("public agenda page", "GET", f"/c/{slug}/agenda")
            client.request("public agenda .ics", "GET", f"/c/{slug}/agenda.ics")

    def organizer(self, n: int) -> None:
        client = Client(self.host, self.recorder, "203.0.113.10")
        email, password = self.world["organizer"]
        page = client.request("sign-in page", "GET", "/sign-in")[1]
        status = client.request("sign in", "POST", "/sign-in", {"csrf_token": hidden(page, "csrf_token"),
                                                                "email": email, "password": password})[0]
        assert status == 302, f"organizer sign-in answered {status}"
        dialogue, page_number = self.world["dialogue_id"], 0
        while not self.stop.is_set():
            page_number = page_number % 5 + 1
            client.request("guest list page", "GET", f"/convenings/{dialogue}/guests?page={page_number}")

    def attendee(self, n: int) -> None:
        while not self.stop.is_set():
            with self.lock:
                available = min(len(self.sink.links), self.answers)
                token = self.sink.links[self.next_link] if self.next_link < available else None
                self.next_link += token is not None
                index = self.next_link
            if token is None:
                time.sleep(0.2)
                continue
            self.answer(token, Client(self.host, self.recorder, f"10.{index // 250}.{index % 250}.1"))

    def answer(self, token: str, client: Client) -> None:
        """Open the link from the e-mail and answer; remember the answer once the app acknowledged it."""
        choice = random.choice(("accepted", "declined", "tentative"))
        for _ in range(5):
            status, page, _ = client.request("attendee page (personal link)", "GET", f"/rsvp/{token}")
            if status != 200:
                self.failures.append(f"/rsvp page answered {status}")
                return
            status, _, headers = client.request("attendee answer (POST)", "POST", f"/rsvp/{token}", {
                "csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"), "answer": choice})
            if status == 302:
                self.acknowledged[token] = choice
                self.acknowledged_in_order.append((time.monotonic(), token, choice))
                return
            if status != 409:  # 409: changed meanwhile (e.g. a retried request); look again and answer again
                self.failures.append(f"answer POST answered {status}")
                return
