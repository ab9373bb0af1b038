"""Finding a next step's owner by what someone types: a name, an e-mail address, or an owner key.

With thousands of people and organizations, owners are no longer offered as one huge <select>:
forms take text (optionally helped by a short <datalist>) and it is matched here, on the server,
in a fixed number of small queries. The result says clearly when the text matches nobody or
several owners, so the page can ask for something more precise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..people.models import Organization, Person
from .models import ActionItem

#: At most this many candidates are shown when a text matches several owners.
CANDIDATES = 10
KEY = re.compile(r"^(person|org|user):(\d{1,18})$")
EMAIL = re.compile(r"^(?:.*<)?\s*([^\s<>@]+@[^\s<>@]+)\s*>?$")
NONE_WORDS = {"none", "nobody", "no owner", "unassigned"}
KIND_LABELS = {"person": "person", "org": "organization", "user": "staff account"}


@dataclass(frozen=True)
class Owner:
    """One possible owner, as shown in lists and typed back into the form."""

    kind: str
    id: int
    name: str
    email: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def text(self) -> str:
        """What the text box shows: the name, with the e-mail address when there is one (unique)."""
        return f"{self.name} <{self.email}>" if self.email else self.name

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Match:
    """The outcome of matching a typed owner: `key` is set when exactly one owner (or a keyword) fits."""

    typed: str = ""
    key: str | None = None
    owner: Owner | None = None
    candidates: list[Owner] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.key is not None


def _people(where, limit: int) -> list[Owner]:
    rows = db.session.execute(sa.select(Person.id, Person.name, Person.email)
                              .where(where, Person.erased_at.is_(None)).order_by(Person.name, Person.id).limit(limit))
    return [Owner("person", r.id, r.name, r.email or "") for r in rows]


def _orgs(where, limit: int) -> list[Owner]:
    rows = db.session.execute(sa.select(Organization.id, Organization.name).where(where)
                              .order_by(Organization.name, Organization.id).limit(limit))
    return [Owner("org", r.id, r.name) for r in rows]


def _users(where, limit: int) -> list[Owner]:
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(where, User.active.is_(True))
                              .order_by(User.name, User.id).limit(limit))
    return [Owner("user", r.id, r.name, r.email) for r in rows]


def by_key(key: str) -> Owner | None:
    """The owner an owner key names (one query), or None when there is none (or it is gone)."""
    found = KEY.match(key or "")
    if not found:
        return None
    kind, owner_id = found.group(1), int(found.group(2))
    loader = {"person": _people, "org": _orgs, "user": _users}[kind]
    model = {"person": Person, "org": Organization, "user": User}[kind]
    owners = loader(model.id == owner_id, 1)
    return owners[0] if owners else None


def _by_email(email: str) -> list[Owner]:
    email = email.lower()
    return (_users(sa.func.lower(User.email) == email, CANDIDATES)
            + _people(sa.func.lower(Person.email) == email, CANDIDATES))


def _by_name(name: str, *, exact: bool) -> list[Owner]:
    def clause(column):
        return sa.func.lower(column) == name.lower() if exact else column.icontains(name, autoescape=True)
    limit = CANDIDATES + 1
    return (_users(clause(User.name), limit) + _people(clause(Person.name), limit)
            + _orgs(clause(Organization.name), limit))


def match(typed: str | None, *, keywords: bool = True) -> Match:
    """Match typed text to one owner: 'person:12' keys, an e-mail address, or a name (exact, then partial).

    With `keywords`, 'me' and 'none' (also 'nobody', 'unassigned') pass through as themselves.
    At most eight short queries, whatever the size of the directory.
    """
    text = " ".join((typed or "").split())[:300]
    result = Match(typed=text)
    if not text:
        result.key = ""
        return result
    lowered = text.lower()
    if keywords and lowered == "me":
        result.key = "me"
        return result
    if keywords and lowered in NONE_WORDS:
        result.key = "none"
        return result
    if KEY.match(text):
        owner = by_key(text)
        candidates = [owner] if owner else []
    elif (email := EMAIL.match(text)) is not None:
        candidates = _by_email(email.group(1))
    else:
        candidates = _by_name(text, exact=True) or _by_name(text, exact=False)
    if len(candidates) == 1:
        result.owner = candidates[0]
        result.key = result.owner.key
    elif candidates:
        result.candidates = candidates[:CANDIDATES]
        result.message = (f"“{text}” matches several owners. Choose one, or type the e-mail address "
                          f"(or the name exactly as listed).")
    else:
        result.message = (f"No person, organization or staff account matches “{text}”. Type a name or an "
                          f"e-mail address" + (", “me” or “none”." if keywords else "."))
    return result


def recent_owners(visible_convening_ids=None, *, limit: int = 30, scan: int = 300) -> list[Owner]:
    """Owners of the most recently updated next steps (the user may see), then staff accounts: for a <datalist>.

    Two queries: the newest `scan` owned next steps with their owners' names (read through the
    last-update index, so it costs the same with 20,000 next steps as with 20), and active accounts.
    """
    query = (sa.select(ActionItem.owner_person_id, ActionItem.owner_organization_id, ActionItem.owner_user_id,
                       Person.name.label("person_name"), Person.email.label("person_email"),
                       Organization.name.label("org_name"), User.name.label("user_name"),
                       User.email.label("user_email"))
             .outerjoin(Person, sa.and_(Person.id == ActionItem.owner_person_id, Person.erased_at.is_(None)))
             .outerjoin(Organization, Organization.id == ActionItem.owner_organization_id)
             .outerjoin(User, sa.and_(User.id == ActionItem.owner_user_id, User.active.is_(True)))
             .where(sa.or_(ActionItem.owner_person_id.is_not(None), ActionItem.owner_organization_id.is_not(None),
                           ActionItem.owner_user_id.is_not(None)))
             .order_by(ActionItem.last_update_at.desc()).limit(scan))
    if visible_convening_ids is not None:
        query = query.where(ActionItem.convening_id.in_(visible_convening_ids))
    owners: dict[str, Owner] = {}
    for row in db.session.execute(query):
        if row.person_name is not None:
            owner = Owner("person", row.owner_person_id, row.person_name, row.person_email or "")
        elif row.org_name is not None:
            owner = Owner("org", row.owner_organization_id, row.org_name)
        elif row.user_name is not None:
            owner = Owner("user", row.owner_user_id, row.user_name, row.user_email)
        else:
            continue
        owners.setdefault(owner.key, owner)
        if len(owners) >= limit:
            break
    for account in _users(sa.true(), limit):
        owners.setdefault(account.key, account)
    return sorted(owners.values(), key=lambda o: (o.name.lower(), o.key))
