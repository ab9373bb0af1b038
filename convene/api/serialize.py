"""Models to the JSON shapes declared in schemas.py. Pure functions of loaded objects: no queries here."""
from __future__ import annotations

from datetime import date, datetime

from ..actions.models import ActionStatus
from ..agenda.models import SessionRoleKind
from ..briefs.models import Brief, BriefKind
from ..briefs.rendering import excerpt, summary_html, summary_text
from ..convenings.models import AttributionRule, Convening
from ..urls import absolute_url

_KIND_LABELS = {k.value: k.label for k in BriefKind}


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def author_list(authors: str) -> list[str]:
    """The authors field holds names separated by semicolons (or new lines)."""
    return [name.strip() for name in authors.replace("\n", ";").split(";") if name.strip()]


def convening_link(convening: Convening, public: bool) -> dict:
    """A convening as a brief or another convening refers to it; URLs only when its public page is on."""
    return {"slug": convening.slug, "title": convening.title, "starts_on": convening.starts_on.isoformat(),
            "ends_on": convening.ends_on.isoformat(),
            "url": absolute_url("public.convening", slug=convening.slug) if public else None,
            "api_url": absolute_url("api.convening", slug=convening.slug) if public else None}


def publication(brief: Brief, public_convenings: set[int]) -> dict:
    current = brief.current_file
    return {
        "slug": brief.slug, "title": brief.title, "kind": brief.kind, "kind_label": _KIND_LABELS.get(brief.kind, brief.kind),
        "summary_html": str(summary_html(brief.summary)), "summary_text": summary_text(brief.summary),
        "authors": author_list(brief.authors), "publisher": brief.publisher,
        "published_on": _iso(brief.published_on), "published_at": _iso(brief.published_at),
        "updated_at": brief.updated_at.isoformat(),
        "regions": brief.region_names,
        "themes": [{"slug": t.slug, "name": t.name} for t in brief.themes],
        "convenings": [convening_link(c, c.id in public_convenings) for c in brief.convenings],
        "url": absolute_url("briefs.public_detail", slug=brief.slug),
        "api_url": absolute_url("api.publication", slug=brief.slug),
        "pdf_url": absolute_url("briefs.public_file", slug=brief.slug) if current is not None else None,
        "external_url": brief.url or None,
    }


def publication_link(brief: Brief) -> dict:
    return {"slug": brief.slug, "title": brief.title, "regions": brief.region_names,
            "url": absolute_url("briefs.public_detail", slug=brief.slug), "api_url": absolute_url("api.publication", slug=brief.slug)}


def convening_summary(convening: Convening) -> dict:
    return {"slug": convening.slug, "title": convening.title, "kind": convening.kind,
            "starts_on": convening.starts_on.isoformat(), "ends_on": convening.ends_on.isoformat(),
            "venue": convening.venue, "city": convening.city, "country": convening.country,
            "timezone": convening.timezone or "UTC",
            "url": absolute_url("public.convening", slug=convening.slug), "api_url": absolute_url("api.convening", slug=convening.slug)}


def attribution(convening: Convening) -> dict:
    rule = AttributionRule(convening.attribution_rule)
    return {"rule": rule.value, "label": rule.label, "text": convening.attribution_text}


def participation(facts) -> dict:
    """The suppressed aggregates of briefs.facts.convening_facts, as they are: never recomputed here."""
    return {"participants": facts.participants,
            "north_south": [{"category": k, "count": n} for k, n in facts.north_south],
            "sectors": [{"category": k, "count": n} for k, n in facts.sectors]}


def _person_name(role, names_shown: bool) -> str:
    """As the public agenda page shows it: a name only on the record and with the person's consent."""
    person = role.person
    if names_shown and person is not None and person.listing_consent:
        return person.display_name
    return "a participant"


def agenda(version, sessions, convening: Convening) -> dict:
    """A published agenda version with each session's times in UTC and in the convening's timezone."""
    tz = convening.zone
    names_shown = not convening.attribution.strips_names
    labels = {k.value: k.label for k in SessionRoleKind}
    return {
        "version": version.number, "published_at": version.published_at.isoformat(), "timezone": convening.timezone or "UTC",
        "sessions": [{
            "uid": s.uid, "title": s.title, "kind": s.kind, "status": s.status, "all_day": s.all_day,
            "room": s.room, "description": s.description,
            "starts_at_utc": s.starts_at.isoformat(), "ends_at_utc": s.ends_at.isoformat(),
            "starts_at_local": s.starts_at.astimezone(tz).isoformat(), "ends_at_local": s.ends_at.astimezone(tz).isoformat(),
            "people": [{"role": labels.get(r.role, r.role), "name": _person_name(r, names_shown)}
                       for r in s.roles if r.role != "participant"],
        } for s in sessions],
    }


def convening_ref(convening) -> dict:
    return {"id": convening.id, "slug": convening.slug, "title": convening.title}


def _owner(action) -> dict:
    for kind, owner in (("person", action.owner_person), ("organization", action.owner_organization),
                        ("user", action.owner_user)):
        if owner is not None:
            return {"kind": kind, "name": owner.name}
    return {"kind": None, "name": "Unassigned"}


def next_step(action, today: date) -> dict:
    return {"id": action.id, "text": action.text, "status": action.status,
            "status_label": ActionStatus(action.status).label, "priority": action.priority, "owner": _owner(action),
            "due_on": _iso(action.due_on), "overdue": action.is_overdue(today), "public": action.is_public,
            "convening": convening_ref(action.convening), "last_update_at": action.last_update_at.isoformat()}


def outbox_message(message) -> dict:
    return {"id": message.id, "kind": message.kind, "status": message.status, "to_address": message.to_address,
            "subject": message.subject, "attempts": message.attempts, "created_at": message.created_at.isoformat(),
            "sent_at": _iso(message.sent_at), "next_attempt_at": message.next_attempt_at.isoformat(),
            "last_error": message.last_error,
            "convening": convening_ref(message.convening) if message.convening is not None else None}
