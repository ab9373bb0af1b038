"""The OpenAPI 3.1 document, generated from the routes and the schemas declared beside them.

Each API view carries an `@operation(...)` that names its parameters and its response schema;
`document(app)` walks the URL map, so a route, its parameters and its answers cannot drift
apart from what the document says (the property test in tests/api drives every operation
from this document and validates every answer against it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask

from . import schemas

#: Responses every operation may give besides its own.
COMMON_ERRORS = {
    "429": "Too many requests from this address; wait a minute.",
}
TOKEN_ERRORS = {
    "401": "No API token, or one that is unknown or revoked.",
}


@dataclass
class Param:
    """A query or path parameter and its JSON Schema."""

    name: str
    schema: dict
    description: str
    where: str = "query"
    required: bool = False

    def as_openapi(self) -> dict:
        return {"name": self.name, "in": self.where, "required": self.required or self.where == "path",
                "description": self.description, "schema": self.schema}


@dataclass
class Operation:
    summary: str
    response: str
    params: list[Param] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    #: Needs a personal API token (Authorization: Bearer …).
    private: bool = False
    tag: str = "public"


def operation(summary: str, response: str, *, params: list[Param] = (), errors: dict[str, str] | None = None,
              private: bool = False, tag: str = "public") -> Callable:
    """Declare what a view takes and answers; the document and the property test read it."""
    def decorator(view):
        view.api_operation = Operation(summary, response, list(params), dict(errors or {}), private, tag)
        return view
    return decorator


PAGE_PARAMS = [
    Param("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number, from 1."),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": schemas.MAX_PER_PAGE,
                       "default": schemas.DEFAULT_PER_PAGE}, "Items per page."),
]

_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
#: Ids are 32-bit on every backend; the routes say so (int(max=…)), so larger numbers are a 404, not an overflow.
_PATH_TYPES = {"int": {"type": "integer", "minimum": 0, "maximum": 2147483647}, None: {"type": "string", "minLength": 1},
               "string": {"type": "string", "minLength": 1}}


def openapi_path(rule: str) -> tuple[str, list[Param]]:
    """/api/v1/convenings/<slug> → /api/v1/convenings/{slug} and its path parameters."""
    params = [Param(name, _PATH_TYPES.get(converter, _PATH_TYPES[None]), f"The {name.replace('_', ' ')}.", "path")
              for converter, name in _CONVERTER.findall(rule)]
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _responses(op: Operation, has_path_params: bool) -> dict:
    ok = {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.response}"}}}}
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    answers = {"200": ok}
    if not op.private:
        answers["304"] = {"description": "Not modified (the If-None-Match ETag still matches)."}
    errors = {"400": "A parameter (or the path) is not valid; the message says which.",
              **({"404": "Nothing at this address."} if has_path_params else {}),
              **(TOKEN_ERRORS if op.private else {}), **op.errors, **COMMON_ERRORS}
    for status, text in sorted(errors.items()):
        answers[status] = {"description": text, "content": error_body}
    return answers


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of every route that declares an operation."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op: Operation | None = getattr(app.view_functions.get(rule.endpoint), "api_operation", None)
        if op is None:
            continue
        path, path_params = openapi_path(rule.rule)
        entry = {
            "operationId": rule.endpoint.split(".", 1)[-1],
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [p.as_openapi() for p in path_params + op.params],
            "responses": _responses(op, bool(path_params)),
        }
        if op.private:
            entry["security"] = [{"token": []}]
        paths.setdefault(path, {})["get"] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene API", "version": "1",
                 "description": "Read-only access to published briefs, public convenings and series, and — with a "
                                "personal API token — to the figures of the convenings you may see."},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": app.config.get("BASE_URL", "").rstrip("/") or "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.COMPONENTS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "A personal API token from your account page."}},
        },
    }
