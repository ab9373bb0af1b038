"""The staff follow-up board: filters, sorting, and the CSV and iCalendar exports of a filtered list.

The same `BoardFilters` drive the page, the CSV, the signed-in .ics export and the personal feed,
so an export always holds exactly what the board shows.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Mapping

import sqlalchemy as sa
from icalendar import Calendar, Todo
from sqlalchemy.orm import joinedload, selectinload

from ..auth.policy import visible_convening_ids
from ..convenings.models import Convening
from ..db_types import utcnow
from ..extensions import db
from ..themes.models import Theme
from . import owners as owner_lookup
from .models import ActionItem, ActionPriority, ActionStatus, action_themes
from .services import OWNER_KINDS

ACTIVE = (ActionStatus.DRAFT.value, ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
FOLLOWED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
SORTS = {
    "due": "Due date (soonest first)",
    "-due": "Due date (latest first)",
    "stale": "Longest without update",
    "updated": "Most recently updated",
    "priority": "Priority",
    "convening": "Convening",
    "status": "Status",
}
DUE_FILTERS = {"overdue": "Overdue", "month": "Due this month", "none": "No due date"}
PER_PAGE_CHOICES = (10, 25, 50, 100)


#: The largest id an INTEGER column holds; a larger number in a filter names no row, and PostgreSQL
#: refuses to compare with it (a 500) where SQLite would quietly match nothing.
MAX_ID = 2_147_483_647


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


@dataclass
class BoardFilters:
    status: str = ""
    owner: str = ""
    convening: int | None = None
    series: int | None = None
    theme: int | None = None
    due: str = ""
    stale_days: int | None = None
    visibility: str = ""
    q: str = ""
    sort: str = "due"
    page: int = 1
    per_page: int = 25
    errors: list[str] = field(default_factory=list)
    #: What was typed in the owner box when it is not a key or keyword (matched by `resolve`).
    owner_text: str = ""
    #: A theme given by its slug (readable links such as ?theme=climate-security), matched by `resolve`.
    theme_slug: str = ""
    #: The owner the filter names, for showing it back in the text box.
    owner_match: owner_lookup.Match | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "BoardFilters":
        """Read filters from a query string; unknown values are ignored (and reported), never a 500."""
        f = cls()
        status = args.get("status", "")
        if status in {"", "active", "followed"} | {s.value for s in ActionStatus}:
            f.status = status
        else:
            f.errors.append("Unknown status ignored.")
        owner = args.get("owner", "")
        kind, _, raw = owner.partition(":")
        if owner in ("", "none", "me") or (kind in OWNER_KINDS and raw.isdigit()):
            f.owner = owner
        elif kind in OWNER_KINDS:
            f.errors.append("Unknown owner ignored.")
        else:
            f.owner_text = " ".join(owner.split())[:300]
        f.convening, f.series, f.theme = (_int(args.get(k)) for k in ("convening", "series", "theme"))
        theme = (args.get("theme") or "").strip()
        if f.theme is None and theme and not theme.lstrip("-").isdigit():
            f.theme_slug = theme[:200]
        f.due = args.get("due", "") if args.get("due", "") in DUE_FILTERS else ""
        f.stale_days = _int(args.get("stale"))
        if f.stale_days is not None:
            f.stale_days = min(f.stale_days, 3650)
        f.visibility = args.get("visibility", "") if args.get("visibility") in ("public", "internal") else ""
        f.q = (args.get("q") or "").strip()[:200]
        f.sort = args.get("sort", "due") if args.get("sort", "due") in SORTS else "due"
        f.page = min(_int(args.get("page")) or 1, 100_000)
        per_page = _int(args.get("per_page")) or 25
        f.per_page = per_page if per_page in PER_PAGE_CHOICES else 25
        return f

    def resolve(self) -> "BoardFilters":
        """Look up what needs the database: an owner typed as a name or e-mail, a theme given by slug.

        A fixed number of small queries; an owner that matches nobody or several people is ignored
        with a message (and, when several, the candidates to choose from).
        """
        if self.owner_text:
            found = owner_lookup.match(self.owner_text)
            self.owner_match = found
            if found.ok:
                self.owner, self.owner_text = found.key, ""
            else:
                self.errors.append(found.message + " The owner filter was not applied.")
        elif self.owner and self.owner not in ("me", "none"):
            self.owner_match = owner_lookup.Match(typed=self.owner, key=self.owner,
                                                  owner=owner_lookup.by_key(self.owner))
        if self.theme_slug:
            self.theme = db.session.scalar(sa.select(Theme.id).where(Theme.slug == self.theme_slug))
            if self.theme is None:
                self.errors.append("Unknown theme ignored.")
        return self

    @property
    def owner_display(self) -> str:
        """The owner filter as it is shown in the text box."""
        if self.owner_text:
            return self.owner_text
        if self.owner_match is not None and self.owner_match.owner is not None:
            return self.owner_match.owner.text
        return self.owner

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for export links and the feed)."""
        values = {"status": self.status, "owner": self.owner, "convening": self.convening, "series": self.series,
                  "theme": self.theme, "due": self.due, "stale": self.stale_days, "visibility": self.visibility,
                  "q": self.q, "sort": self.sort if self.sort != "due" else ""}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _owner_clause(owner: str, user):
    if owner == "none":
        return sa.and_(ActionItem.owner_person_id.is_(None), ActionItem.owner_organization_id.is_(None),
                       ActionItem.owner_user_id.is_(None))
    if owner == "me":
        return ActionItem.owner_user_id == user.id
    kind, _, raw = owner.partition(":")
    column = {"person": ActionItem.owner_person_id, "org": ActionItem.owner_organization_id,
              "user": ActionItem.owner_user_id}[kind]
    return column == int(raw)


