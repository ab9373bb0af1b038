"""LOG_FORMAT=json: one JSON object per line, a line per request, never a token or personal data.

The app runs in a fresh Python process so that logging is set up exactly as in production
(pytest installs its own handlers on the root logger)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from convene import create_app
from convene.extensions import db
from convene.auth.services import create_user

app = create_app({"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
                  "LOG_FORMAT": "json", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
with app.app_context():
    db.create_all()
    user = create_user("ada.lovelace@example.org", "Ada Lovelace", "a long enough password", "organizer")
    db.session.commit()
    user_id, login_id = user.id, user.get_id()
client = app.test_client()
anonymous = client.get("/rsvp/SECRET-TOKEN-12345", headers={"X-Request-ID": "req-from-nginx-1"})
from flask_login.utils import _create_identifier
with app.test_request_context(environ_base=client.environ_base):
    identifier = _create_identifier()
with client.session_transaction() as session:
    session.update(_user_id=login_id, _fresh=True, _id=identifier)
signed_in = client.get("/convenings/")
print(anonymous.headers["X-Request-ID"], signed_in.headers["X-Request-ID"], user_id)
"""


def test_json_lines_carry_request_fields_and_nothing_personal(tmp_path):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "db.sqlite")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    first_id, second_id, user_id = run.stdout.split()
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.strip()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "convene.request"]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("GET", "/rsvp/<token>", 404), ("GET", "/convenings/", 200)]
    assert first_id == "req-from-nginx-1" and requests[0]["request_id"] == first_id
    assert requests[1]["request_id"] == second_id and len(second_id) == 32
    assert "user_id" not in requests[0] and requests[1]["user_id"] == int(user_id)
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in requests)
    for forbidden in ("SECRET-TOKEN-12345", "ada.lovelace", "Ada Lovelace", "k" * 32):
        assert forbidden not in run.stderr
