"""The request edge: a refused request is rolled back and answered as its view declared."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import IntegerField, StringField

from convene.edge import on_refusal
from convene.errors import DomainError, StaleEdit
from convene.extensions import db
from convene.people.models import Organization

pytestmark = pytest.mark.sqlite_only

PAGE = "{% for m in get_flashed_messages() %}<p class=flash>{{ m }}</p>{% endfor %}" \
       "{% for e in form.name.errors %}<p class=field>{{ e }}</p>{% endfor %}" \
       "{% for e in form.form_errors %}<p class=form>{{ e }}</p>{% endfor %}<p>v{{ form.version.data }}</p>"


class NameForm(FlaskForm):
    name = StringField()
    version = IntegerField()


class Current:
    version = 7


def _routes() -> Blueprint:
    bp = Blueprint("edge_test", __name__)

    def half_saved(name: str) -> None:
        db.session.add(Organization(name=name))
        db.session.flush()

    @bp.post("/edge-test/<kind>")
    def refuse(kind: str):
        form = NameForm()
        page = lambda error: render_template_string(PAGE, form=form)  # noqa: E731
        if kind == "redirect":
            on_refusal(redirect_to="/elsewhere", code=303)
        elif kind in ("field", "stale", "form-level"):
            on_refusal(render=page, form=form)
            on_refusal(StaleEdit, render=page, form=form, stale="Changed meanwhile; shown as it is now.")
        elif kind == "flashed":
            on_refusal(render=page, status=400)
        half_saved("Half saved")
        if kind == "stale":
            raise StaleEdit(Current())
        if kind == "stale-data":
            raise StaleDataError("UPDATE matched 0 rows")
        raise DomainError("That is not allowed.", field="name" if kind == "field" else None)

    return bp


@pytest.fixture(scope="module")
def edge_client(make_app):
    app = make_app()
    app.register_blueprint(_routes())
    with app.app_context():
        yield app.test_client()
        db.session.remove()


def _nothing_saved() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def test_a_refused_field_is_shown_under_the_field_with_422_and_nothing_saved(edge_client):
    page = edge_client.post("/edge-test/field", data={"name": "x", "version": "3"})
    assert page.status_code == 422
    assert '<p class=field>That is not allowed.</p>' in page.text and "class=flash" not in page.text
    assert _nothing_saved()


def test_a_refusal_without_a_field_goes_with_the_form_errors(edge_client):
    page = edge_client.post("/edge-test/form-level")
    assert page.status_code == 422 and '<p class=form>That is not allowed.</p>' in page.text


def test_a_stale_edit_is_409_with_the_declared_message_and_the_current_version(edge_client):
    page = edge_client.post("/edge-test/stale", data={"name": "x", "version": "3"})
    assert page.status_code == 409
    assert "<p class=flash>Changed meanwhile; shown as it is now.</p>" in page.text and "<p>v7</p>" in page.text
    assert _nothing_saved()


def test_a_stale_row_found_by_the_database_is_a_stale_edit(edge_client):
    page = edge_client.post("/edge-test/stale-data")
    assert page.status_code == 409 and "Error 409" in page.text
    assert _nothing_saved()


def test_a_declared_status_and_a_flashed_message(edge_client):
    page = edge_client.post("/edge-test/flashed")
    assert page.status_code == 400 and "<p class=flash>That is not allowed.</p>" in page.text


def test_a_declared_redirect_flashes_the_message(edge_client):
    response = edge_client.post("/edge-test/redirect")
    assert response.status_code == 303 and response.headers["Location"] == "/elsewhere"
    with edge_client.session_transaction() as session:
        assert ("error", "That is not allowed.") in session["_flashes"]
    assert _nothing_saved()


def test_nothing_declared_is_the_error_page_with_the_message(edge_client):
    page = edge_client.post("/edge-test/undeclared")
    assert page.status_code == 422 and "That is not allowed." in page.text and "Error 422" in page.text
    assert _nothing_saved()
