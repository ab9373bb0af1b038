"""The people directory and the organization list."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..actions.models import ActionItem
from ..auth.policy import (edits_organization, edits_person, role_required, sees_sensitive_fields, signed_in,
                           visible_convening_ids)
from ..base.text import LIKE_ESCAPE, like_pattern
from ..edge import on_refusal
from ..extensions import db
from ..forms import submitted_data
from ..invitations.models import Invitation
from . import services
from .forms import OrganizationForm, PersonForm, PersonWithSensitiveForm, SECTOR_CHOICES
from .models import Organization, Person, Sector

bp = Blueprint("people", __name__)

PAGE_SIZE = 50


def search_people(q: str = "", country: str = "", sector: str = ""):
    """SELECT of people matching a free-text query (name, email, position, organization) and filters."""
    query = (sa.select(Person).outerjoin(Organization, Person.organization_id == Organization.id)
             .options(joinedload(Person.organization)).where(Person.erased_at.is_(None)).order_by(Person.name))
    q = q.strip()[:200]
    if q:
        pattern = like_pattern(q.lower())
        query = query.where(sa.or_(
            sa.func.lower(Person.name).like(pattern, escape=LIKE_ESCAPE),
            Person.email.like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(Person.position).like(pattern, escape=LIKE_ESCAPE),
            sa.func.lower(Organization.name).like(pattern, escape=LIKE_ESCAPE),
        ))
    if country:
        query = query.where(Person.country == country.upper()[:2])
    if sector in {s.value for s in Sector}:
        query = query.where(Person.sector == sector)
    return query


@bp.route("/people/")
@signed_in
def index():
    """Search the directory."""
    q = request.args.get("q", "")
    country, sector = request.args.get("country", ""), request.args.get("sector", "")
    page = db.paginate(search_people(q, country, sector), per_page=PAGE_SIZE, error_out=False)
    return render_template("people/index.html", page=page, q=q, country=country, sector=sector,
                           sector_choices=SECTOR_CHOICES)


def _load_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


@bp.route("/people/<int:person_id>")
@signed_in
def detail(person_id: int):
    """A person: contact facts, history across convenings, next steps they own."""
    person = _load_person(person_id)
    invitations_query = (sa.select(Invitation).where(Invitation.person_id == person.id)
                         .options(joinedload(Invitation.convening)).order_by(Invitation.created_at.desc()))
    visible = visible_convening_ids(current_user)
    if visible is not None:
        invitations_query = invitations_query.where(Invitation.convening_id.in_(visible))
    actions_query = (sa.select(ActionItem).where(ActionItem.owner_person_id == person.id)
                     .options(joinedload(ActionItem.convening)).order_by(ActionItem.due_on))
    if visible is not None:
        actions_query = actions_query.where(ActionItem.convening_id.in_(visible))
    actions = db.session.scalars(actions_query).all()
    return render_template("people/detail.html", person=person,
                           invitations=db.session.scalars(invitations_query).all(), actions=actions,
                           show_sensitive=sees_sensitive_fields(current_user, person),
                           may_edit=edits_person(current_user, person))


@bp.route("/people/new", methods=("GET", "POST"))
@role_required("organizer", "staff")
def create():
    """Add a person to the directory. Organizers may record self-identified data given to them."""
    with_sensitive = current_user.is_organizer
    form = (PersonWithSensitiveForm if with_sensitive else PersonForm)()
    if form.validate_on_submit():
        person = services.create_person(form.data, actor=current_user, with_sensitive=with_sensitive)
        db.session.commit()
        flash(f"Added {person.name} to the directory.", "success")
        return redirect(url_for("people.detail", person_id=person.id))
    return render_template("people/form.html", form=form, person=None, show_sensitive=with_sensitive)


@bp.route("/people/<int:person_id>/edit", methods=("GET", "POST"))
@role_required("organizer", "staff")
def edit(person_id: int):
    """Edit a person; sensitive fields appear only for those allowed to see them."""
    person = _load_person(person_id)
    if not edits_person(current_user, person):
        abort(403)
    with_sensitive = sees_sensitive_fields(current_user, person)
    form_class = PersonWithSensitiveForm if with_sensitive else PersonForm
    form = form_class(obj=person, person=person)
    if request.method == "GET":
        form.organization_name.data = person.organization.name if person.organization else ""
    page = partial(render_template, "people/form.html", form=form, person=person, show_sensitive=with_sensitive)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(stale=error.current), form=form, stale=STALE_EDIT)
        services.update_person(person, submitted_data(form), actor=current_user, with_sensitive=with_sensitive)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("people.detail", person_id=person.id))
    return page()


STALE_EDIT = ("Someone else changed this person while you were editing. Their version is shown; "
              "your entries are kept. Save again to overwrite.")


@bp.route("/organizations/")
@signed_in
def organizations():
    """Organizations with the number of people in the directory from each."""
    rows = db.session.execute(
        sa.select(Organization, sa.func.count(Person.id))
        .outerjoin(Person, sa.and_(Person.organization_id == Organization.id, Person.erased_at.is_(None)))
        .group_by(Organization.id).order_by(Organization.name)).all()
    return render_template("people/organizations.html", rows=rows)


@bp.route("/organizations/new", methods=("GET", "POST"))
@role_required("organizer", "staff")
def organization_create():
    form = OrganizationForm()
    if form.validate_on_submit():
        organization = services.create_organization(form.data, actor=current_user)
        db.session.commit()
        flash(f"Added {organization.name}.", "success")
        return redirect(url_for("people.organizations"))
    return render_template("people/organization_form.html", form=form, organization=None)


@bp.route("/organizations/<int:organization_id>/edit", methods=("GET", "POST"))
@role_required("organizer", "staff")
def organization_edit(organization_id: int):
    organization = db.session.get(Organization, organization_id) or abort(404)
    if not edits_organization(current_user, organization):
        abort(403)
    form = OrganizationForm(obj=organization, organization=organization)
    if form.validate_on_submit():
        services.update_organization(organization, submitted_data(form), actor=current_user)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("people.organizations"))
    return render_template("people/organization_form.html", form=form, organization=organization)
