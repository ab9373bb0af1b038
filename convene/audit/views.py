"""Admins browse the audit trail."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..auth.policy import role_required
from ..base.text import LIKE_ESCAPE, like_pattern
from ..extensions import db
from .models import AuditEvent

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:  # not a date: the filter is dropped, never an error
        return None


def read_filters(args) -> dict:
    """The filters from the query string, cleaned; unusable values are dropped, never an error."""
    object_id = args.get("object_id", "").strip()
    return {
        "action": args.get("action", "").strip()[:80],
        "object_type": args.get("object_type", "").strip()[:60],
        "object_id": int(object_id) if object_id.isdigit() and len(object_id) < 12 else None,
        "actor": args.get("actor", "").strip()[:254],
        "date_from": _parse_date(args.get("from", "")),
        "date_to": _parse_date(args.get("to", "")),
    }


def filtered_events(filters: dict):
    """SELECT of audit events matching the filters, newest first."""
    query = sa.select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if filters["action"]:
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters["object_type"]:
        query = query.where(AuditEvent.object_type == filters["object_type"])
    if filters["object_id"] is not None:
        query = query.where(AuditEvent.object_id == filters["object_id"])
    if filters["actor"]:
        pattern = like_pattern(filters["actor"].lower())
        by_account = sa.select(User.id).where(sa.or_(
            sa.func.lower(User.email).like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(User.name).like(pattern, escape=LIKE_ESCAPE)))
        query = query.where(sa.or_(AuditEvent.actor_id.in_(by_account),
                                   sa.func.lower(AuditEvent.actor_label).like(pattern, escape=LIKE_ESCAPE)))
    if filters["date_from"]:
        query = query.where(AuditEvent.at >= datetime.combine(filters["date_from"], time(), tzinfo=timezone.utc))
    if filters["date_to"]:
        end = datetime.combine(filters["date_to"] + timedelta(days=1), time(), tzinfo=timezone.utc)
        query = query.where(AuditEvent.at < end)
    return query


@bp.route("/admin/audit")
@role_required("admin")
def index():
    """The newest audit events first, filtered by action, object, actor and date range (UTC days)."""
    filters = read_filters(request.args)
    page = db.paginate(filtered_events(filters), per_page=PAGE_SIZE, error_out=False)
    object_types = db.session.scalars(sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)).all()
    return render_template("audit/index.html", page=page, filters=filters, object_types=object_types)
