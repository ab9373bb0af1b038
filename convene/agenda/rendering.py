"""Agenda rows ready to print, per-row links without a route build each, and the public page cache.

A 200-session agenda is rendered row by row; doing the per-row work in Jinja (a macro per time,
role and mark, `label()` and `url_for` per link) made it the slowest part of the page. Here every
row's values are prepared once, in one pass (times formatted in the convening's and the viewer's
timezone, labels looked up, names chosen); the day-table macro in templates/agenda/_agenda.html
writes the markup and the words around them, inline, with no macro call per row.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from .. import caching
from ..i18n.locale import current_language
from .models import SessionKind, SessionRoleKind

#: Lazy labels: each row prints them in the reader's language.
KIND_LABELS = {k.value: k.display for k in SessionKind}
ROLE_LABELS = {k.value: k.display for k in SessionRoleKind}
#: An id no session has: url_for builds the route once with it, each row substitutes its own id.
_ID_HOLE = 2147483647
_UID_HOLE = "00000000-hole-0000-0000-000000000000"


@dataclass(slots=True)
class Row:
    """One session as printed in a day table: `s` is the session (row or published view).

    `start`/`end` are HH:MM in the convening's timezone and `start_iso`/`end_iso` the instants
    (all empty for an all-day session); `own_start`/`own_end` are the times in the viewer's own
    timezone, named by `own_zone`, when it differs (else all empty). Each role is (label, name,
    mine): name None when the person is not to be named, mine when the viewer holds it.
    """

    s: Any
    kind_label: str
    start: str = ""
    end: str = ""
    start_iso: str = ""
    end_iso: str = ""
    own_start: str = ""
    own_end: str = ""
    own_zone: str = ""
    roles: list[tuple[str, str | None, bool]] = field(default_factory=list)
    mark: str | None = None


NO_TIMES = ("",) * 7


def _times(s, tz: ZoneInfo, own_tz: ZoneInfo | None, slots: dict) -> tuple[str, ...]:
    """Row's seven time fields for a session, worked out once per time slot (parallel sessions share one)."""
    if s.all_day:
        return NO_TIMES
    key = (s.starts_at, s.ends_at, s.starts_at.tzinfo, s.ends_at.tzinfo)  # equal instants in other zones print otherwise
    found = slots.get(key)
    if found is None:
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        own = (format_datetime(s.starts_at, "EEE HH:mm", tzinfo=own_tz, locale=get_locale() or "en"),
               f"{s.ends_at.astimezone(own_tz):%H:%M}",
               own_tz.key.replace("_", " ")) if own_tz is not None else ("", "", "")
        found = slots[key] = (f"{start:%H:%M}", f"{end:%H:%M}", s.starts_at.isoformat(), s.ends_at.isoformat(), *own)
    return found


def _name(role, names_shown, me) -> tuple[str | None, bool]:
    """(the name shown, whether it is the viewer): None when the person is not to be named."""
    if me is not None and role.person_id == me.id:
        return None, True
    if names_shown == "all" or (names_shown and role.person.listing_consent):
        return role.person.display_name, False
    return None, False


def rows_by_day(days: Iterable[tuple[date, list]], convening, *, names_shown: Any = True,
                viewer_tz: str | None = None, me=None, marks: dict[str, str] | None = None
                ) -> list[tuple[date, list[Row]]]:
    """by_day()'s [(day, sessions)] as [(day, rows)]; a session on several days is prepared once.

    names_shown: 'all' (staff: every name), True (names of people who consented to be listed),
    False (nobody's name). `me` is shown as "you"; `marks` maps uid → change since last seen.
    """
    tz = convening.zone
    own_tz = ZoneInfo(viewer_tz) if viewer_tz and viewer_tz != convening.timezone else None
    prepared: dict[int, Row] = {}
    slots: dict[tuple, tuple[str, ...]] = {}
    # The labels translated once per page, not once per row (each use of a lazy string translates it).
    kinds = {value: str(label) for value, label in KIND_LABELS.items()}
    roles = {value: str(label) for value, label in ROLE_LABELS.items()}
    out = []
    for day, sessions in days:
        rows = []
        for s in sessions:
            row = prepared.get(id(s))
            if row is None:
                row = prepared[id(s)] = Row(
                    s, kinds.get(s.kind, s.kind), *_times(s, tz, own_tz, slots),
                    [(roles.get(r.role, r.role), *_name(r, names_shown, me))
                     for r in s.roles if r.role != "participant"],
                    marks.get(s.uid) if marks else None)
            rows.append(row)
        out.append((day, rows))
    return out


def link_for(endpoint: str, **values) -> Callable[[Any], str]:
    """A function session_id (or uid) → URL, built with one url_for instead of one per row.

    Pass session_id=… or uid=… as the placeholder argument's name with value None.
    """
    hole_name = next(k for k, v in values.items() if v is None)
    hole = _ID_HOLE if hole_name == "session_id" else _UID_HOLE
    pattern = url_for(endpoint, **{**values, hole_name: hole})
    before, _, after = pattern.partition(str(hole))
    return lambda value: f"{before}{value}{after}"


# --- The public agenda page's cache ----------------------------------------------------------------

class FragmentCache:
    """A small LRU of rendered HTML fragments, per process (each gunicorn worker has its own)."""

    def __init__(self):
        self._items: OrderedDict[str, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: str, render: Callable[[], str]) -> Markup:
        size = current_app.config.get("AGENDA_PAGE_CACHE_SIZE", 16)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        html = Markup(render())
        if size > 0:
            with self._lock:
                self._items[key] = html
                while len(self._items) > size:
                    self._items.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


public_days = FragmentCache()


def fingerprint(*parts: Any) -> str:
    """A cache key from everything a fragment is built from (repr of plain values)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


# --- Day tables kept per content (the editor and an attendee's agenda) ------------------------------

def rows_key(days: list[tuple[date, list[Row]]]) -> tuple:
    """Everything rows_by_day's rows print, as plain values: a kept fragment's key is made of it.

    The per-viewer bits are in the rows themselves ("you", the viewer's own times, the marks), so
    two viewers whose rows differ in anything never share a fragment.
    """
    return tuple((day, tuple((s.id, s.uid, s.kind, s.cancelled, s.all_day, s.title, s.open_to_all, s.room,
                              s.description, r.kind_label, r.start, r.end, r.start_iso, r.end_iso, r.own_start,
                              r.own_end, r.own_zone, tuple(r.roles), r.mark)
                             for r in rows for s in (r.s,))) for day, rows in days)


def kept_days(kind: str, parts: tuple, render: Callable[[], str]) -> Markup:
    """Rendered day tables kept in the shared store (caching.store: Redis when configured, else this
    process's memory) under a key made of `parts`, which must hold everything the fragment shows
    (rows_key of its rows, the links' base, the words around them); the language and the URL root
    are added here. A change to any of them makes a new key: nothing is invalidated, nothing stale served.
    """
    key = "fragment:" + kind + ":" + fingerprint(kind, request.url_root, request.script_root,
                                                  current_language(), *parts)
    store = caching.store()
    data = store.get(key)
    if data is not None:
        return Markup(data.decode("utf-8"))
    html = render()
    store.set(key, html.encode("utf-8"))
    return Markup(html)