def _status_clause(status: str):
    if status == "active":
        return ActionItem.status.in_(ACTIVE)
    if status == "followed":
        return ActionItem.status.in_(FOLLOWED)
    return ActionItem.status == status


def _due_clause(due: str, today: date):
    if due == "overdue":
        return sa.and_(ActionItem.due_on < today, ActionItem.status.in_(FOLLOWED))
    if due == "month":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return sa.and_(ActionItem.due_on >= first, ActionItem.due_on < following)
    return ActionItem.due_on.is_(None)


def _ordering(sort: str) -> list:
    priority_rank = sa.case({ActionPriority.HIGH.value: 0, ActionPriority.NORMAL.value: 1,
                             ActionPriority.LOW.value: 2}, value=ActionItem.priority, else_=3)
    # NULLS LAST matches the b-tree order of PostgreSQL, so (due_on, id) can be read from an index.
    due = ActionItem.due_on.asc().nulls_last()
    return {
        "due": [due, ActionItem.id],
        "-due": [ActionItem.due_on.desc().nulls_last(), ActionItem.id.desc()],
        "stale": [ActionItem.last_update_at, ActionItem.id],
        "updated": [ActionItem.last_update_at.desc(), ActionItem.id.desc()],
        "priority": [priority_rank, due, ActionItem.id],
        "convening": [Convening.starts_on.desc(), Convening.id, ActionItem.id],
        "status": [ActionItem.status, due, ActionItem.id],
    }[sort]


#: What a listed next step shows, loaded with it in a fixed number of queries.
EAGER = (joinedload(ActionItem.convening), joinedload(ActionItem.session), joinedload(ActionItem.owner_person),
         joinedload(ActionItem.owner_organization), joinedload(ActionItem.owner_user),
         selectinload(ActionItem.themes))


def _filtered(query, user, filters: BoardFilters, now: datetime):
    """Apply the user's scope, the filters and the sort order to a SELECT over action_items."""
    visible = visible_convening_ids(user)
    if visible is not None:
        query = query.where(ActionItem.convening_id.in_(visible))
    if filters.status:
        query = query.where(_status_clause(filters.status))
    if filters.owner:
        query = query.where(_owner_clause(filters.owner, user))
    if filters.convening:
        query = query.where(ActionItem.convening_id.in_(sa.select(Convening.id).where(
            sa.or_(Convening.id == filters.convening, Convening.parent_id == filters.convening))))
    if filters.series:
        query = query.where(ActionItem.convening_id.in_(
            sa.select(Convening.id).where(Convening.series_id == filters.series)))
    if filters.theme:
        query = query.where(ActionItem.id.in_(
            sa.select(action_themes.c.action_id).where(action_themes.c.theme_id == filters.theme)))
    if filters.due:
        query = query.where(_due_clause(filters.due, now.date()))
    if filters.stale_days:
        query = query.where(ActionItem.last_update_at < now - timedelta(days=filters.stale_days))
    if filters.visibility:
        query = query.where(ActionItem.is_public.is_(filters.visibility == "public"))
    if filters.q:
        query = query.where(ActionItem.text.icontains(filters.q, autoescape=True))
    if filters.sort == "convening":
        query = query.join(Convening, Convening.id == ActionItem.convening_id)
    return query.order_by(*_ordering(filters.sort))


def board_query(user, filters: BoardFilters, now: datetime | None = None):
    """The next steps the user may see that match the filters, sorted, with owners and themes loaded."""
    return _filtered(sa.select(ActionItem).options(*EAGER), user, filters, now or utcnow())


