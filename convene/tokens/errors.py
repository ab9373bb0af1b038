"""The one page for a personal link that does not work (registered by create_app)."""
from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l

from .services import LinkProblem

#: What each kind of link is called on the page (in the reader's language).
LINK_NOUNS = {"rsvp": _l("invitation link"), "feed": _l("calendar link"), "owner": _l("next-steps link"),
              "review": _l("review link"), "reset": _l("password reset link")}


def link_problem_page(problem: LinkProblem) -> Response:
    """404 or 410 with what happened and what to do next; calendar apps (.ics) get the same as plain text."""
    noun = LINK_NOUNS[problem.purpose.value]
    if request.path.endswith(".ics"):
        body = render_template("tokens/link_problem.txt", reason=problem.reason, noun=noun)
        response = Response(body, status=problem.status, content_type="text/plain; charset=utf-8")
    else:
        response = Response(render_template("tokens/link_problem.html", reason=problem.reason, noun=noun,
                                            status=problem.status), status=problem.status)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(LinkProblem, link_problem_page)
