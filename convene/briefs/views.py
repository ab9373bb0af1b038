"""Routes of the briefs area: staff pages, participant review by personal link, the public archive."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import caching
from ..api.services import public_among
from ..auth.policy import manages, role_required, signed_in, visible_convening_ids
from ..convenings.brand import use_attendee_page
from ..edge import on_refusal
from ..extensions import db
from ..invitations import links as invitation_links
from ..invitations.models import Invitation
from ..tokens.models import Purpose
from ..tokens.services import LinkProblem, open_link
from . import feed, forms, services, stamps, storage
from .archive import ArchiveFilters, archive_facets, paginate_archive, published_query, slug_is_valid
from .facts import convening_facts, public_next_steps
from .models import Brief, BriefComment, BriefFile, BriefKind, BriefStatus, BriefStatusChange, brief_convenings
from .regions import is_region
from .rendering import excerpt, summary_html
from .review import (add_comment, briefs_in_review_for, may_review, participant_count,
                     send_review_links as email_review_links)

bp = Blueprint("briefs", __name__)

PUBLIC_CACHE = "public, max-age=300"
ARCHIVE_PAGE_SIZE = 20


@bp.app_template_filter("brief_summary")
def _summary_filter(markdown: str):
    return summary_html(markdown)


@bp.app_template_filter("brief_excerpt")
def _excerpt_filter(markdown: str, length: int = 280):
    return excerpt(markdown, length)


@bp.app_context_processor
def _dashboard_helpers():
    """`overdue_brief_convenings()` for the staff dashboard; the query runs only when a page calls it."""
    def overdue_brief_convenings():
        if not (current_user.is_authenticated and current_user.is_staff):
            return []
        return services.overdue_convenings(int(current_app.config.get("BRIEF_OVERDUE_WEEKS", 8)))
    return {"overdue_brief_convenings": overdue_brief_convenings, "BriefKind": BriefKind, "BriefStatus": BriefStatus,
            "brief_overdue_weeks": lambda: int(current_app.config.get("BRIEF_OVERDUE_WEEKS", 8))}


def _forms():
    """The form module, imported on first use: convene.forms may still be loading when this module is."""
    return forms


def _can_view(brief: Brief) -> bool:
    """Staff see every brief; organizers see the briefs of convenings they organize."""
    return current_user.is_staff or any(manages(current_user, c) for c in brief.convenings)


def _load_brief(brief_id: int, manage: bool = False) -> Brief:
    """The brief, or 404 when absent or out of the user's scope; 403 for an organizer who may only read."""
    brief = db.session.get(Brief, brief_id)
    if brief is None or not _can_view(brief):
        abort(404)
    if manage and not current_user.is_staff:
        abort(403)
    return brief


# --- staff pages ----------------------------------------------------------------------------

@bp.route("/briefs/")
@signed_in
def index():
    """Every brief the user may see, with a status filter; a fixed number of queries."""
    status = request.args.get("status", "")
    query = (sa.select(Brief).options(selectinload(Brief.convenings), selectinload(Brief.files))
             .order_by(Brief.updated_at.desc(), Brief.id.desc()))
    visible = visible_convening_ids(current_user)
    if visible is not None:
        query = query.where(Brief.id.in_(
            sa.select(brief_convenings.c.brief_id).where(brief_convenings.c.convening_id.in_(visible))))
    if status in {s.value for s in BriefStatus}:
        query = query.where(Brief.status == status)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("briefs/index.html", page=page, status=status, statuses=BriefStatus)


@bp.route("/briefs/new", methods=("GET", "POST"))
@role_required("staff")
def create():
    """Create a brief in draft."""
    form = _forms().BriefForm(convening_ids=[request.args.get("convening_id", type=int)]
                     if request.method == "GET" and request.args.get("convening_id") else None)
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("briefs/form.html", form=form, brief=None), form=form)
        brief = services.create_brief(form.data, actor=current_user)
        db.session.commit()
        flash(f"Created the draft “{brief.title}”. Upload its PDF or add a link next.", "success")
        return redirect(url_for("briefs.detail", brief_id=brief.id))
    return render_template("briefs/form.html", form=form, brief=None)


