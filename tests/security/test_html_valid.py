"""Valid HTML on every page (issue 17, item 8): the Nu Html Checker (npm `vnu-jar`, run with Java)
reads every GET route's page — as an admin, as an anonymous visitor and through an invitee's
personal link — and any error fails the test.

The pages are fetched with the test client from the same small world as the access matrix
(tests/security/world.py), written to files and checked in one run of the checker (one JVM start).
Outside CI the test is skipped when Java or node_modules/vnu-jar is missing; `make test` installs both.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.security.world import build_world, routes, url_for_rule, world_values

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: A fragment that other sites include is checked inside a minimal document, as they would place it.
FRAGMENT_FRAME = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A partner\'s page</title></head>' \
                 "<body>{}</body></html>"

pytestmark = pytest.mark.sqlite_only  # the markup does not depend on the database


def _checker() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        missing = "Java" if java is None else str(VNU_JAR)
        if IN_CI:
            pytest.fail(f"{missing} is required in CI (make test installs vnu-jar with npm and a Java runtime)")
        pytest.skip(f"{missing} is not installed")
    return [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always"]


def _pages(app, client, world) -> dict[str, str]:
    """{url: html} of every GET route the client can open (as it is signed in or not)."""
    values = world_values(world)
    pages = {}
    for rule, _ in routes(app, methods=("GET",)):
        if rule.endpoint == "static":
            continue
        url = url_for_rule(rule, values)
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
    return pages


def test_every_page_is_valid_html(app, client, make, sign_in, tmp_path):
    command = _checker()
    world = build_world(make)
    pages = {f"anonymous {url}": html for url, html in _pages(app, app.test_client(), world).items()}
    sign_in(world.admin)
    pages.update({f"admin {url}": html for url, html in _pages(app, client, world).items()})
    assert len(pages) > 80, f"only {len(pages)} pages: the sweep lost its routes"
    _assert_valid(command, pages, tmp_path)


def test_bulk_confirmation_pages_are_valid_html(app, client, make, sign_in, tmp_path):
    """The pages a POST answers with: the guest list's and the board's bulk confirmations (issue 17, item 1)."""
    command = _checker()
    world = build_world(make)
    sign_in(world.admin)
    guests = f"/convenings/{world.convening.id}/guests"
    pages = {"guest list, all ticked": client.get(f"{guests}?select=page").get_data(as_text=True),
             "board, all ticked": client.get("/next-steps/?select=page").get_data(as_text=True)}
    for action in ("send", "remind", "remove", "attended"):
        pages[f"guest list: confirm {action}"] = client.post(f"{guests}/bulk", data={
            "action": action, "scope": "matching"}).get_data(as_text=True)
    for op in ("status", "remind"):
        pages[f"board: confirm {op}"] = client.post("/next-steps/bulk", data={
            "op": op, "status": "done", "scope": "matching"}).get_data(as_text=True)
    confirmations = [where for where in pages if "confirm" in where]
    assert all('id="confirm-heading"' in pages[where] for where in confirmations), confirmations
    _assert_valid(command, pages, tmp_path)


def _assert_valid(command: list[str], pages: dict[str, str], tmp_path) -> None:
    """Run the checker once over the pages ({where: html}); any error fails, listed by message."""
    names = {}
    for n, (where, html) in enumerate(sorted(pages.items())):
        if not html.lstrip().lower().startswith("<!doctype"):  # a fragment for other sites (/embed/publications)
            html = FRAGMENT_FRAME.format(html)
        path = tmp_path / f"page-{n:04d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = where
    result = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = [m for m in report.get("messages", []) if m.get("type") == "error"]
    by_message: dict[str, list[str]] = {}
    for m in errors:
        where = names.get(Path(m.get("url", "")).name, m.get("url", "?"))
        by_message.setdefault(m.get("message", "?"), []).append(f"{where} (line {m.get('lastLine', '?')})")
    assert not errors, f"{len(errors)} HTML errors on {len({w for ws in by_message.values() for w in ws})} pages:\n" + \
        "\n".join(f"- {message}\n    " + "\n    ".join(sorted(set(where))[:8]) for message, where in
                  sorted(by_message.items(), key=lambda item: -len(item[1])))
