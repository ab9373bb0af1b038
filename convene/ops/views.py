"""/healthz and /readyz: JSON for load balancers and monitors, never rate-limited, no session needed."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..extensions import limiter
from . import health

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive and serving requests (nothing else is checked)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready for traffic: database reachable and migrated, outbox moving, Redis answering when used."""
    ready, checks = health.readiness()
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
