"""Series and convenings: lists, pages, creation and editing."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..auth.policy import load_convening, manages, manages_series, role_required, signed_in, visible_convening_ids
from ..briefs.models import Brief, brief_convenings
from ..edge import on_refusal
from ..extensions import db
from ..forms import submitted_data
from ..invitations import rollup
from . import brand, logos, services
from .forms import ConveningForm, SeriesBrandForm, SeriesForm, StatusForm
from .models import Convening, ConveningStatus, Series, SeriesBrand

bp = Blueprint("convenings", __name__)


def _visible(query):
    ids = visible_convening_ids(current_user)
    return query if ids is None else query.where(Convening.id.in_(ids))


@bp.route("/convenings/")
@signed_in
def index():
    """Top-level convenings the user may see, newest first, with their dialogues."""
    status = request.args.get("status", "")
    query = (_visible(sa.select(Convening)).where(Convening.parent_id.is_(None))
             .options(selectinload(Convening.dialogues), selectinload(Convening.series))
             .order_by(Convening.starts_on.desc()))
    if status in {s.value for s in ConveningStatus}:
        query = query.where(Convening.status == status)
    page = db.paginate(query, per_page=25, error_out=False)
    return render_template("convenings/index.html", page=page, status=status, statuses=ConveningStatus)


@bp.route("/convenings/<int:convening_id>")
@signed_in
def detail(convening_id: int):
    """A convening's page: facts, dialogues, guest-list counts, briefs."""
    convening = load_convening(convening_id)
    dialogue_ids = [d.id for d in convening.dialogues]
    briefs = db.session.scalars(
        sa.select(Brief).join(brief_convenings).where(brief_convenings.c.convening_id == convening.id)
        .order_by(Brief.published_on.desc())).all()
    return render_template("convenings/detail.html", convening=convening, counts=rollup.status_counts([convening.id]),
                           dialogue_counts=rollup.own_status_counts(dialogue_ids), rollup=rollup,
                           briefs=briefs, can_manage=manages(current_user, convening),
                           status_form=StatusForm(obj=convening))


@bp.route("/convenings/new", methods=("GET", "POST"))
@role_required("organizer")
def create():
    """Create a convening (the creator becomes an organizer)."""
    form = ConveningForm(series_id=request.args.get("series_id", 0, type=int))
    if form.validate_on_submit():
        convening = services.create_convening(form.data, actor=current_user)
        db.session.commit()
        flash(f"Created {convening.title}. Add its dialogues, guest list and agenda next.", "success")
        return redirect(url_for("convenings.detail", convening_id=convening.id))
    return render_template("convenings/form.html", form=form, convening=None, parent=None)


@bp.route("/convenings/<int:convening_id>/dialogues/new", methods=("GET", "POST"))
@role_required("organizer")
def create_dialogue(convening_id: int):
    """Add a parallel dialogue/roundtable to a conference."""
    parent = load_convening(convening_id, need="manage")
    if parent.parent_id is not None:
        abort(404)  # dialogues do not nest further
    form = ConveningForm(parent=parent, data=None if request.method == "POST" else {
        "starts_on": parent.starts_on, "ends_on": parent.ends_on, "venue": parent.venue, "city": parent.city,
        "country": parent.country, "timezone": parent.timezone, "attribution_rule": parent.attribution_rule,
        "reply_by": parent.reply_by, "kind": "roundtable"})
    if form.validate_on_submit():
        dialogue = services.create_convening(form.data, actor=current_user, parent=parent)
        db.session.commit()
        flash(f"Added the dialogue {dialogue.title}.", "success")
        return redirect(url_for("convenings.detail", convening_id=dialogue.id))
    return render_template("convenings/form.html", form=form, convening=None, parent=parent)


@bp.route("/convenings/<int:convening_id>/edit", methods=("GET", "POST"))
@role_required("organizer")
def edit(convening_id: int):
    """Edit a convening; a save from a stale form is refused and shows the other change."""
    convening = load_convening(convening_id, need="manage")
    form = ConveningForm(obj=convening, parent=convening.parent)
    if request.method == "GET":
        form.series_id.data = convening.series_id or 0
        form.organizer_ids.data = [u.id for u in convening.organizers]
    page = partial(render_template, "convenings/form.html", form=form, convening=convening, parent=convening.parent)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(stale=error.current), form=form, stale=STALE_EDIT)
        services.update_convening(convening, form.data, actor=current_user)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("convenings.detail", convening_id=convening.id))
    return page()


STALE_EDIT = ("Someone else changed this convening while you were editing. Their version is shown "
              "below the form; your entries are kept. Save again to overwrite.")


@bp.route("/convenings/<int:convening_id>/status", methods=("POST",))
@role_required("organizer")
def change_status(convening_id: int):
    """Move the convening through draft → open → held → closed."""
    convening = load_convening(convening_id, need="manage")
    form = StatusForm()
    detail_page = url_for("convenings.detail", convening_id=convening_id)
    if form.validate_on_submit():
        on_refusal(redirect_to=detail_page)
        services.change_status(convening, form.status.data, current_user, form.version.data)
        db.session.commit()
        flash(f"The convening is now {convening.status}.", "success")
    return redirect(detail_page)