def matching_ids(user, filters: BoardFilters, now: datetime | None = None):
    """The ids of the next steps the user may see that match the filters (a subquery, unordered)."""
    return _filtered(sa.select(ActionItem.id), user, filters, now or utcnow()).order_by(None)


def board_page(user, filters: BoardFilters, now: datetime | None = None):
    """One page of the board in four queries: count, the page's ids (narrow, index-friendly), rows, themes.

    Sorting and paging over ids alone keeps the database from sorting wide joined rows.
    """
    ids_query = _filtered(sa.select(ActionItem.id), user, filters, now or utcnow())
    page = db.paginate(ids_query, page=filters.page, per_page=filters.per_page, error_out=False, count=True)
    ids = list(page.items)
    rows = {a.id: a for a in db.session.scalars(
        sa.select(ActionItem).where(ActionItem.id.in_(ids)).options(*EAGER)).unique()}
    page.items = [rows[i] for i in ids if i in rows]
    return page


# --- CSV ------------------------------------------------------------------------------------

#: A cell starting with one of these is read as a formula (or splits a cell) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "|", "%")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (prefixed with ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


CSV_HEADER = ("id", "next step", "rationale", "status", "priority", "owner", "due", "convening", "session",
              "themes", "visibility", "last update", "drop reason")


def csv_text(actions) -> str:
    """The next steps as CSV (RFC 4180 quoting, CRLF), every cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for a in actions:
        writer.writerow([safe_cell(v) for v in (
            a.id, a.text, a.rationale, ActionStatus(a.status).label, a.priority, a.owner_label,
            a.due_on.isoformat() if a.due_on else "", a.convening.title, a.session.title if a.session else "",
            "; ".join(t.name for t in a.themes), "public" if a.is_public else "internal",
            a.last_update_at.strftime("%Y-%m-%d %H:%M UTC"), a.drop_reason)])
    return out.getvalue()


# --- iCalendar VTODO ------------------------------------------------------------------------

ICAL_STATUS = {"draft": "NEEDS-ACTION", "open": "NEEDS-ACTION", "in_progress": "IN-PROCESS",
               "done": "COMPLETED", "dropped": "CANCELLED"}
ICAL_PRIORITY = {"high": 1, "normal": 5, "low": 9}


def todo_calendar(actions, *, link_for, name: str = "Convene next steps") -> bytes:
    """A METHOD:PUBLISH calendar with a VTODO per next step: each one's stored UID, DUE as a date,
    DTSTAMP and LAST-MODIFIED = the row's last change, so the same steps always give the same bytes.

    `link_for(action)` gives each next step's absolute URL.
    """
    calendar = Calendar.new(prodid="-//Convene//Next steps//EN", name=name, method="PUBLISH")
    calendar.pop("UID", None)  # Calendar.new adds a random UID: the same steps must give the same bytes
    for a in actions:
        changed = (a.updated_at or a.created_at).astimezone(timezone.utc)
        todo = Todo()
        todo.add("uid", a.uid)
        todo.add("dtstamp", changed)
        todo.add("last-modified", changed)
        todo.add("created", a.created_at.astimezone(timezone.utc))
        todo.add("summary", a.text)
        details = [a.convening.title] + ([a.session.title] if a.session else []) + \
            [f"Owner: {a.owner_label}"] + ([a.rationale] if a.rationale else [])
        todo.add("description", "\n".join(details))
        todo.add("status", ICAL_STATUS[a.status])
        todo.add("priority", ICAL_PRIORITY.get(a.priority, 5))
        todo.add("sequence", max(a.version - 1, 0))
        if a.due_on is not None:
            todo.add("due", a.due_on)
        if a.status == ActionStatus.DONE.value:
            todo.add("completed", a.last_update_at.astimezone(timezone.utc))
        if a.themes:
            todo.add("categories", [t.name for t in a.themes])
        todo.add("url", link_for(a))
        calendar.add_component(todo)
    return calendar.to_ical()


def todo_parts(actions, *, link_for) -> tuple:
    """Everything todo_calendar shows of these steps: the tag a to-do file is kept and revalidated by
    (a renamed convening, session, owner or theme changes it as surely as an edit of the step)."""
    return tuple((a.uid, a.version, a.updated_at, a.created_at, a.text, a.rationale, a.status, a.priority,
                  a.owner_label, a.due_on, a.last_update_at, a.convening.title, a.session.title if a.session else None,
                  tuple(t.name for t in a.themes), link_for(a)) for a in actions)
