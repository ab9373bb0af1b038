"""Migration 0010: the invitation texts written before (invitation_templates) become convening-level
'invitation' texts of message_texts, and go back on downgrade."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from convene import create_app
from convene.extensions import db
from tests.conftest import base_config
from tests.foundation.test_migrations import empty_database_url  # noqa: F401  (the fixture)

MIGRATION = next((Path(__file__).parents[2] / "migrations" / "versions").glob("*_messages17_editable_texts.py"))


def _before() -> str:
    """The revision this migration follows (whichever landed before it)."""
    spec = importlib.util.spec_from_file_location("messages17", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


def test_invitation_texts_move_to_message_texts_and_back(empty_database_url):  # noqa: F811
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        try:
            upgrade(revision=_before())
            with db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO convenings (id, title, slug, kind, theme, description, starts_on, ends_on, venue, "
                    "city, country, timezone, status, attribution_rule, ical_uid, ical_sequence, version, "
                    "created_at, updated_at) VALUES (7, 'Roundtable', 'roundtable', 'roundtable', '', '', "
                    "'2031-03-01', '2031-03-02', '', '', '', 'UTC', 'open', 'chatham_house', 'uid-7', 0, 1, "
                    "'2030-01-01 00:00:00', '2030-01-01 00:00:00')"))
                connection.execute(sa.text(
                    "INSERT INTO invitation_templates (convening_id, language, subject, body, version, updated_at) "
                    "VALUES (7, 'fr', 'Merci de répondre', 'Bonjour {name} {rsvp_link}', 3, '2030-01-01 00:00:00')"))
            upgrade()
            with db.engine.connect() as connection:
                rows = connection.execute(sa.text(
                    "SELECT kind, language, scope, convening_id, series_id, subject, body, version "
                    "FROM message_texts")).all()
            assert [tuple(r) for r in rows] == [("invitation", "fr", "convening:7", 7, None, "Merci de répondre",
                                                 "Bonjour {name} {rsvp_link}", 3)]
            downgrade(revision=_before())
            with db.engine.connect() as connection:
                back = connection.execute(
                    sa.text("SELECT convening_id, language, subject FROM invitation_templates")).all()
            assert [tuple(r) for r in back] == [(7, "fr", "Merci de répondre")]
            downgrade(revision="base")
        finally:
            db.engine.dispose()
