"""An optional PostgreSQL trigger that makes the audit table append-only for every client, not just the app.

The ORM guards in models.py stop the application; this also stops anyone with SQL access
through the app's database role. The personal-data erasure sets `convene.audit_redaction`
for its own transaction, which the trigger lets through for UPDATEs only.
"""
from __future__ import annotations

import sqlalchemy as sa

FUNCTION = """
CREATE OR REPLACE FUNCTION convene_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('convene.audit_redaction', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
END $$
"""
TRIGGER = """
CREATE OR REPLACE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION convene_audit_append_only()
"""
DROP = ["DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
        "DROP FUNCTION IF EXISTS convene_audit_append_only()"]


def install(connection) -> None:
    """Create (or replace) the trigger; PostgreSQL 14 or later."""
    if connection.dialect.name != "postgresql":
        raise ValueError("The append-only trigger is for PostgreSQL; SQLite relies on the application's guards.")
    connection.execute(sa.text(FUNCTION))
    connection.execute(sa.text(TRIGGER))


def remove(connection) -> None:
    for statement in DROP:
        connection.execute(sa.text(statement))
