"""The agenda blueprint and what its route modules share: names for its templates, sessions by day."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint

from .. import services
from ..models import SessionKind, SessionRoleKind


bp = Blueprint("agenda", __name__)


@bp.context_processor
def _agenda_globals():
    return {"SessionKind": SessionKind, "SessionRoleKind": SessionRoleKind}


def by_day(sessions, convening, day: date | None = None) -> list[tuple[date, list]]:
    """Sessions grouped by local day of the convening (all-day items on every day they cover)."""
    tz = convening.zone
    days = [day] if day else services.agenda_days(convening)
    grouped: dict[date, list] = {d: [] for d in days}
    for s in sessions:
        first = s.starts_at.astimezone(tz).date()
        last = (s.ends_at.astimezone(tz) - timedelta(microseconds=1)).date() if s.all_day else first
        d = first
        while d <= last:
            if d in grouped:
                grouped[d].append(s)
            d += timedelta(days=1)
    return list(grouped.items())
