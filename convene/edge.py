"""The request edge: the one place that answers a refused request.

A view reads load → check → form → service → commit → respond. Before it calls a service it
says how a refusal is answered, with `on_refusal(...)`. When a service raises a DomainError (or
the database finds a row changed under a versioned update), the handler installed here rolls
the session back, so nothing is saved half-way, and answers as declared:

- `redirect_to=url`: the message is flashed and the browser sent there;
- `render=page`: `page(error)` is answered with the error's status (422; 409 for a stale edit;
  a view may declare another). The message is flashed or, with `form=`, shown under the field
  it concerns (`field=`, else the error's own `field`, else with the form's own errors).

A stale edit's message is always flashed (`stale=` words it for the page), and it refreshes the
form's `version`, so saving again overwrites knowingly; `error.current` is the object as saved
meanwhile, for the page to show.

A view may declare several refusals by kind (`on_refusal(StaleEdit, ...)`); the most specific
kind that matches the error wins. With nothing declared the error page shows the message.
Indico's request handler rolls back and answers errors in one place the same way.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, flash, g, make_response, redirect
from sqlalchemy.orm.exc import StaleDataError
from wtforms import FieldList, FormField

from .errors import DomainError, StaleEdit
from .extensions import db
from .security import error_response


@dataclass(frozen=True)
class Refusal:
    """How the current request answers one kind of DomainError."""

    kind: type[DomainError] = DomainError
    render: Callable[[DomainError], Any] | None = None
    redirect_to: str | None = None
    form: Any = None
    field: str | None = None
    stale: str | None = None
    status: int | None = None
    code: int = 302
    flashed: bool = True


def on_refusal(kind: type[DomainError] = DomainError, **how) -> None:
    """Declare how this request answers a refusal of `kind` raised from here on (see the module doc)."""
    g.setdefault("refusals", {})[kind] = Refusal(kind, **how)


def declared_for(error: DomainError) -> Refusal:
    """The declared refusal of the most specific kind that matches error; the error page when none does."""
    declared = g.get("refusals", {})
    return next((declared[kind] for kind in type(error).__mro__ if kind in declared), Refusal())


def answer(error: Exception):
    """Roll back, then answer the refusal as the view declared it."""
    db.session.rollback()
    if not isinstance(error, DomainError):  # StaleDataError: a versioned row changed since it was read
        error = StaleEdit(None)
    refusal = declared_for(error)
    stale = isinstance(error, StaleEdit)
    message = refusal.stale if stale and refusal.stale else str(error)
    if refusal.redirect_to is not None:
        flash(message, "error")
        return redirect(refusal.redirect_to, code=refusal.code)
    if refusal.render is None:
        return error_response(error.status, "Not done", message)
    if refusal.form is not None and stale:
        _refresh_version(refusal.form, error.current)
    if refusal.form is not None and not stale:
        show_in_form(refusal.form, refusal.field or error.field, message)
    elif refusal.flashed:
        flash(message, "error")
    response = make_response(refusal.render(error))
    declared_status = refusal.status if (not stale or refusal.kind is StaleEdit) else None
    response.status_code = declared_status or error.status
    return response


def show_in_form(form, field_name: str | None, message: str) -> None:
    """Put message under the named field of form, or with the form's own errors."""
    field = form._fields.get(field_name) if field_name else None
    if field is not None and not isinstance(field, (FieldList, FormField)):  # rows keep errors per row
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def _refresh_version(form, current) -> None:
    """The form now carries the version saved meanwhile: saving again overwrites it knowingly."""
    version = getattr(form, "version", None)
    if version is not None and current is not None:
        version.data = current.version


def init_app(app: Flask) -> None:
    """Answer every DomainError and StaleDataError that leaves a view, in every blueprint."""
    app.register_error_handler(DomainError, answer)
    app.register_error_handler(StaleDataError, answer)
