"""Convene: invitation-only policy convenings, from first invitation to last follow-up."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import caching
from . import config as config_module
from .i18n import locale
from .urls import bound_row_ids
from .extensions import csrf, db, limiter, login_manager, migrate
from .ops.logs import configure_logging

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Tests pass a config mapping; otherwise instance/config.py and CONVENE_* apply."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        instance_relative_config=True,
    )
    config_module.load(app, config)
    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    bound_row_ids(app)
    register_blueprints(app)
    register_request_edge(app)
    register_template_helpers(app)
    register_commands(app)
    from . import security
    from .tokens import errors as link_errors

    security.init_app(app)
    link_errors.init_app(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Take the client address and scheme from PROXY_HOPS reverse proxies' X-Forwarded-* headers.

    Only as many hops as are configured are believed, so a client cannot spoof its address
    (and dodge rate limits) by sending the headers itself."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def close_session(exc=None) -> None:
    """End the request's session. A connection the database cut (a restart) cannot even roll back:
    the pool has already discarded it, so forget the session instead of failing the finished request."""
    import sqlalchemy as sa

    try:
        db.session.remove()
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        db.session.registry.clear()


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known before anything queries)

    db.init_app(app)
    app.teardown_request(close_session)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.refresh_view = "auth.sign_in"
    login_manager.needs_refresh_message = "Please sign in again to confirm it is you."
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    caching.init_app(app)
    locale.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every area's routes, named one by one: a missing area fails here, at start."""
    from .actions.views import bp as actions_bp
    from .agenda.views import bp as agenda_bp
    from .audit.views import bp as audit_bp
    from .auth.views import bp as auth_bp
    from .briefs.views import bp as briefs_bp
    from .convenings.views import bp as convenings_bp
    from .correspondence.views import bp as correspondence_bp
    from .dashboard.views import bp as dashboard_bp
    from .diversity.views import bp as diversity_bp
    from .i18n.views import bp as i18n_bp
    from .ics.views import bp as ics_bp
    from .invitations.views import bp as invitations_bp
    from .mail.views import bp as mail_bp
    from .messages.views import bp as messages_bp
    from .notes.views import bp as notes_bp
    from .ops.views import bp as ops_bp
    from .people.views import bp as people_bp
    from .printables.views import bp as printables_bp
    from .privacy.views import bp as privacy_bp
    from .api.views import bp as api_bp
    from .public.views import bp as public_bp
    from .webhooks.views import bp as webhooks_bp

    for blueprint in (auth_bp, dashboard_bp, convenings_bp, people_bp, invitations_bp, mail_bp, messages_bp,
                      diversity_bp, agenda_bp, ics_bp, notes_bp, actions_bp, briefs_bp, audit_bp, privacy_bp,
                      printables_bp, ops_bp, i18n_bp, api_bp, public_bp, webhooks_bp, correspondence_bp):
        app.register_blueprint(blueprint)


def register_request_edge(app: Flask) -> None:
    from . import edge

    edge.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from . import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    """Every command, named one by one: a missing area's cli module fails here, at start."""
    from . import cli
    from .actions import cli as actions_cli
    from .briefs import cli as briefs_cli
    from .demo import cli as demo_cli
    from .invitations import cli as invitations_cli
    from .mail import cli as mail_cli
    from .ops import cli as ops_cli
    from .privacy import cli as privacy_cli
    from .security import cli as security_cli
    from .webhooks import cli as webhooks_cli

    for module in (cli, demo_cli, actions_cli, briefs_cli, invitations_cli, mail_cli, ops_cli, privacy_cli,
                   security_cli, webhooks_cli):
        for command in module.commands:
            app.cli.add_command(command)
