"""Browser fixtures: the real app on a real server, a real SMTP sink, Debian's chromium, axe-core.

The app is built with the same test configuration as tests/conftest.py (through `make_app`),
but with CSRF protection ON, because a browser sends real forms. It is served by werkzeug's
`make_server` in a thread on a free loopback port. Mail goes through the outbox; a test calls
`live.deliver_mail()` (the mail area's worker function) to send it to the aiosmtpd sink, then
follows the links in the messages like an invitee would.

Browser tests are skipped only when /usr/bin/chromium is absent and CI is not set; in CI they fail.
The axe-core scan is skipped (outside CI) when node_modules/axe-core is absent.
"""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from convene.mail.worker import deliver_pending
from tests.conftest import IN_CI
from tests.fixtures.smtp import Sink, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CONVENE_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
#: Milliseconds Playwright waits for a page or an element before failing.
TIMEOUT_MS = 10_000


def require_chromium() -> None:
    """Skip outside CI when chromium is missing; in CI a missing browser is a failure."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


def axe_available() -> bool:
    """Whether the axe-core script is installed (npm install at the repository root)."""
    return AXE_JS.exists()


# ---------------------------------------------------------------- SMTP sink and mail delivery

@pytest.fixture(scope="session")
def live_smtp():
    """One real aiosmtpd server for the browser session; emptied before each test."""
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


# ---------------------------------------------------------------- the live server

@dataclass
class LiveServer:
    """The running app: its URL, the Flask app object (for app contexts), the SMTP sink."""

    url: str
    app: object
    smtp: Sink
    errors: list[str] = field(default_factory=list)

    def deliver_mail(self) -> int:
        """Run the mail worker once, as `flask worker` would; return how many messages the sink holds."""
        for _ in range(100):  # the worker sends in batches: call it until nothing is left
            with self.app.app_context():
                result = deliver_pending()
            if not result or (isinstance(result, tuple) and not any(result)):
                break
        return len(self.smtp.messages)

    def mail_to(self, address: str):
        """Messages the sink received for this address, oldest first."""
        return self.smtp.to(address)

    def links_in(self, message, pattern: str = "") -> list[str]:
        """Every http(s) link in the message's plain-text body (optionally matching `pattern`)."""
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        links = re.findall(r"https?://[^\s<>\"')\]]+", text)
        return [link for link in links if re.search(pattern, link)]


class _QuietThread(threading.Thread):
    daemon = True


@pytest.fixture(scope="session")
def _live_server(make_app, live_smtp):
    """The real app served by werkzeug on a free loopback port for the whole browser session."""
    require_chromium()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = make_app(WTF_CSRF_ENABLED=True, BASE_URL=url, MAIL_HOST="127.0.0.1", MAIL_PORT=live_smtp.port,
                   MAIL_TIMEOUT=5)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = _QuietThread(target=server.serve_forever, name="live-server")
    thread.start()
    live = LiveServer(url=url, app=app, smtp=live_smtp)
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live(_live_server, app):
    """Per test: the live server, an empty SMTP sink; the `app` fixture wipes the database afterwards."""
    _live_server.smtp.messages.clear()
    _live_server.smtp.envelopes.clear()
    _live_server.errors.clear()
    return _live_server


# ---------------------------------------------------------------- chromium

@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, launched once for the session."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser, live):
    """A fresh browser profile (no cookies). CSP is bypassed only so that axe-core can be injected."""
    context = browser.new_context(base_url=live.url, bypass_csp=True, accept_downloads=True,
                                  locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    return context


@pytest.fixture
def context(browser, live):
    """The test's main browser profile."""
    context = new_context(browser, live)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    return context.new_page()


# ---------------------------------------------------------------- a journey: screenshots and page checks

#: axe-core run on the whole document, WCAG 2 A and AA rules; only serious and critical findings are returned.
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                                             resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || ''))}));
}"""

#: Structural checks every page must pass: language, title, one main landmark, one h1, labelled controls.
STRUCTURE = """() => {
  const problems = [];
  const lang = document.documentElement.getAttribute('lang');
  if (!lang || !lang.trim()) problems.push('<html> has no lang attribute');
  if (!document.title || !document.title.trim()) problems.push('the page has no <title>');
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) problems.push(`expected one <main> landmark, found ${mains.length}`);
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`expected one <h1>, found ${h1s.length}`);
  const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.tagName === 'INPUT' && skip.has((el.type || '').toLowerCase())) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.getAttribute('title');
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name || '?'} id=${el.id || '?'}`);
  }
  for (const table of document.querySelectorAll('main table')) {
    if (!table.querySelector('caption') && !table.getAttribute('aria-label')
        && !table.getAttribute('aria-labelledby')) problems.push('a table without <caption>');
  }
  return problems;
}"""


class Journey:
    """Drives one journey: numbered screenshots, and every page checked as it is reached."""

    def __init__(self, page, name: str, live: LiveServer):
        self.page = page
        self.name = name
        self.live = live
        self.folder = OUTPUT / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.step = 0
        self.checked: list[str] = []
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []
        page.on("response", self._on_response)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("console", self._on_console)

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")
        elif response.status >= 400 and response.request.resource_type in {"stylesheet", "script", "image", "font"}:
            if "favicon" not in response.url:
                self.script_errors.append(f"missing {response.request.resource_type}: {response.status} {response.url}")

    def _on_console(self, message) -> None:
        # Failed loads are reported with their address by _on_response; the console line has none.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.script_errors.append(message.text)

    def shot(self, label: str) -> Path:
        """Save a numbered full-page screenshot: test-output/browser/<journey>/NN-label.png."""
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = self.folder / f"{self.step:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check(self, label: str, *, axe: bool = True) -> None:
        """Screenshot the page, then assert no server error, sound structure and no serious axe finding."""
        self.page.wait_for_load_state("load")
        self.shot(label)
        where = f"{label} ({self.page.url})"
        assert not self.server_errors, f"server errors before {where}: {self.server_errors}"
        problems = self.page.evaluate(STRUCTURE)
        assert not problems, f"page structure problems on {where}: {problems}"
        if axe and axe_available():
            scan(self.page, where)
        self.checked.append(self.page.url)

    def finish(self) -> None:
        """The journey's last word: no 5xx anywhere and no script errors."""
        assert not self.server_errors, f"server errors: {self.server_errors}"
        assert not self.script_errors, f"script errors in the browser: {self.script_errors}"


def scan(page, where: str) -> None:
    """Inject axe-core and assert there is no serious or critical WCAG 2 A/AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN)
    assert not violations, f"axe-core found serious/critical violations on {where}:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


@pytest.fixture
def journey(page, live, request):
    """journey(name[, page]) -> Journey; its `finish` checks run when the test ends."""
    journeys: list[Journey] = []

    def start(name: str, on_page=None) -> Journey:
        j = Journey(on_page or page, name, live)
        journeys.append(j)
        return j

    yield start
    if not hasattr(request.node, "rep_call") or request.node.rep_call.passed:
        for j in journeys:
            j.finish()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test body passed."""
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


def sign_in_as(page, user, password: str) -> None:
    """Sign in through the real form."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


@contextmanager
def signed_in(browser, live, user, password: str):
    """A page in a browser profile of its own, signed in as `user` (an organizer acting beside the attendee)."""
    context = new_context(browser, live)
    try:
        page = context.new_page()
        sign_in_as(page, user, password)
        yield page
    finally:
        context.close()
