"""Routes of the public area: /c/<slug> (a convening's public page) and /embed/publications (partner sites)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from ..api import services as api
from ..api.http import CORS_HEADERS, cacheable_page
from ..briefs.regions import is_region, region_names
from ..briefs.archive import ArchiveFilters
from ..convenings.brand import use_brand

bp = Blueprint("public", __name__)

#: Most briefs an embed lists.
EMBED_MAX = 20


@bp.get("/c/<slug>")
def convening(slug: str):
    """The public page of a convening, when its public page is switched on (the agenda settings' switch)."""
    found = api.public_convening(slug) or abort(404)
    details = api.convening_details(found)
    use_brand(found)
    response = current_app.make_response(render_template(
        "public/convening.html", convening=found, days=_by_local_day(details["sessions"], found), **details))
    return cacheable_page(response)


def _by_local_day(sessions, convening) -> list[tuple]:
    """[(local date, [session, ...])] in the convening's timezone."""
    tz = convening.zone
    days: dict = {}
    for s in sorted(sessions, key=lambda s: (s.starts_at, s.position, s.title)):
        days.setdefault(s.starts_at.astimezone(tz).date(), []).append(s)
    return list(days.items())


@bp.get("/embed/publications")
def embed_publications():
    """The latest published briefs (of a region), as a small HTML fragment other sites can include."""
    region = request.args.get("region", "")
    limit = request.args.get("limit", "5")
    if region and not is_region(region):
        abort(400)
    count = int(limit) if limit.isdigit() and 1 <= int(limit) <= EMBED_MAX else 5
    response = current_app.make_response(render_template("public/embed_publications.html",
                                                         **_embed_context(region, count)))
    response.headers.update(CORS_HEADERS)
    return cacheable_page(response)


@bp.get("/embed")
def embed_help():
    """How partner sites embed the list of latest briefs: the snippet to copy, and a preview."""
    region = request.args.get("region", "")
    region = region if is_region(region) else ""
    response = current_app.make_response(render_template(
        "public/embed_help.html", regions=region_names(), **_embed_context(region, 5)))
    return cacheable_page(response)


def _embed_context(region: str, count: int) -> dict:
    """What the embedded list shows: the latest briefs (of the region), the foundation's name, the link base."""
    return {"briefs": api.publications(ArchiveFilters(region=region), 1, count).items, "region": region,
            "foundation": current_app.config.get("FOUNDATION_NAME") or "Convene",
            "base": current_app.config["BASE_URL"].rstrip("/")}

