"""Routes of the diversity area: the balance dashboard, targets, series trends, classification overrides."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.policy import load_convening, manages, manages_series, role_required, signed_in, visible_convening_ids
from ..base import countries as geo
from ..convenings.models import Convening, Series
from ..edge import on_refusal
from ..extensions import db
from . import charts
from .basis_changes import compare_bases
from .categories import categories
from .classification import classification_info, remove_override, set_override
from .counting import Tally, dimensions_of, mask_for, sensitive_raws, tallies
from .forms import OverrideForm, TargetForm
from .models import ClassificationOverride, Dimension, DiversityTarget, Stage, TargetKind
from .suppression import shown_dimensions, stage_cells
from .targets import TargetResult, describe, effective_targets, evaluate, goal_text, remove_target, set_target
from .what_if import candidates, if_all_pending_accept, suggestions as target_suggestions

bp = Blueprint("diversity", __name__)

STAGE_CHOICES = [(s.value, s.label) for s in Stage]


# --- Helpers ------------------------------------------------------------------------------------

def dimension_tables(tally: Tally, suppress: bool) -> list[dict]:
    """Per dimension: its cells at every stage (same category order), ready for table and chart."""
    return [{"dimension": dimension, "table": stage_cells(tally, dimension.value, suppress)}
            for dimension in shown_dimensions(suppress)]


def _target_marks(results: list[TargetResult], dimension: str) -> list[tuple[str, int, str]]:
    marks = []
    for r in results:
        t = r.target
        if t.dimension != dimension or t.kind == TargetKind.MIN_CATEGORIES.value:
            continue
        category = "*" if t.kind == TargetKind.MAX_ANY.value else t.category
        marks.append((category, t.value, goal_text(t) + f" ({Stage(t.stage).label.lower()})"))
    return marks


def guest_list_hint(convening) -> dict | None:
    """Suggestions for the guest list: only for organizers/admins, only when a target is missed."""
    if convening is None or not manages(current_user, convening):
        return None
    info = classification_info()
    tally = tallies([convening.id], info.classifier, mask=mask_for(current_user), kept=True)[convening.id]
    results = evaluate(effective_targets(convening), tally)
    found = target_suggestions(convening, results, tally, info.classifier, current_user)
    return {"items": found, "convening": convening} if found else None


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"diversity_guest_list_hint": guest_list_hint}


# --- Convening dashboard ------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/balance")
@signed_in
def dashboard(convening_id: int):
    """Counts and shares per stage and dimension, targets met or missed, and what-if suggestions."""
    convening = load_convening(convening_id)
    organizer = manages(current_user, convening)
    info = classification_info()
    # Organizers see exact counts, of what they may see; everyone else sees suppressed counts of everyone.
    # Unmasked counts (admins', and the suppressed ones) are kept under the guest list's change stamp.
    tally = tallies([convening.id], info.classifier, mask=mask_for(current_user) if organizer else None,
                    kept=True)[convening.id]
    targets = effective_targets(convening)
    results = evaluate(targets, tally, suppress=not organizer)
    tables = dimension_tables(tally, suppress=not organizer)
    for entry in tables:
        entry["chart"] = charts.bar_chart(entry["table"], STAGE_CHOICES,
                                          _target_marks(results, entry["dimension"].value))
    what_if = suggestions = None
    if organizer:
        pool = candidates(convening)
        suggestions = target_suggestions(convening, results, tally, info.classifier, current_user, limit=10,
                                         pool=pool)
        what_if = if_all_pending_accept(convening, tally, info.classifier, results, current_user, pool=pool)
    masked = sorted(dimensions_of(sensitive_raws())) if organizer and not current_user.is_admin else []
    return render_template("diversity/dashboard.html", convening=convening, info=info, tally=tally,
                           masked_dimensions=masked,
                           results=results, tables=tables, stages=STAGE_CHOICES, organizer=organizer,
                           suggestions=suggestions, what_if=what_if, country_name=geo.country_name)


# --- Targets ------------------------------------------------------------------------------------

def _targets_page(form: TargetForm, *, convening=None, series=None, status: int = 200):
    own = db.session.scalars(sa.select(DiversityTarget).where(
        DiversityTarget.convening_id == convening.id if convening is not None
        else DiversityTarget.series_id == series.id).order_by(DiversityTarget.id)).all()
    inherited = []
    if convening is not None and convening.series_id is not None:
        keys = {t.key for t in own}
        inherited = [t for t in db.session.scalars(sa.select(DiversityTarget).where(
            DiversityTarget.series_id == convening.series_id).order_by(DiversityTarget.id)) if t.key not in keys]
    return render_template("diversity/targets.html", form=form, convening=convening, series=series, own=own,
                           inherited=inherited, describe=describe), status


def _save_target(form: TargetForm, *, convening=None, series=None):
    """Validate, save and redirect; on a rule violation show the form again with the message."""
    if form.validate_on_submit():
        on_refusal(render=lambda error: _targets_page(form, convening=convening, series=series), form=form,
                   field="value")
        target = set_target(form.target_data(), actor=current_user, convening=convening, series=series)
        db.session.commit()
        flash(f"Target saved: {describe(target)}.", "success")
        return None
    return _targets_page(form, convening=convening, series=series, status=422 if form.errors else 200)


@bp.route("/convenings/<int:convening_id>/balance/targets", methods=("GET", "POST"))
@signed_in
def targets(convening_id: int):
    """Set the convening's balance targets (its series' defaults apply where it sets none)."""
    convening = load_convening(convening_id, need="manage")
    form = TargetForm()
    page = _save_target(form, convening=convening)
    return page or redirect(url_for("diversity.targets", convening_id=convening.id))


@bp.route("/convenings/<int:convening_id>/balance/targets/<int:target_id>/delete", methods=("POST",))
@signed_in
def delete_target(convening_id: int, target_id: int):
    """Remove one of the convening's own targets."""
    convening = load_convening(convening_id, need="manage")
    target = db.session.get(DiversityTarget, target_id)
    if target is None or target.convening_id != convening.id:
        abort(404)
    remove_target(target, actor=current_user)
    db.session.commit()
    flash("Target removed.", "success")
    return redirect(url_for("diversity.targets", convening_id=convening.id))


