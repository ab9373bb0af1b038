"""What a production installation needs, checked one setting at a time (`flask check-deploy`).

Each check returns a list of Problems; an empty list means it passed. A problem names the
setting, says what is wrong and how to fix it, without printing a secret.
"""
from __future__ import annotations

import ipaddress
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from ..mail import smtp
from ..security.backup import uploads_dir
from . import health

#: The first line of the instance/config.py that `make run` writes on first start.
GENERATED_CONFIG_MARK = "# Local settings for this Convene installation."
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str
    fix: str


def check_secret_key() -> list[Problem]:
    key = current_app.config.get("SECRET_KEY") or ""
    fix = ("set CONVENE_SECRET_KEY to the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`, "
           "the same on every web machine")
    if not key:
        return [Problem("SECRET_KEY", "is not set", fix)]
    if key == generated_secret_key():
        return [Problem("SECRET_KEY", "is the one generated for development in instance/config.py", fix)]
    if len(key) < MIN_SECRET_LENGTH:
        return [Problem("SECRET_KEY", f"is shorter than {MIN_SECRET_LENGTH} characters", fix)]
    return []


def generated_secret_key() -> str | None:
    """The SECRET_KEY of an instance/config.py that Convene generated itself, if there is one."""
    path = Path(current_app.instance_path) / "config.py"
    try:
        text = path.read_text()
    except OSError:
        return None
    if not text.startswith(GENERATED_CONFIG_MARK):
        return None
    values: dict = {}
    exec(compile(text, str(path), "exec"), values)  # our own two-line file, as Flask's from_pyfile does
    return values.get("SECRET_KEY")


def check_base_url() -> list[Problem]:
    url = current_app.config.get("BASE_URL") or ""
    fix = "set CONVENE_BASE_URL to the address people use, e.g. https://convene.example.org"
    if not url or current_app.config.get("BASE_URL_IS_DEFAULT"):
        return [Problem("BASE_URL", f"is not set: links in e-mails and calendar files would point at {url}", fix)]
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return [Problem("BASE_URL", f"{url} is not an https address", fix)]
    return []


def check_database() -> list[Problem]:
    if not current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return [Problem("DATABASE_URL", "is not PostgreSQL (SQLite serves one process on one machine)",
                        "set CONVENE_DATABASE_URL=postgresql://USER@HOST/DB and run flask --app convene db upgrade")]
    ok, detail = health.check_database()
    if not ok:
        return [Problem("DATABASE_URL", detail, "check the server and credentials, then flask --app convene db upgrade")]
    return []


def check_rate_limit_storage(single_process: bool) -> list[Problem]:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    fix = "set CONVENE_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (one Redis shared by every web process)"
    if uri.startswith("memory://"):
        if single_process:
            return []
        return [Problem("RATELIMIT_STORAGE_URI", "keeps limits in each process's memory, so with several "
                                                 "gunicorn workers each one counts on its own", fix)]
    redis_check = health.check_redis()
    if redis_check is not None and not redis_check[0]:
        return [Problem("RATELIMIT_STORAGE_URI", redis_check[1], "start Redis or correct the address")]
    return []


def check_mail() -> list[Problem]:
    config = current_app.config
    problems = []
    if config.get("MAIL_EMBEDDED"):
        problems.append(Problem("MAIL_EMBEDDED", "is on: the development mail sink keeps messages on disk "
                                                 "instead of sending them", "set CONVENE_MAIL_EMBEDDED=false"))
    if not (config.get("MAIL_USE_STARTTLS") or config.get("MAIL_USE_SSL")) and not is_loopback(config["MAIL_HOST"]):
        problems.append(Problem("MAIL_USE_STARTTLS", f"mail to {config['MAIL_HOST']} would cross the network "
                                                     "unencrypted", "set CONVENE_MAIL_USE_STARTTLS=true "
                                                                    "(or MAIL_USE_SSL for port 465)"))
        return problems  # no test connection: it would send the password in clear
    try:
        smtp.close(smtp.connect())
    except smtp.DeliveryError as error:
        problems.append(Problem("MAIL_HOST", error.answer, "check CONVENE_MAIL_HOST, _PORT, _USE_STARTTLS, "
                                                           "_USE_SSL, _USER and _PASSWORD"))
    return problems


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_uploads() -> list[Problem]:
    folder = uploads_dir().resolve()
    problems = []
    try:
        folder.mkdir(mode=0o750, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as error:
        problems.append(Problem("UPLOADS_DIR", f"{folder} is not writable ({error.strerror})",
                                "create it, owned by the user the app runs as"))
    static = Path(current_app.static_folder).resolve()
    if folder == static or static in folder.parents:
        problems.append(Problem("UPLOADS_DIR", f"{folder} is inside the static folder, so the web server "
                                               "would hand out every file without an access check",
                                "move it outside convene/static (default: instance/uploads)"))
    if os.name == "posix" and folder.exists() and folder.stat().st_mode & 0o002:
        problems.append(Problem("UPLOADS_DIR", f"{folder} can be written by every user of the machine",
                                f"chmod o-rwx {folder}"))
    return problems


def check_cookies() -> list[Problem]:
    config = current_app.config
    if config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE"):
        return []
    return [Problem("SESSION_COOKIE_SECURE", "cookies would also be sent over plain http",
                    "set CONVENE_PREFERRED_URL_SCHEME=https (turns on Secure cookies)")]


def run_checks(single_process: bool = False) -> list[tuple[str, list[Problem]]]:
    """Every check, in the order an operator fixes things: [(what was checked, problems)]."""
    return [
        ("secret key", check_secret_key()),
        ("base URL", check_base_url()),
        ("database", check_database()),
        ("rate-limit storage", check_rate_limit_storage(single_process)),
        ("outgoing mail", check_mail()),
        ("uploads", check_uploads()),
        ("cookies", check_cookies()),
    ]