@bp.route("/briefs/<int:brief_id>")
@signed_in
def detail(brief_id: int):
    """The staff page of a brief: facts, files, workflow history and participants' comments."""
    return _render_detail(_load_brief(brief_id))


def _render_detail(brief: Brief, status_code: int = 200, *, upload_form=None):
    forms = _forms()
    comments = db.session.scalars(
        sa.select(BriefComment).where(BriefComment.brief_id == brief.id)
        .options(selectinload(BriefComment.invitation).selectinload(Invitation.person))
        .order_by(BriefComment.id)).all()
    history = db.session.scalars(
        sa.select(BriefStatusChange).where(BriefStatusChange.brief_id == brief.id)
        .options(selectinload(BriefStatusChange.actor)).order_by(BriefStatusChange.id)).all()
    status_form = forms.StatusForm(formdata=None, version=brief.version)
    status_form.status.choices = [(s.value, s.label) for s in BriefStatus
                                  if s.value in services.STATUS_TRANSITIONS[brief.status]]
    return render_template(
        "briefs/detail.html", brief=brief, comments=comments, history=history, status_form=status_form,
        upload_form=upload_form or forms.UploadForm(formdata=None), links_form=forms.ReviewLinksForm(formdata=None),
        can_edit=current_user.is_staff, max_upload=current_app.config.get("BRIEF_MAX_UPLOAD", 15 * 1024 * 1024),
        participants=participant_count(brief) if current_user.is_staff else 0,
    ), status_code


@bp.route("/briefs/<int:brief_id>/edit", methods=("GET", "POST"))
@signed_in
def edit(brief_id: int):
    """Edit a brief; a save from a stale form is refused and shows the other version."""
    brief = _load_brief(brief_id, manage=True)
    form = _forms().BriefForm(obj=brief)
    if request.method == "GET":
        form.regions.data = brief.region_names
        form.theme_ids.data = [t.id for t in brief.themes]
        form.convening_ids.data = [c.id for c in brief.convenings]
    page = partial(render_template, "briefs/form.html", form=form, brief=brief)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(stale=error.current), form=form, stale=STALE_EDIT)
        services.update_brief(brief, form.data, actor=current_user)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("briefs.detail", brief_id=brief.id))
    return page()


STALE_EDIT = ("Someone else changed this brief while you were editing. Their version is shown below "
              "the form; your entries are kept. Save again to overwrite.")


@bp.route("/briefs/<int:brief_id>/status", methods=("POST",))
@signed_in
def change_status(brief_id: int):
    """Move the brief along its workflow."""
    brief = _load_brief(brief_id, manage=True)
    form = _forms().StatusForm()
    form.status.choices = [(s.value, s.label) for s in BriefStatus]
    if form.validate_on_submit():
        on_refusal(render=lambda error: _render_detail(brief))
        services.change_status(brief, form.status.data, current_user, form.version.data, form.note.data or "")
        db.session.commit()
        flash(f"The brief is now “{BriefStatus(brief.status).label}”.", "success")
    return redirect(url_for("briefs.detail", brief_id=brief_id))


@bp.route("/briefs/<int:brief_id>/upload", methods=("POST",))
@signed_in
def upload(brief_id: int):
    """Upload (or replace) the brief's PDF; the previous file is kept as an older version."""
    brief = _load_brief(brief_id, manage=True)
    form = _forms().UploadForm()
    if not form.validate_on_submit():
        return _render_detail(brief, 400, upload_form=form)
    limit = int(current_app.config.get("BRIEF_MAX_UPLOAD", 15 * 1024 * 1024))
    data = form.pdf.data.stream.read(limit + 1)
    on_refusal(render=lambda error: _render_detail(brief, upload_form=form), form=form, field="pdf")
    brief_file = services.attach_pdf(brief, data, form.pdf.data.filename, current_user, limit)
    _commit_with_file(brief_file.storage_name, data)
    flash(f"Uploaded {brief_file.original_name} ({brief_file.size:,} bytes).", "success")
    return redirect(url_for("briefs.detail", brief_id=brief_id))


def _commit_with_file(storage_name: str, data: bytes) -> None:
    """Write the bytes only once the row is valid, and remove them again if the commit fails."""
    try:
        storage.write(storage_name, data)
        db.session.commit()
    except BaseException:  # the row is not saved (the edge or teardown rolls back): drop its bytes too
        storage.delete(storage_name)
        raise