def _load_series(series_id: int) -> Series:
    series = db.session.get(Series, series_id)
    if series is None:
        abort(404)
    return series


@bp.route("/series/<int:series_id>/balance/targets", methods=("GET", "POST"))
@signed_in
def series_targets(series_id: int):
    """Default targets for every edition of a series."""
    series = _load_series(series_id)
    if not manages_series(current_user, series):
        abort(404 if not current_user.is_staff else 403)
    form = TargetForm()
    page = _save_target(form, series=series)
    return page or redirect(url_for("diversity.series_targets", series_id=series.id))


@bp.route("/series/<int:series_id>/balance/targets/<int:target_id>/delete", methods=("POST",))
@signed_in
def delete_series_target(series_id: int, target_id: int):
    """Remove one of a series' default targets."""
    series = _load_series(series_id)
    if not manages_series(current_user, series):
        abort(404 if not current_user.is_staff else 403)
    target = db.session.get(DiversityTarget, target_id)
    if target is None or target.series_id != series.id:
        abort(404)
    remove_target(target, actor=current_user)
    db.session.commit()
    flash("Default target removed.", "success")
    return redirect(url_for("diversity.series_targets", series_id=series.id))


# --- Series trends ------------------------------------------------------------------------------

def _editions(series: Series) -> list[Convening]:
    """The series' top-level convenings the user may see, oldest first (404 when none and not staff)."""
    query = (sa.select(Convening).where(Convening.series_id == series.id, Convening.parent_id.is_(None))
             .order_by(Convening.starts_on, Convening.id))
    ids = visible_convening_ids(current_user)
    if ids is not None:
        query = query.where(Convening.id.in_(ids))
    editions = list(db.session.scalars(query))
    if not editions and not current_user.is_staff:
        abort(404)
    return editions


def _trend_rows(series: Series, dimension: str | None = None, stage: str | None = None):
    """(editions, classification info, tallies); only one dimension and stage when the page shows one."""
    editions = _editions(series)
    info = classification_info()
    return editions, info, tallies([c.id for c in editions], info.classifier,
                                   dimensions=[dimension] if dimension else None, stage=stage, kept=True)


def _choice(value: str | None, allowed, default: str) -> str:
    return value if value in allowed else default