@bp.route("/series/")
@signed_in
def series_index():
    """All series with the number of editions each has."""
    rows = db.session.execute(
        sa.select(Series, sa.func.count(Convening.id))
        .outerjoin(Convening, sa.and_(Convening.series_id == Series.id, Convening.parent_id.is_(None)))
        .group_by(Series.id).order_by(Series.name)).all()
    return render_template("convenings/series_index.html", rows=rows)


@bp.route("/series/<int:series_id>")
@signed_in
def series_detail(series_id: int):
    """A series and the editions the user may see."""
    series = db.session.get(Series, series_id) or abort(404)
    editions = db.session.scalars(
        _visible(sa.select(Convening)).where(Convening.series_id == series.id, Convening.parent_id.is_(None))
        .options(selectinload(Convening.dialogues)).order_by(Convening.starts_on.desc())).all()
    return render_template("convenings/series_detail.html", series=series, editions=editions,
                           may_edit=manages_series(current_user, series))


@bp.route("/series/new", methods=("GET", "POST"))
@role_required("organizer")
def series_create():
    form = SeriesForm()
    if form.validate_on_submit():
        series = services.create_series(form.data, actor=current_user)
        db.session.commit()
        flash(f"Created the series {series.name}.", "success")
        return redirect(url_for("convenings.series_detail", series_id=series.id))
    return render_template("convenings/series_form.html", form=form, series=None)


@bp.route("/series/<int:series_id>/edit", methods=("GET", "POST"))
@role_required("organizer")
def series_edit(series_id: int):
    series = db.session.get(Series, series_id) or abort(404)
    if not manages_series(current_user, series):
        abort(403)
    form = SeriesForm(obj=series, series=series)
    if form.validate_on_submit():
        services.update_series(series, submitted_data(form), actor=current_user)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("convenings.series_detail", series_id=series.id))
    return render_template("convenings/series_form.html", form=form, series=series)


#: The brand stylesheet and logos are named by their content (revision, generated file name): kept a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.route("/series/<int:series_id>/look", methods=("GET", "POST"))
@role_required("organizer")
def brand_edit(series_id: int):
    """The series' own look: organization name, logo, accent colour, footer and contact address."""
    series = db.session.get(Series, series_id) or abort(404)
    if not manages_series(current_user, series):
        abort(403)
    current = db.session.get(SeriesBrand, series.id)
    form = SeriesBrandForm(obj=current)
    page = partial(render_template, "convenings/series_brand.html", form=form, series=series, current=current)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(), form=form)
        upload = _read_upload(form.logo.data)
        values = {k: v for k, v in submitted_data(form).items() if k not in {"logo", "remove_logo"}}
        swap = brand.save_brand(series, values, actor=current_user, logo=upload, remove_logo=form.remove_logo.data)
        _commit_with_logo(swap, upload)
        flash("Saved the series' look.", "success")
        return redirect(url_for("convenings.brand_edit", series_id=series.id))
    return page()


def _read_upload(file) -> bytes | None:
    """The uploaded bytes, one more than the limit at most (so that too large is seen), the file closed."""
    if not file:
        return None
    with file.stream as stream:
        return stream.read(logos.MAX_BYTES + 1)


def _commit_with_logo(swap: brand.LogoSwap, data: bytes | None) -> None:
    """Write a new logo only once the row is valid, remove it again if the commit fails; the replaced one after."""
    try:
        if swap.new:
            logos.write(swap.new, data)
        db.session.commit()
    except BaseException:  # the row is not saved (the edge or teardown rolls back): drop the new file too
        logos.delete(swap.new)
        raise
    logos.delete(swap.replaced)


@bp.get("/brand/<int:series_id>-<int:revision>.css")
def brand_css(series_id: int, revision: int):
    """A series' stylesheet (the accent colour as custom properties); a new revision has a new address."""
    found = brand.brand_of_series(series_id)
    if found is None or found.revision != revision:
        abort(404)
    response = Response(brand.stylesheet_text(found), mimetype="text/css")
    response.headers["Cache-Control"] = IMMUTABLE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/brand/logos/<name>")
def brand_logo(name: str):
    """A series' logo, as the type found when it was checked; served from our own disk, never elsewhere."""
    in_use = logos.is_storage_name(name) and db.session.scalar(
        sa.select(SeriesBrand.series_id).where(SeriesBrand.logo_name == name).limit(1)) is not None
    path = logos.path_of(name) if in_use else None
    if path is None or not path.is_file():
        abort(404)
    response = Response(path.read_bytes(), mimetype=logos.mime_of(name))  # at most logos.MAX_BYTES
    response.set_etag(name.split(".")[0])
    response.headers.update({"X-Content-Type-Options": "nosniff", "Content-Disposition": "inline",
                             "Cache-Control": IMMUTABLE})
    return response.make_conditional(request)
