"""How every API answer is sent: JSON, ETag and If-None-Match, caching, CORS and Link headers."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import current_app, jsonify, request
from flask_login import current_user
from werkzeug.http import HTTP_STATUS_CODES

#: As the public HTML pages (briefs archive, public convening page) for anonymous readers.
PUBLIC_CACHE = "public, max-age=300"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
    "Access-Control-Max-Age": "86400",
}


def json_response(data, *, public: bool = True, links: dict[str, str] | None = None):
    """A JSON answer with a strong ETag; 304 when If-None-Match matches. Public answers may be cached and read cross-origin."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.add_etag()
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if public:
        response.headers["Cache-Control"] = PUBLIC_CACHE
        response.headers.update(CORS_HEADERS)
    else:  # a token holder's figures: never kept by a shared cache
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Authorization")
    return response.make_conditional(request)


def json_refusal(error):
    """The body of a refused API request (the edge sets the error's status): what to change, never cached."""
    response = jsonify(error=HTTP_STATUS_CODES.get(error.status, "Error").capitalize(), message=str(error))
    response.headers["Cache-Control"] = "no-store"
    return response


def page_links(page, base_url: str) -> dict[str, str]:
    """first/prev/next/last links of a page, keeping every other query argument."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]

    def at(number: int) -> str:
        return base_url + "?" + urlencode(args + [("page", str(number))])

    links = {"first": at(1), "last": at(page.pages)}
    if page.page > 1:
        links["prev"] = at(min(page.page - 1, page.pages))
    if page.page < page.pages:
        links["next"] = at(page.page + 1)
    return links


def page_body(page, items: list) -> dict:
    return {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages}


def cacheable_page(response):
    """An HTML page: anonymous readers may get it from shared caches (as the archive); a signed-in page,
    with a name in its header, may not. ETag and If-None-Match either way."""
    if not current_user.is_authenticated:
        response.headers["Cache-Control"] = PUBLIC_CACHE
        response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)