@bp.route("/series/<int:series_id>/balance")
@signed_in
def series_trends(series_id: int):
    """Shares per edition for one dimension and stage, as a line chart and a table."""
    series = _load_series(series_id)
    suppress = not current_user.is_admin
    dimensions = shown_dimensions(suppress)
    dimension = _choice(request.args.get("dimension"), {d.value for d in dimensions}, "north_south")
    stage = _choice(request.args.get("stage"), dict(STAGE_CHOICES), "accepted")
    # Suppressed, every stage is counted: the other stages are one click away, so they hide together.
    editions, info, tallies = _trend_rows(series, dimension, None if suppress else stage)
    rows = [(c, stage_cells(tallies[c.id], dimension, suppress)[stage], tallies[c.id].totals[stage])
            for c in editions]
    labels = categories(dimension)
    lines = [(label, [row[1][i].share if not row[1][i].suppressed else None for row in rows])
             for i, (_, label) in enumerate(labels)]
    chart = charts.line_chart([str(c.starts_on.year) for c in editions], lines)
    return render_template("diversity/series_trends.html", series=series, rows=rows, labels=labels, chart=chart,
                           dimension=Dimension(dimension), stage=stage, stages=STAGE_CHOICES,
                           dimensions=dimensions, info=info, suppress=suppress,
                           may_manage=manages_series(current_user, series))


#: Characters that make a spreadsheet treat a cell as a formula (ASVS 5.0 1.2.10).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_cell(value) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a leading trigger character gets a '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.route("/series/<int:series_id>/balance.csv")
@signed_in
def series_trends_csv(series_id: int):
    """Every dimension, stage and edition of the series in long form, small cells suppressed as on screen."""
    series = _load_series(series_id)
    editions, info, tallies = _trend_rows(series)
    suppress = not current_user.is_admin
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["edition", "starts_on", "stage", "dimension", "category", "count", "share_percent",
                     "stage_total", "basis"])
    for c in editions:
        tables = {dimension: stage_cells(tallies[c.id], dimension.value, suppress)
                  for dimension in shown_dimensions(suppress)}
        for stage, _ in STAGE_CHOICES:
            for dimension in tables:
                total = tallies[c.id].totals[stage]
                for cell in tables[dimension][stage]:
                    share = "" if cell.suppressed or cell.share is None else f"{cell.share:.1f}"
                    writer.writerow([csv_cell(v) for v in (c.title, c.starts_on.isoformat(), stage,
                                                           dimension.value, cell.label, cell.count_text, share,
                                                           total, info.classifier.basis)])
    filename = f"{series.slug}-balance.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- Classification overrides (admin) -----------------------------------------------------------

def _classification_page(form: OverrideForm, status: int = 200):
    info = classification_info()
    admin_rows = {r.country: r for r in db.session.scalars(sa.select(ClassificationOverride))}
    classifier = info.classifier
    rows = [(code, row, classifier.base(code), classifier.north_south(code), admin_rows.get(code))
            for code, row in sorted(geo.countries().items(), key=lambda item: item[1]["name"])]
    compare = request.args.get("compare", "")
    comparison = compare_bases(classifier, compare) if compare in geo.BASES and compare != classifier.basis \
        else None
    return render_template("diversity/classification.html", form=form, info=info, rows=rows,
                           bases=geo.BASES, comparison=comparison), status


@bp.route("/admin/classification", methods=("GET", "POST"))
@role_required("admin")
def classification():
    """The classification in use, every country's groups, and administrator overrides (audited)."""
    form = OverrideForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _classification_page(form), form=form, field="reason")
        row = set_override(form.country.data, form.classification.data, form.reason.data,
                           actor=current_user)
        db.session.commit()
        flash(f"{geo.country_name(row.country)} is now counted as Global {row.classification.capitalize()}.",
              "success")
        return redirect(url_for("diversity.classification"))
    return _classification_page(form, 422 if form.errors else 200)


@bp.route("/admin/classification/<code>/delete", methods=("POST",))
@role_required("admin")
def delete_override(code: str):
    """Return a country to the chosen basis."""
    row = db.session.scalar(sa.select(ClassificationOverride).where(ClassificationOverride.country == code.upper()))
    if row is None:
        abort(404)
    remove_override(row, actor=current_user)
    db.session.commit()
    flash(f"{geo.country_name(row.country)} follows the chosen basis again.", "success")
    return redirect(url_for("diversity.classification"))
