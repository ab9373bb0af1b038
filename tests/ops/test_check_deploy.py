"""`flask check-deploy` passes on the documented production settings and fails, with a fix, on each bad one."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.smtp import free_port

REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def production(backend, smtp_sink, tmp_path):
    """The settings docs/deploy.md documents, pointed at this test's PostgreSQL, Redis and SMTP sink."""
    if backend != "postgresql":
        pytest.skip("production runs on PostgreSQL")
    return {
        "SECRET_KEY": "9f2c" * 16, "BASE_URL": "https://convene.example.org", "PREFERRED_URL_SCHEME": "https",
        "RATELIMIT_STORAGE_URI": REDIS, "MAIL_HOST": "127.0.0.1", "MAIL_PORT": smtp_sink.port,
        "MAIL_EMBEDDED": False, "UPLOADS_DIR": str(tmp_path / "uploads"), "PROXY_HOPS": 1,
    }


def run_check(app, *args):
    with app.app_context():  # the `app` fixture's context is pushed; the command must see this app
        result = app.test_cli_runner().invoke(args=["check-deploy", *args])
    return result.exit_code, result.output


def check(make_app, settings, *args):
    return run_check(make_app(**settings), *args)


def test_the_documented_production_settings_pass(make_app, production):
    code, output = check(make_app, production)
    assert code == 0, output
    assert output.count("ok    ") == 7 and "Ready for production." in output


BAD = [
    ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY is shorter than 32"),
    ({"BASE_URL": ""}, "BASE_URL is not set"),
    ({"BASE_URL": "http://convene.example.org"}, "is not an https address"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "each one counts on its own"),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}, "(Redis) does not answer"),
    ({"MAIL_EMBEDDED": True}, "MAIL_EMBEDDED is on"),
    ({"MAIL_HOST": "smtp.example.org", "MAIL_PORT": 1, "MAIL_TIMEOUT": 2}, "would cross the network unencrypted"),
    ({"MAIL_PORT": "free"}, "cannot connect to 127.0.0.1"),
    ({"PREFERRED_URL_SCHEME": "http"}, "SESSION_COOKIE_SECURE cookies would also be sent over plain http"),
    ({"UPLOADS_DIR": "STATIC"}, "inside the static folder"),
    ({"UPLOADS_DIR": "WORLD"}, "can be written by every user"),
]


@pytest.mark.parametrize("change,complaint", BAD, ids=[c for _, c in BAD])
def test_each_bad_setting_fails_with_its_fix(make_app, production, change, complaint):
    settings = {**production, **change}
    if change.get("MAIL_PORT") == "free":
        settings["MAIL_PORT"] = free_port()  # nothing listens there
    if change.get("UPLOADS_DIR") == "STATIC":
        from convene import ROOT
        settings["UPLOADS_DIR"] = str(ROOT / "convene" / "static" / "uploads-check-deploy-test")
    if change.get("UPLOADS_DIR") == "WORLD":
        settings["UPLOADS_DIR"] = production["UPLOADS_DIR"]
        Path(settings["UPLOADS_DIR"]).mkdir()
        Path(settings["UPLOADS_DIR"]).chmod(0o777)
    code, output = check(make_app, settings)
    assert code == 1
    assert complaint in output and "fix: " in output
    assert output.count("FAIL  ") == 1, output  # only the broken setting is reported
    assert "9f2c" * 4 not in output  # never prints the secret
    if change.get("UPLOADS_DIR") == "STATIC":
        import shutil
        shutil.rmtree(settings["UPLOADS_DIR"], ignore_errors=True)


def test_sqlite_or_an_unmigrated_database_fails(make_app, production, tmp_path):
    code, output = check(make_app, {**production, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert code == 1 and "DATABASE_URL is not PostgreSQL" in output


def test_the_generated_development_key_fails(make_app, production, tmp_path):
    from convene.config import ensure_instance_config

    ensure_instance_config(tmp_path / "config.py")  # what the first `make run` writes
    values: dict = {}
    exec((tmp_path / "config.py").read_text(), values)
    app = make_app(**{**production, "SECRET_KEY": values["SECRET_KEY"]})
    app.instance_path = str(tmp_path)
    code, output = run_check(app)
    assert code == 1 and "is the one generated for development" in output
    assert values["SECRET_KEY"] not in output


def test_in_memory_limits_pass_when_one_process_serves(make_app, production):
    code, output = check(make_app, {**production, "RATELIMIT_STORAGE_URI": "memory://"}, "--single-process")
    assert code == 0, output
