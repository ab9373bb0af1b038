"""The printables page: the venue list (audited, with a stated purpose), the public-safe list,
name tents and badges."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from ..agenda.briefing import listed_participants
from ..auth.policy import load_convening, manages, signed_in
from ..convenings.brand import use_brand
from ..edge import on_refusal
from ..editing import slugify
from ..extensions import db
from . import pdf, services
from .forms import VenueListForm

bp = Blueprint("printables", __name__)


def _page(convening, form, status: int = 200):
    return render_template("printables/index.html", convening=convening, form=form,
                           count=len(services.participants(convening)),
                           can_manage=manages(current_user, convening)), status


@bp.route("/convenings/<int:convening_id>/printables")
@signed_in
def index(convening_id: int):
    """What can be printed for this convening, and the venue-list request form."""
    convening = load_convening(convening_id)
    return _page(convening, VenueListForm())


@bp.route("/convenings/<int:convening_id>/printables/venue-list", methods=("POST",))
@signed_in
def venue_list(convening_id: int):
    """The venue list with dietary and access needs: organizers of this convening and admins only."""
    convening = load_convening(convening_id, need="manage")
    form = VenueListForm()
    if not form.validate_on_submit():
        return _page(convening, form, 422)
    rows = services.participants(convening, viewer=current_user)
    on_refusal(render=lambda error: _page(convening, form), form=form, field="purpose")
    services.record_venue_export(convening, current_user, form.purpose.data, form.file_format.data, len(rows))
    db.session.commit()
    if form.file_format.data == "csv":
        return Response(services.venue_csv(rows), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{slugify(convening.title, 60)}-venue-list.csv"'})
    # 201: the request created an export (its audit event) and the list is answered in place, once;
    # a reload asks again rather than re-showing health data from the browser's history.
    use_brand(convening)
    return render_template("printables/venue_list.html", convening=convening, rows=rows,
                           purpose=form.purpose.data), 201


@bp.route("/convenings/<int:convening_id>/printables/participants")
@signed_in
def listed(convening_id: int):
    """The public-safe participant list: names and affiliations of those who consented to be listed."""
    convening = load_convening(convening_id)
    use_brand(convening)
    return render_template("printables/listed.html", convening=convening,
                           people=listed_participants([convening.id])[convening.id])


def _pdf(convening, data: bytes, what: str) -> Response:
    return Response(data, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{slugify(convening.title, 60)}-{what}.pdf"'})


def _participants_pdf(convening_id: int, typeset, what: str) -> Response:
    """Typeset a PDF of everyone coming on the paper asked for (?paper=a4|letter) and send it."""
    convening = load_convening(convening_id)
    paper = pdf.paper_size(request.args.get("paper"))
    return _pdf(convening, typeset(convening, services.participants(convening), paper), what)


@bp.route("/convenings/<int:convening_id>/printables/name-tents.pdf")
@signed_in
def name_tents(convening_id: int):
    """Folded name tents (A4 or Letter) for everyone coming."""
    return _participants_pdf(convening_id, pdf.name_tents, "name-tents")


@bp.route("/convenings/<int:convening_id>/printables/badges.pdf")
@signed_in
def badges(convening_id: int):
    """Badges, eight to a page (A4 or Letter), for everyone coming."""
    return _participants_pdf(convening_id, pdf.badges, "badges")