@bp.route("/briefs/<int:brief_id>/files/<int:file_id>")
@signed_in
def file(brief_id: int, file_id: int):
    """Any stored version of the brief's PDF, for those who may see the brief."""
    brief = _load_brief(brief_id)
    brief_file = db.session.get(BriefFile, file_id)
    if brief_file is None or brief_file.brief_id != brief.id:
        abort(404)
    return _send_pdf(brief_file, f"{brief.slug}-v{brief_file.id}.pdf", brief_file.original_name, public=False)


@bp.route("/briefs/<int:brief_id>/review-links", methods=("POST",))
@signed_in
def send_review_links(brief_id: int):
    """E-mail each participant a personal link to read the draft and comment."""
    brief = _load_brief(brief_id, manage=True)
    if not _forms().ReviewLinksForm().validate_on_submit():
        abort(400)
    if brief.status != BriefStatus.REVIEW.value:
        flash("Move the brief to participant review before sending review links.", "error")
        return redirect(url_for("briefs.detail", brief_id=brief_id))
    on_refusal(redirect_to=url_for("briefs.detail", brief_id=brief_id))
    queued, skipped = email_review_links(
        brief, current_user, lambda invitation: invitation_links.home_url(invitation, "briefs.review_list"))
    db.session.commit()
    flash(f"Review links queued for {queued} participant(s)."
          + (f" {skipped} could not be e-mailed (no valid address)." if skipped else ""), "success")
    return redirect(url_for("briefs.detail", brief_id=brief_id))


