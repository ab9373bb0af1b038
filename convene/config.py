"""Configuration: defaults, then instance/config.py, then CONVENE_* environment variables."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Where links point when BASE_URL is not set (BASE_URL_IS_DEFAULT then tells `serve` it may change it).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
#: Every CONVENE_<NAME> environment variable overrides the config key <NAME>.
ENV_PREFIX = "CONVENE_"


class Defaults:
    """Values that suit the embedded SQLite setup of `make run`."""

    SQLALCHEMY_DATABASE_URI = ""  # filled in from the instance folder when empty
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SECRET_KEY = ""
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # switched on when PREFERRED_URL_SCHEME is https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    #: "Keep me signed in" lasts this long (Flask-Login's default is a year).
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    #: Minutes of inactivity after which a signed-in user must sign in again.
    IDLE_TIMEOUT_MINUTES = 60
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token instead
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    #: Largest brief PDF accepted, in bytes.
    BRIEF_MAX_UPLOAD = 15 * 1024 * 1024
    PREFERRED_URL_SCHEME = "http"
    #: Absolute base used in e-mails and calendar files, e.g. https://convene.example.org.
    #: Unset, it is DEFAULT_BASE_URL, or the address `flask serve --host/--port` listens on.
    BASE_URL = ""

    MAIL_HOST = "127.0.0.1"
    MAIL_PORT = 8025
    MAIL_USE_STARTTLS = False
    MAIL_USE_SSL = False
    MAIL_USER = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = "Convene <convene@localhost>"
    MAIL_TIMEOUT = 10
    #: Attempts before an outbox message is marked failed for good.
    MAIL_MAX_ATTEMPTS = 5
    #: Seconds after which a message left "sending" by a dead worker is taken back.
    MAIL_LOCK_TIMEOUT = 300
    #: Backoff between attempts: base seconds, doubled each time, capped.
    MAIL_RETRY_BASE = 60
    MAIL_RETRY_MAX = 6 * 3600
    MAIL_BATCH = 20
    #: Longest pause of a worker while the SMTP server cannot be reached (starts at the poll interval, doubles).
    MAIL_OUTAGE_MAX_WAIT = 300
    #: `flask serve` (make run) starts a local SMTP sink and a worker thread.
    MAIL_EMBEDDED = True
    MAIL_EMBEDDED_POLL = 2
    #: Where the local sink saves messages; empty means instance/mail-sink.
    MAIL_SINK_DIR = ""
    #: Root of uploaded files (backed up with the database); empty means instance/uploads.
    UPLOADS_DIR = ""
    #: Where brief PDFs are stored; empty means instance/uploads/briefs.
    BRIEF_UPLOAD_DIR = ""
    #: One rapporteur's autosaves within this many minutes update the same draft revision.
    NOTES_AUTOSAVE_COALESCE_MINUTES = 10

    #: Rendered public agenda pages kept per process (per published version); 0 turns the cache off.
    AGENDA_PAGE_CACHE_SIZE = 16
    #: Where responses kept per content version live (calendar files, anonymous public pages):
    #: memory:// (one process; the embedded default) or a redis:// URL shared by every process.
    CACHE_URL = "memory://"
    CACHE_MAX_BYTES = 64 * 1024 * 1024  # memory:// only
    CACHE_SECONDS = 86_400  # redis:// only: entries expire after a day unless asked for again
    #: ORGANIZER of calendar files; empty means MAIL_SENDER.
    AGENDA_ORGANIZER_EMAIL = ""
    AGENDA_ORGANIZER_NAME = ""

    #: Reverse proxies in front of the app that may be trusted to set X-Forwarded-For/-Proto/-Host.
    #: 0 when clients connect directly; 1 behind one nginx. Rate limits key on the address this yields.
    PROXY_HOPS = 0

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    #: Which Global North/South basis the diversity figures use: "unctad" (UNCTADstat's current
    #: developed/developing classification), "unctad_three_way" (the former grouping with transition
    #: economies, for comparing with older reports) or "worldbank" (income groups FY2026).
    CLASSIFICATION_BASIS = "unctad"
    #: Per-country overrides of the chosen basis, e.g. {"TR": "south"}.
    CLASSIFICATION_OVERRIDES: dict = {}
    #: Under the "unctad_three_way" basis only, where transition economies count: "south" or "north".
    CLASSIFICATION_TRANSITION = "south"
    #: Which person field places them on the map for diversity figures: "country" or "nationality".
    DIVERSITY_COUNTRY_FIELD = "country"
    #: Months after a convening closes before sensitive self-identification data is purged.
    RETENTION_MONTHS = 24
    #: Weeks after a convening is held without a brief before it is flagged to staff.
    BRIEF_OVERDUE_WEEKS = 8
    #: Requests per client address to the read API (/api/v1), in Flask-Limiter's notation.
    API_RATE_LIMIT = "300/minute"
    #: Webhooks: only these host names may be registered (empty: any host with public addresses).
    WEBHOOK_ALLOWED_HOSTS: list = []
    #: Networks a webhook may reach although they are loopback or private, e.g. ["10.20.0.0/16"].
    WEBHOOK_ALLOWED_NETWORKS: list = []
    #: Attempts before a delivery is marked failed; backoff as the mail outbox's (base × 2^n, capped).
    WEBHOOK_MAX_ATTEMPTS = 6
    WEBHOOK_RETRY_BASE = 60
    WEBHOOK_RETRY_MAX = 6 * 3600
    WEBHOOK_TIMEOUT = 10
    WEBHOOK_BATCH = 20
    WEBHOOK_LOCK_TIMEOUT = 300
    #: Named on embedded lists of briefs shown on partner sites (the demo's fictional foundation).
    FOUNDATION_NAME = "Foundation for Peaceful Futures"
    LOG_LEVEL = "INFO"
    #: "text", or "json": one JSON object per line with request id, route, status, duration, user id.
    LOG_FORMAT = "text"
    #: /readyz reports not ready when a due outbox message has waited longer than this (seconds).
    READY_MAX_QUEUE_AGE = 900


def load(app, overrides: dict | None) -> None:
    """Fill app.config from the defaults, the instance file, the environment and overrides."""
    app.config.from_object(Defaults)
    instance_file = Path(app.instance_path) / "config.py"
    if overrides is None:
        ensure_instance_config(instance_file)
        app.config.from_pyfile(instance_file, silent=True)
        app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
        _alias_env(app)
    else:
        app.config.update(overrides)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "convene.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config["BASE_URL"]:
        app.config.update(BASE_URL=DEFAULT_BASE_URL, BASE_URL_IS_DEFAULT=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A connection cut by a database restart is noticed (and replaced) at checkout, not by a request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
        # The version-stamp reads of kept responses (caching.read_stamp) go without the ping: on a
        # cut connection they are retried once, so a repeat request is one round trip, not two.
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds.setdefault(STAMP_BIND, {"url": app.config["SQLALCHEMY_DATABASE_URI"], "pool_pre_ping": False})
        app.config["SQLALCHEMY_BINDS"] = binds
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


#: The engine of version-stamp reads on PostgreSQL (see caching.read_stamp); SQLite has no ping to spare.
STAMP_BIND = "stamps"


def _alias_env(app) -> None:
    """Map the documented short names (CONVENE_DATABASE_URL) onto Flask's keys."""
    url = os.environ.get("CONVENE_DATABASE_URL")
    if url:
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if app.config.get("DATABASE_URL") and not url:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_instance_config(path: Path) -> None:
    """Create instance/config.py with a random SECRET_KEY the first time the app starts."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Local settings for this Convene installation. Never commit this file.\n"
        f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
    )
    path.chmod(0o600)
