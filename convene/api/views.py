"""Routes of the read API (/api/v1) and its reference page. Every JSON route declares its operation."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, fresh_login_required

from ..auth.policy import load_convening, role_required
from ..db_types import utcnow
from ..edge import on_refusal
from ..urls import absolute_url
from ..extensions import db, limiter
from . import private, serialize, services, tokens
from .forms import RevokeForm, TokenForm
from .http import CORS_HEADERS, cacheable_page, json_refusal, json_response, page_body, page_links
from .schemas import MAX_PER_PAGE
from .spec import PAGE_PARAMS, Param, document, operation

bp = Blueprint("api", __name__)

NOT_FOUND = {"404": "There is no such item, or it is not public."}
YEAR = Param("year", {"type": "integer", "minimum": 1900, "maximum": 2200}, "Only items of this year.")


def _api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300/minute")


limiter.limit(_api_limit, key_func=None)(bp)


@bp.before_request
def _refuse_in_json():
    """A refusal on an /api/v1 route (services.ApiError: a 400 naming the parameter) is a JSON body.

    The request edge rolls back and answers; the account pages of this blueprint render their own."""
    if request.path.startswith("/api/v1/"):
        on_refusal(render=json_refusal, flashed=False)


@bp.after_request
def _cors_on_errors(response):
    """Cross-origin readers see why a public request failed, too (preflights included)."""
    if request.path.startswith("/api/v1/") and not request.path.startswith("/api/v1/me"):
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


# --- publications --------------------------------------------------------------------------------

@bp.get("/api/v1/publications")
@operation("Published briefs, newest first (best match first with q).", "PublicationPage", params=[
    Param("q", {"type": "string", "maxLength": 1000}, "Words to find in titles and summaries."),
    Param("region", {"type": "string", "maxLength": 100}, "A UN M49 region or sub-region name, e.g. Eastern Africa."),
    Param("theme", {"type": "string", "maxLength": 200}, "A theme's slug."),
    Param("kind", {"type": "string", "enum": ["policy_memo", "dialogue_brief", "conference_report", "other"]},
          "The kind of brief."),
    YEAR, *PAGE_PARAMS])
def publications():
    """The publications archive as JSON, with the archive page's filters."""
    filters = services.publication_filters(request.args)
    page = services.publications(filters, *services.page_args(request.args))
    public = services.public_among(services.convening_ids_of(page.items))
    items = [serialize.publication(brief, public) for brief in page.items]
    return json_response(page_body(page, items), links=page_links(page, absolute_url("api.publications")))


@bp.get("/api/v1/publications/<slug>", merge_slashes=False)
@operation("One published brief.", "Publication", errors=NOT_FOUND)
def publication(slug: str):
    brief = services.publication(slug) or abort(404)
    public = services.public_among(c.id for c in brief.convenings)
    return json_response(serialize.publication(brief, public))


# --- convenings and series -----------------------------------------------------------------------

@bp.get("/api/v1/convenings")
@operation("Convenings whose public page is on, newest first.", "ConveningPage", params=[
    Param("series", {"type": "string", "maxLength": 200}, "Only editions of the series with this slug."),
    YEAR, *PAGE_PARAMS])
def convenings():
    page = services.public_convenings(request.args, *services.page_args(request.args))
    items = [serialize.convening_summary(c) for c in page.items]
    return json_response(page_body(page, items), links=page_links(page, absolute_url("api.convenings")))


@bp.get("/api/v1/convenings/<slug>", merge_slashes=False)
@operation("A public convening: facts, published agenda, briefs and the participation mix (aggregates only).",
           "Convening", errors=NOT_FOUND)
def convening(slug: str):
    found = services.public_convening(slug) or abort(404)
    return json_response(convening_json(found, services.convening_details(found)))


def convening_json(convening, details: dict) -> dict:
    public = details["public"]
    series = convening.series
    parent = details["parent"]
    return {
        **serialize.convening_summary(convening),
        "description": convening.description, "attribution": serialize.attribution(convening),
        "series": {"slug": series.slug, "name": series.name, "api_url": absolute_url("api.one_series", slug=series.slug)}
        if series else None,
        "part_of": serialize.convening_link(parent, parent.id in public) if parent else None,
        "dialogues": [serialize.convening_link(d, d.id in public) for d in convening.dialogues],
        "agenda": serialize.agenda(details["version"], details["sessions"], convening) if details["version"] else None,
        "briefs": [serialize.publication_link(b) for b in details["briefs"]],
        "participation": serialize.participation(details["facts"]),
    }


@bp.get("/api/v1/series")
@operation("Every series, with its number of public editions.", "SeriesList")
def series_index():
    return json_response({"items": [
        {"slug": s.slug, "name": s.name, "description": s.description, "editions": n,
         "api_url": absolute_url("api.one_series", slug=s.slug)} for s, n in services.series_list()]})


@bp.get("/api/v1/series/<slug>", merge_slashes=False)
@operation("A series and its public editions, newest first.", "Series", errors=NOT_FOUND)
def one_series(slug: str):
    found, editions = services.series(slug) or abort(404)
    return json_response({"slug": found.slug, "name": found.name, "description": found.description,
                          "editions": [serialize.convening_summary(c) for c in editions],
                          "api_url": absolute_url("api.one_series", slug=found.slug)})


