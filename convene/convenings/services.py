"""Creating and changing series and convenings."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..audit.services import apply_changes, record
from ..auth.models import User
from ..editing import check_version, unique_slug
from ..errors import DomainError
from ..extensions import db
from ..invitations.calendar_mail import notify_convening_changed
from ..webhooks import services as webhooks
from .models import STATUS_TRANSITIONS, Convening, ConveningKind, Series

FIELDS = ("title", "kind", "theme", "description", "starts_on", "ends_on", "venue", "city", "country",
          "timezone", "attribution_rule", "reply_by", "capacity", "default_language")
#: Changes calendar clients must notice: they bump the iCalendar SEQUENCE (the zone moves the
#: invitation's first and last moment when no agenda is published).
CALENDAR_FIELDS = {"starts_on", "ends_on", "venue", "city", "country", "timezone", "status"}


class StatusError(DomainError):
    pass


def create_series(data: dict[str, Any], actor) -> Series:
    series = Series(name=data["name"].strip(), description=data.get("description") or "",
                    default_language=data.get("default_language") or None, slug=unique_slug(Series, data["name"]))
    db.session.add(series)
    record("series.create", series, actor=actor, changes={"name": [None, series.name]})
    return series


def update_series(series: Series, data: dict[str, Any], actor) -> Series:
    """Rename or describe a series; a field absent from data stays as it is."""
    data = {**data, **({"name": data["name"].strip()} if "name" in data else {})}
    if "default_language" in data:
        data["default_language"] = data["default_language"] or None
    changes = apply_changes(series, data, ("name", "description", "default_language"))
    if changes:
        record("series.update", series, actor=actor, changes=changes)
    return series


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise the fields present; a field absent from `data` stays as it is (never blanked)."""
    cleaned = dict(data)
    if "series_id" in data:
        cleaned["series_id"] = data["series_id"] or None
    if "country" in data:
        cleaned["country"] = (data["country"] or "").upper()
    if "default_language" in data:
        cleaned["default_language"] = data["default_language"] or None
    for key in ("title", "theme", "venue", "city"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = cleaned[key].strip()
    return cleaned


def _set_organizers(convening: Convening, organizer_ids: list[int] | None) -> dict[str, list]:
    if organizer_ids is None:
        return {}
    users = db.session.scalars(sa.select(User).where(User.id.in_(organizer_ids))).all() if organizer_ids else []
    before = sorted(u.email for u in convening.organizers)
    convening.organizers = list(users)
    after = sorted(u.email for u in users)
    return {"organizers": [before, after]} if before != after else {}


def create_convening(data: dict[str, Any], actor, parent: Convening | None = None) -> Convening:
    """A new convening in draft; the creating organizer becomes one of its organizers."""
    data = _clean(data)
    convening = Convening(slug=unique_slug(Convening, data["title"]), parent=parent)
    apply_changes(convening, data, FIELDS)
    convening.series_id = parent.series_id if parent is not None else data["series_id"]
    if parent is not None and not data.get("kind"):
        convening.kind = ConveningKind.ROUNDTABLE.value
    organizer_ids = list(data.get("organizer_ids") or [])
    if actor is not None and getattr(actor, "is_organizer", False) and actor.id not in organizer_ids:
        organizer_ids.append(actor.id)
    db.session.add(convening)
    _set_organizers(convening, organizer_ids)
    record("convening.create", convening, actor=actor,
           changes={"title": [None, convening.title], "parent_id": [None, parent.id if parent else None]})
    return convening


def update_convening(convening: Convening, data: dict[str, Any], actor) -> Convening:
    """Apply an edit; refuses a stale one; bumps the calendar SEQUENCE when time or place move."""
    check_version(convening, data.get("version"))
    data = _clean(data)
    changes = apply_changes(convening, data, (*FIELDS, "series_id") if convening.parent_id is None else FIELDS)
    changes.update(_set_organizers(convening, data.get("organizer_ids")))
    if CALENDAR_FIELDS & changes.keys():
        convening.ical_sequence += 1
        # Accepted invitees get an updated calendar invitation in the same transaction.
        notify_convening_changed(convening)
    if changes:
        record("convening.update", convening, actor=actor, changes=changes)
    if {"starts_on", "ends_on"} & changes.keys():
        before = {key: str(changes[key][0]) if key in changes else getattr(convening, key).isoformat()
                  for key in ("starts_on", "ends_on")}
        webhooks.emit(webhooks.Event.CONVENING_DATES_CHANGED, {**webhooks.convening_data(convening), "previous": before})
    return convening


def change_status(convening: Convening, status: str, actor, seen_version: int | None = None) -> Convening:
    check_version(convening, seen_version)
    if status == convening.status:
        return convening
    if status not in STATUS_TRANSITIONS[convening.status]:
        raise StatusError(f"A {convening.status} convening cannot move to {status}.")
    before = convening.status
    convening.status = status
    convening.ical_sequence += 1
    record("convening.status", convening, actor=actor, changes={"status": [before, status]})
    return convening
