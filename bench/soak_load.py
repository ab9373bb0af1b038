"""The soak's traffic: an SMTP sink that counts Message-IDs, and paced HTTP clients that record every answer.

Every client waits for its answer and then thinks for a moment (`pace`), so the load stays a
bounded number of requests in flight however slow the machine is: on a busy 2-core machine the
clients slow down with the app instead of queueing work the app can never catch up with.
"""
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

#: The attendee home (the personal link in the invitation); /rsvp/ was its address before.
HOME_LINK = re.compile(r"/(?:my|rsvp)/([A-Za-z0-9_-]{20,})")
#: One request is retried (503 during the database restart, a dropped connection during the worker
#: restart) for at most this long before the load reports it as failed.
RETRY_SECONDS = 90


class Sink:
    """Counts every delivered Message-ID and collects the personal links in invitations, in order."""

    def __init__(self, delay: float):
        self.delay = delay
        self.messages = 0
        self.message_ids: list[str] = []
        self.links: list[str] = []
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)  # a relay's think time, so a SIGKILL can land mid-batch
        message = message_from_bytes(envelope.content, policy=policy.default)
        text = message.get_body(("plain",)).get_content()  # decoded: no quoted-printable line breaks
        with self.lock:
            self.messages += 1
            self.message_ids.append(str(message["Message-ID"]))
            for link in dict.fromkeys(HOME_LINK.findall(text)):
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
    """Latency per kind of request, every status code, and each 503 with when it came and whether it was clean."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.codes: Counter = Counter()
        self.unavailable: list[tuple[float, str, bool]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, status: int, ms: float, clean: bool = True) -> None:
        with self.lock:
            self.codes[status] += 1
            if status == 503:
                self.unavailable.append((time.monotonic(), kind, clean))
            elif status < 500:
                self.times[kind].append(ms)


class Client:
    """One visitor: keep-alive connection, cookies, a client address the proxy would forward."""

    def __init__(self, host: str, recorder: Recorder, address: str):
        self.host, self.recorder, self.address = host, recorder, address
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        """Send until answered; a 503 (database restart) or a dropped connection (worker restart) is retried."""
        give_up = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < give_up:
            answer = self.send(kind, method, path, form)
            if answer is None or answer[0] in (503, 429):
                time.sleep(0.3)
                continue
            return answer
        raise RuntimeError(f"{kind}: {method} {path.split('/')[1]}/… unanswered for {RETRY_SECONDS} s")

    def send(self, kind: str, method: str, path: str, form: dict | None) -> tuple[int, str] | None:
        headers = {"X-Forwarded-For": self.address, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form, doseq=True) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, timeout=60)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection = None  # the worker went away between requests: connect again
            return None
        clean = response.status != 503 or (response.getheader("Retry-After") is not None
                                           and "Briefly unavailable" in text and "Traceback" not in text)
        self.recorder.add(kind, response.status, (time.perf_counter() - started) * 1000, clean)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, text

    def sign_in(self, email: str, password: str) -> None:
        page = self.request("sign-in page", "GET", "/sign-in")[1]
        status = self.request("sign in", "POST", "/sign-in", {"csrf_token": hidden(page, "csrf_token"),
                                                              "email": email, "password": password})[0]
        if status != 302:
            raise RuntimeError(f"organizer sign-in answered {status}")


def hidden(page: str, name: str) -> str:
    tag = re.search(r'<input[^>]*name="' + name + r'"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else ""


class Load:
    """Seven clients: two public visitors, an organizer sending the invitations in bulk, an organizer
    paging the guest list, and three invitees answering from the links in the delivered e-mails."""

    def __init__(self, host: str, world: dict, sink: Sink, recorder: Recorder, *, answers: int, batch: int,
                 pace: float = 0.1):
        self.host, self.world, self.sink, self.recorder = host, world, sink, recorder
        self.answers, self.batch, self.pace = answers, batch, pace
        self.stop = threading.Event()
        self.queued = 0  # invitations the app acknowledged queuing (bulk "Send" answered 302)
        self.sending_done = threading.Event()
        self.acknowledged: dict[str, str] = {}
        self.acknowledged_in_order: list[tuple[float, str, str]] = []
        self.next_link = 0
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.threads: list[threading.Thread] = []

    @property
    def clients(self) -> int:
        return len(self.threads)

    def wait_ready(self, seconds: float) -> None:
        client = Client(self.host, Recorder(), "192.0.2.1")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answer = client.send("ready", "GET", "/readyz", None)
            if answer and answer[0] == 200:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the app was not ready within {seconds:.0f} s")

    def start_threads(self) -> None:
        targets = [self.public_viewer, self.public_viewer, self.sender, self.guest_list_reader,
                   self.attendee, self.attendee, self.attendee]
        self.threads = [threading.Thread(target=self.guard, args=(target, n), name=f"soak-{target.__name__}-{n}",
                                         daemon=True) for n, target in enumerate(targets)]
        for thread in self.threads:
            thread.start()

    def join(self, seconds: float) -> None:
        """Stop every client; one still stuck in a request after `seconds` is reported."""
        self.stop.set()
        deadline = time.monotonic() + seconds
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                self.failures.append(f"{thread.name} still running {seconds:.0f} s after the load stopped")

    def guard(self, target, n: int) -> None:
        try:
            target(n)
        except Exception as error:  # reported as a soak problem, never a silent thread death
            self.failures.append(f"{target.__name__}: {error!r}")

    def think(self, factor: float = 1.0) -> None:
        self.stop.wait(self.pace * factor)

    def public_viewer(self, n: int) -> None:
        client = Client(self.host, self.recorder, f"198.51.100.{n + 1}")
        slug = self.world["public_slug"]
        while not self.stop.is_set():
            client.request("public agenda page", "GET", f"/c/{slug}/agenda")
            self.think(3)
            client.request("public agenda .ics", "GET", f"/c/{slug}/agenda.ics")
            self.think(3)

    def sender(self, n: int) -> None:
        """The organizer ticks a page of the guest list and presses "Send", a batch at a time, whenever
        the mail delivered so far is within two batches of what was queued (a steady backlog)."""
        client = Client(self.host, self.recorder, "203.0.113.10")
        client.sign_in(*self.world["organizer"])
        ids, dialogue = self.world["invitation_ids"], self.world["dialogue_id"]
        for start in range(0, len(ids), self.batch):
            while len(self.sink.links) < self.queued - 2 * self.batch:
                if self.stop.wait(0.2):
                    return
            page = client.request("guest list page", "GET", f"/convenings/{dialogue}/guests")[1]
            chunk = ids[start:start + self.batch]
            form = {"csrf_token": hidden(page, "csrf_token"), "action": "send", "invitation_ids": chunk}
            status, confirmation = client.request("send invitations (bulk POST)", "POST",
                                                  f"/convenings/{dialogue}/guests/bulk", form)[:2]
            if status != 200:
                raise RuntimeError(f"bulk send's confirmation answered {status}")
            status = client.request("send invitations (confirmed)", "POST", f"/convenings/{dialogue}/guests/bulk", {
                **form, "csrf_token": hidden(confirmation, "csrf_token"), "confirmed": "1"})[0]
            if status != 302:
                raise RuntimeError(f"bulk send answered {status}")
            self.queued += len(chunk)
        self.sending_done.set()

    def guest_list_reader(self, n: int) -> None:
        client = Client(self.host, self.recorder, "203.0.113.11")
        client.sign_in(*self.world["organizer"])
        dialogue, page_number = self.world["dialogue_id"], 0
        pages = max(1, -(-len(self.world["invitation_ids"]) // 100))
        while not self.stop.is_set():
            page_number = page_number % pages + 1
            client.request("guest list page", "GET", f"/convenings/{dialogue}/guests?page={page_number}")
            self.think(10)

    def attendee(self, n: int) -> None:
        while not self.stop.is_set():
            with self.lock:
                available = min(len(self.sink.links), self.answers)
                token = self.sink.links[self.next_link] if self.next_link < available else None
                self.next_link += token is not None
                index = self.next_link
            if token is None:
                self.think(2)
                continue
            self.answer(token, Client(self.host, self.recorder, f"10.{index // 250}.{index % 250}.1"))
            self.think()

    def answer(self, token: str, client: Client) -> None:
        """Open the link from the e-mail and answer; remember the answer once the app acknowledged it;
        then fetch the personal agenda's calendar file, as a calendar app would."""
        choice = random.choice(("accepted", "declined", "tentative"))
        for _ in range(5):
            status, page = client.request("attendee page (personal link)", "GET", f"/my/{token}")
            if status != 200:
                self.failures.append(f"attendee page answered {status}")
                return
            status, _ = client.request("attendee answer (POST)", "POST", f"/my/{token}", {
                "csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"), "answer": choice})
            if status == 302:
                with self.lock:
                    self.acknowledged[token] = choice
                    self.acknowledged_in_order.append((time.monotonic(), token, choice))
                break
            if status != 409:  # 409: changed meanwhile (e.g. a retried request); look again and answer again
                self.failures.append(f"answer POST answered {status}")
                return
        else:
            self.failures.append("an answer was refused as stale (409) five times in a row")
            return
        status, _ = client.request("attendee agenda .ics (personal link)", "GET", f"/my/{token}/agenda.ics")
        if status != 200:
            self.failures.append(f"personal agenda .ics answered {status}")
