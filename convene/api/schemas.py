"""JSON Schemas (2020-12, as OpenAPI 3.1 uses) of everything the API answers.

The serializers in `serialize.py` build exactly these shapes; the property test validates
every answer against them, so a field added there and not here (or the reverse) fails a test.
"""
from __future__ import annotations

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """A closed object whose properties are all required unless named optional."""
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": [name for name in properties if name not in optional]}


def page_of(item: str) -> dict:
    return obj({
        "items": {"type": "array", "items": ref(item)},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 1},
    })


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_URL = {"type": ["string", "null"], "format": "uri"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
#: A count, or a phrase ("fewer than 5", "not shown") where small-cell suppression hides it.
SUPPRESSED_COUNT = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["fewer than 5", "not shown"]}]}

COMPONENTS: dict[str, dict] = {
    "Error": obj({"error": STRING, "message": STRING}),
    "Theme": obj({"slug": STRING, "name": STRING}),
    "ConveningLink": obj({"slug": STRING, "title": STRING, "starts_on": DATE, "ends_on": DATE,
                          "url": NULLABLE_URL, "api_url": NULLABLE_URL}),
    "Publication": obj({
        "slug": STRING, "title": STRING, "kind": STRING, "kind_label": STRING,
        "summary_html": STRING, "summary_text": STRING,
        "authors": {"type": "array", "items": STRING}, "publisher": STRING,
        "published_on": NULLABLE_DATE, "published_at": NULLABLE_DATETIME, "updated_at": DATETIME,
        "regions": {"type": "array", "items": STRING},
        "themes": {"type": "array", "items": ref("Theme")},
        "convenings": {"type": "array", "items": ref("ConveningLink")},
        "url": URL, "api_url": URL, "pdf_url": NULLABLE_URL, "external_url": NULLABLE_URL,
    }),
    "PublicationPage": page_of("Publication"),
    "MixCell": obj({"category": STRING, "count": SUPPRESSED_COUNT}),
    "Participation": obj({
        "participants": SUPPRESSED_COUNT,
        "north_south": {"type": "array", "items": ref("MixCell")},
        "sectors": {"type": "array", "items": ref("MixCell")},
    }),
    "SessionPerson": obj({"role": STRING, "name": STRING}),
    "AgendaItem": obj({
        "uid": STRING, "title": STRING, "kind": STRING, "status": {"enum": ["scheduled", "cancelled"]},
        "all_day": {"type": "boolean"}, "room": STRING, "description": STRING,
        "starts_at_utc": DATETIME, "ends_at_utc": DATETIME, "starts_at_local": DATETIME, "ends_at_local": DATETIME,
        "people": {"type": "array", "items": ref("SessionPerson")},
    }),
    "Agenda": obj({"version": {"type": "integer", "minimum": 1}, "published_at": DATETIME,
                   "timezone": STRING, "sessions": {"type": "array", "items": ref("AgendaItem")}}),
    "Attribution": obj({"rule": STRING, "label": STRING, "text": STRING}),
    "SeriesLink": obj({"slug": STRING, "name": STRING, "api_url": URL}),
    "ConveningSummary": obj({
        "slug": STRING, "title": STRING, "kind": STRING, "starts_on": DATE, "ends_on": DATE,
        "venue": STRING, "city": STRING, "country": STRING, "timezone": STRING,
        "url": URL, "api_url": URL,
    }),
    "ConveningPage": page_of("ConveningSummary"),
    "PublicationLink": obj({"slug": STRING, "title": STRING, "regions": {"type": "array", "items": STRING},
                            "url": URL, "api_url": URL}),
    "Convening": obj({
        "slug": STRING, "title": STRING, "kind": STRING, "starts_on": DATE, "ends_on": DATE,
        "venue": STRING, "city": STRING, "country": STRING, "timezone": STRING,
        "description": STRING, "attribution": ref("Attribution"),
        "series": {"oneOf": [ref("SeriesLink"), {"type": "null"}]},
        "part_of": {"oneOf": [ref("ConveningLink"), {"type": "null"}]},
        "dialogues": {"type": "array", "items": ref("ConveningLink")},
        "agenda": {"oneOf": [ref("Agenda"), {"type": "null"}]},
        "briefs": {"type": "array", "items": ref("PublicationLink")},
        "participation": ref("Participation"),
        "url": URL, "api_url": URL,
    }),
    "SeriesSummary": obj({"slug": STRING, "name": STRING, "description": STRING,
                          "editions": {"type": "integer", "minimum": 0}, "api_url": URL}),
    "SeriesList": obj({"items": {"type": "array", "items": ref("SeriesSummary")}}),
    "Series": obj({"slug": STRING, "name": STRING, "description": STRING,
                   "editions": {"type": "array", "items": ref("ConveningSummary")}, "api_url": URL}),
}

COMPONENTS.update({
    "TokenInfo": obj({"name": STRING, "created_at": DATETIME, "last_used_at": NULLABLE_DATETIME}),
    "Me": obj({"name": STRING, "email": STRING, "role": {"enum": ["admin", "organizer", "staff"]},
               "token": ref("TokenInfo")}),
    "ConveningRef": obj({"id": {"type": "integer"}, "slug": STRING, "title": STRING}),
    "StatusCount": obj({"status": STRING, "label": STRING, "count": {"type": "integer", "minimum": 0}}),
    "BalanceCell": obj({"category": STRING, "label": STRING,
                        "count": SUPPRESSED_COUNT,
                        "share": {"type": ["number", "null"]}}),
    "BalanceStage": obj({"stage": STRING, "total": {"type": "integer", "minimum": 0},
                         "cells": {"type": "array", "items": ref("BalanceCell")}}),
    "BalanceDimension": obj({"dimension": STRING, "label": STRING,
                             "stages": {"type": "array", "items": ref("BalanceStage")}}),
    "GuestFigures": obj({
        "convening": ref("ConveningRef"),
        "statuses": {"type": "array", "items": ref("StatusCount")},
        "balance": obj({"small_cells_suppressed": {"type": "boolean"},
                        "dimensions": {"type": "array", "items": ref("BalanceDimension")}}),
    }),
    "Owner": obj({"kind": {"enum": ["person", "organization", "user", None]}, "name": STRING}),
    "NextStep": obj({
        "id": {"type": "integer"}, "text": STRING, "status": STRING, "status_label": STRING, "priority": STRING,
        "owner": ref("Owner"), "due_on": NULLABLE_DATE, "overdue": {"type": "boolean"}, "public": {"type": "boolean"},
        "convening": ref("ConveningRef"), "last_update_at": DATETIME,
    }),
    "NextStepPage": page_of("NextStep"),
    "OutboxMessage": obj({
        "id": {"type": "integer"}, "kind": STRING, "status": {"enum": ["pending", "sending", "sent", "failed"]},
        "to_address": STRING, "subject": STRING, "attempts": {"type": "integer", "minimum": 0},
        "created_at": DATETIME, "sent_at": NULLABLE_DATETIME, "next_attempt_at": DATETIME, "last_error": STRING,
        "convening": {"oneOf": [ref("ConveningRef"), {"type": "null"}]},
    }),
    "Outbox": obj({
        "counts": obj({s: {"type": "integer", "minimum": 0} for s in ("pending", "sending", "sent", "failed")}),
        "items": {"type": "array", "items": ref("OutboxMessage")},
        "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1},
    }),
})
