"""Admins browse the audit trail."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from ..auth.policy import role_required
from ..extensions import db
from .models import AuditEvent

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


@bp.route("/admin/audit")
@role_required("admin")
def index():
    """The newest audit events first, filtered by action prefix and object type."""
    query = sa.select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    action = request.args.get("action", "").strip()[:80]
    object_type = request.args.get("object_type", "").strip()[:60]
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("audit/index.html", page=page, action=action, object_type=object_type)