# --- private reads with a personal API token -----------------------------------------------------

def token_required(view):
    """Act as the token's owner for this request: auth.policy then decides exactly as for their pages.

    Session cookies are ignored here, so a page open in a browser never lends its rights to
    another site's script; and every API route is a GET, so a token can only read.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = tokens.authenticate(request.headers.get("Authorization"))
        if token is None:
            response = jsonify(error="Not signed in", message="Send a live personal API token as "
                                                              "“Authorization: Bearer <token>”.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="convene"'
            return response, 401
        g._login_user = token.user  # what flask_login.current_user returns for the rest of the request
        g.api_token = token
        if tokens.mark_used(token):
            db.session.commit()
        return view(*args, **kwargs)
    return wrapped


PRIVATE = {"tag": "private", "private": True}


@bp.get("/api/v1/me")
@operation("The token's owner and the token itself.", "Me", **PRIVATE)
@token_required
def me():
    token = g.api_token
    return json_response({"name": current_user.name, "email": current_user.email, "role": current_user.role,
                          "token": {"name": token.name, "created_at": token.created_at.isoformat(),
                                    "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None}},
                         public=False)


@bp.get("/api/v1/me/convenings/<int(max=2147483647):convening_id>/guests")
@operation("Guest list counts per status and the balance figures, as the convening's pages show them to you.",
           "GuestFigures", errors={"404": "No such convening, or not one you may see."}, **PRIVATE)
@token_required
def guest_figures(convening_id: int):
    convening = load_convening(convening_id)
    return json_response({"convening": serialize.convening_ref(convening), "statuses": private.guest_counts(convening),
                          "balance": private.balance(current_user, convening)}, public=False)


@bp.get("/api/v1/me/next-steps")
@operation("Next steps you may see, with owners, due dates and status (the board's filters).", "NextStepPage", params=[
    Param("status", {"type": "string", "enum": ["active", "followed", "draft", "open", "in_progress", "done", "dropped"]},
          "A status, or active (not done or dropped)."),
    Param("convening", {"type": "integer", "minimum": 1}, "Only this convening (and its dialogues)."),
    Param("due", {"type": "string", "enum": ["overdue", "month", "none"]}, "Due-date window."),
    Param("q", {"type": "string", "maxLength": 200}, "Words in the next step's text."),
    Param("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number, from 1."),
    Param("per_page", {"type": "integer", "enum": [10, 25, 50, 100], "default": 25}, "Items per page."),
], **PRIVATE)
@token_required
def next_steps():
    board_page = private.next_steps(current_user, request.args)
    page = services.Page(board_page.items, board_page.page, board_page.per_page, board_page.total)
    today = utcnow().date()
    body = page_body(page, [serialize.next_step(a, today) for a in page.items])
    return json_response(body, public=False, links=page_links(page, absolute_url("api.next_steps")))


@bp.get("/api/v1/me/outbox")
@operation("Delivery state of the e-mails of the convenings you organize (admins: all).", "Outbox", params=[
    Param("status", {"type": "string", "enum": list(private.OUTBOX_STATUSES)}, "Only messages in this state."),
    *PAGE_PARAMS], errors={"403": "Staff accounts do not see the outbox (it holds invitees' personal links)."},
    **PRIVATE)
@token_required
@role_required("organizer")
def outbox():
    counts, page = private.outbox(current_user, request.args, *services.page_args(request.args))
    body = page_body(page, [serialize.outbox_message(m) for m in page.items])
    return json_response({"counts": counts, **body}, public=False,
                         links=page_links(page, absolute_url("api.outbox")))


# --- the account page's token section ------------------------------------------------------------

@bp.route("/account/api-tokens", methods=("GET", "POST"))
@fresh_login_required
def token_list():
    """List one's API tokens and create a named one; the secret is shown once, on this answer only."""
    if not tokens.may_hold_tokens(current_user):
        abort(403)
    form = TokenForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _token_page(form), form=form, field="name", status=400)
        token, secret = tokens.create(current_user, form.name.data)
        db.session.commit()
        flash(f"Token “{token.name}” created. Copy it now: it is not shown again.", "success")
        return _token_page(TokenForm(formdata=None), secret), 201
    return _token_page(form), (400 if form.errors else 200)


def _token_page(form: TokenForm, secret: str | None = None) -> str:
    return render_template("api/tokens.html", form=form, secret=secret, tokens=tokens.tokens_of(current_user),
                           revoke_form=RevokeForm(formdata=None))


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@fresh_login_required
def token_revoke(token_id: int):
    """Revoke one of one's own tokens; programs using it get 401 from then on.

    Another account's token is refused as unknown (tokens.UnknownToken, a 404 page)."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = tokens.revoke(current_user, token_id)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("api.token_list"))


# --- the document and its reference page ---------------------------------------------------------

@bp.get("/api/v1/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the routes above."""
    return json_response(document(current_app))


@bp.get("/api/v1/docs")
def reference():
    """A readable reference of the API, rendered on the server from the same document (works offline)."""
    response = current_app.make_response(render_template(
        "api/reference.html", spec=document(current_app), max_per_page=MAX_PER_PAGE))
    return cacheable_page(response)