def _send_pdf(brief_file: BriefFile, ascii_name: str, full_name: str, public: bool):
    path = storage.path_of(brief_file.storage_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", conditional=True, etag=brief_file.sha256,
                         last_modified=brief_file.uploaded_at)
    response.headers["Content-Disposition"] = storage.content_disposition(ascii_name, full_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = PUBLIC_CACHE if public and not current_user.is_authenticated else "no-store"
    return response


# --- participant review by personal link ----------------------------------------------------

def _review_invitation(token: str):
    """The invitation behind a review (or RSVP) link, or the page explaining why the link does not work."""
    invitation = db.session.get(Invitation, open_link(token, Purpose.REVIEW, Purpose.RSVP).invitation_id)
    if invitation is None:
        raise LinkProblem("unknown", Purpose.REVIEW)
    use_attendee_page(invitation.person, invitation.convening)
    return invitation


def _link_problem(status: int, message: str):
    response = current_app.make_response(
        (render_template("briefs/link_problem.html", status=status, message=message), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/<token>/review")
def review_list(token: str):
    """The drafts in review that this participant may read."""
    invitation = _review_invitation(token)
    briefs = briefs_in_review_for(invitation)
    return render_template("briefs/review_list.html", briefs=briefs, token=token, invitation=invitation)


@bp.route("/my/<token>/review/<int:brief_id>", methods=("GET", "POST"))
def review(token: str, brief_id: int):
    """Read the non-attributed draft and leave a comment (GET only shows; POST adds the comment)."""
    invitation = _review_invitation(token)
    brief = db.session.get(Brief, brief_id)
    if brief is None or not may_review(invitation, brief):
        abort(_link_problem(404, _("This draft is not open for your review (it may have been approved already).")))
    form = _forms().CommentForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _review_page(brief, form, token, invitation), form=form, field="body")
        add_comment(brief, invitation, form.body.data)
        db.session.commit()
        flash(_("Thank you: your comment was sent to the editors."), "success")
        return redirect(url_for("briefs.review", token=token, brief_id=brief.id))
    return _review_page(brief, form, token, invitation), (400 if form.errors else 200)


def _review_page(brief: Brief, form, token: str, invitation) -> str:
    mine = db.session.scalars(sa.select(BriefComment).where(
        BriefComment.brief_id == brief.id, BriefComment.invitation_id == invitation.id)
        .order_by(BriefComment.id)).all()
    return render_template("briefs/review.html", brief=brief, form=form, token=token, mine=mine,
                           invitation=invitation)


@bp.route("/my/<token>/review/<int:brief_id>/draft.pdf")
def review_file(token: str, brief_id: int):
    """The draft's current PDF, for a participant reviewing it."""
    invitation = _review_invitation(token)
    brief = db.session.get(Brief, brief_id)
    if brief is None or not may_review(invitation, brief) or brief.current_file is None:
        abort(_link_problem(404, _("There is no draft file to show.")))
    return _send_pdf(brief.current_file, f"{brief.slug}-draft.pdf", f"{brief.slug}-draft.pdf", public=False)


# --- public archive -------------------------------------------------------------------------

def _archive_filters() -> tuple[ArchiveFilters, list[str]]:
    """The filters from the query string; unknown values are ignored with a note, never an error."""
    args, notes = request.args, []
    filters = ArchiveFilters(q=(args.get("q") or "")[:1000])
    region = args.get("region", "")
    if region and is_region(region):
        filters.region = region
    elif region:
        notes.append("That region is not one we know, so it was left out of the filter.")
    filters.theme = (args.get("theme") or "")[:120] if slug_is_valid(args.get("theme") or "") else ""
    kind = args.get("kind", "")
    filters.kind = kind if kind in {k.value for k in BriefKind} else ""
    year = args.get("year", "")
    if year.isdigit() and 1900 <= int(year) <= 2200:
        filters.year = int(year)
    elif year:
        notes.append("The year must be four digits, such as 2024; it was left out of the filter.")
    return filters, notes


@bp.route("/publications/")
def archive():
    """Published briefs, filtered by region, theme, kind and year, with full-text search.

    Anonymous visitors get the whole page kept per archive stamp, query string and language.
    """
    stamp = stamps.archive_stamp()
    return caching.anonymous_page(("publications", *stamp), _render_archive, last_modified=stamps.newest(stamp))


def _render_archive() -> str:
    filters, notes = _archive_filters()
    query = published_query(filters, db.session.get_bind().dialect.name)
    if filters.q.strip() and not filters.terms:
        notes.append("Your search had no words to look for, so all publications are shown.")
    page = paginate_archive(query, request.args.get("page", 1, type=int) or 1, ARCHIVE_PAGE_SIZE)
    return render_template("briefs/archive.html", page=page, filters=filters, notes=notes, facets=archive_facets(),
                           kinds=BriefKind)


@bp.route("/publications/feed.atom")
def feed_atom():
    """An Atom feed of the newest published briefs."""
    briefs = db.session.scalars(
        sa.select(Brief).where(Brief.status == BriefStatus.PUBLISHED.value)
        .options(selectinload(Brief.themes))
        .order_by(Brief.published_at.desc().nulls_last(), Brief.id.desc()).limit(50)).all()
    response = current_app.response_class(feed.build(briefs), mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.add_etag()
    response.make_conditional(request)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


def _published(slug: str) -> Brief:
    brief = db.session.scalar(
        sa.select(Brief).where(Brief.slug == slug[:200], Brief.status == BriefStatus.PUBLISHED.value)
        .options(selectinload(Brief.convenings), selectinload(Brief.themes), selectinload(Brief.regions),
                 selectinload(Brief.files)))
    if brief is None:
        abort(404)
    return brief


@bp.route("/publications/<slug>")
def public_detail(slug: str):
    """A published brief with its convening's facts (aggregates only), public next steps and, where it is
    switched on, a link to the convening's public page; whole for anonymous visitors, per stamp."""
    stamp = stamps.brief_page_stamp(slug)
    if stamp is None:
        abort(404)
    return caching.anonymous_page(("publication", *stamp), lambda: _render_public_detail(slug),
                                  last_modified=stamps.newest(stamp))


def _render_public_detail(slug: str) -> str:
    brief = _published(slug)
    ids = [c.id for c in brief.convenings]
    next_steps = {c.id: public_next_steps(c) for c in brief.convenings}
    return render_template("briefs/public_detail.html", brief=brief, facts=convening_facts(ids),
                           next_steps=next_steps, public=public_among(ids))


@bp.route("/publications/<slug>/full-text.pdf")
def public_file(slug: str):
    """The published brief's current PDF."""
    brief = _published(slug)
    if brief.current_file is None:
        abort(404)
    return _send_pdf(brief.current_file, f"{brief.slug}.pdf", f"{brief.slug}.pdf", public=True)
