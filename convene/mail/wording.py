"""The words of every e-mail: one folder of templates per message under templates/mail/messages/.

`render_message(message, **context)` is the only way an area turns data into a message:
`<name>/subject.txt` (one line), `<name>/body.txt` (the plain-text body) and, where the message
is also sent as HTML, `<name>/body.html`, which receives the rendered text as `text`.

The templates hold whole sentences around plain values (names, dates, links already
formatted by the caller), so that a translation layer can later wrap each sentence as it is
(`{% trans %}` blocks of Flask-Babel) without touching Python. Text templates are rendered
without autoescaping (they are not HTML) and with trim_blocks/lstrip_blocks, so block tags on
their own lines leave no blank lines behind.
"""
from __future__ import annotations

from typing import NamedTuple

from flask import current_app
from jinja2 import Environment, TemplateNotFound
from markupsafe import Markup, escape

FOLDER = "mail/messages"


class RenderedMessage(NamedTuple):
    subject: str
    text: str
    html: str | None


def render_message(message: str, /, *, brand=None, **context) -> RenderedMessage:
    """Subject, plain text and (if the message has an HTML template) HTML of one message.

    `message` names its folder under templates/mail/messages/; `context` holds the values its
    templates show (positional-only, so a template may use `name` or `message` as a value).
    `brand` is the look of the convening's series (convenings.brand.brand_for), or None for
    Convene's: its name, footer text and contact address end the text (`_brand_footer.txt`), and
    the HTML opens with its name on its accent colour (no image: mail clients block remote ones).
    """
    env = _environment()
    subject = " ".join(env.get_template(f"{FOLDER}/{message}/subject.txt").render(context).split())
    text = signed(env.get_template(f"{FOLDER}/{message}/body.txt").render(context), brand)
    try:
        html_template = env.get_template(f"{FOLDER}/{message}/body.html")
    except TemplateNotFound:
        return RenderedMessage(subject, text, None)
    return RenderedMessage(subject, text, html_template.render({**context, "text": text, "brand": brand}))


def render_part(path: str, /, **context) -> str:
    """One part template under templates/mail/messages/ (e.g. the list of an agenda notice's changes),
    rendered as the message's own body renders it: for the text an organizer wrote in its place."""
    return _environment().get_template(f"{FOLDER}/{path}").render(context)


def signed(text: str, brand=None) -> str:
    """The text with the series' signature at its end (`_brand_footer.txt`), or as it is without a look."""
    if brand is None:
        return text
    return text.rstrip("\n") + "\n\n" + _environment().get_template(f"{FOLDER}/_brand_footer.txt").render(brand=brand)


def text_as_html(text: str, link: str | None = None, brand=None) -> str:
    """A plain-text body as the HTML part of the invitee mails: paragraphs, the personal link clickable
    (headed by the series' name on its accent colour when it has a look)."""
    return _environment().get_template(f"{FOLDER}/_text_as_html.html").render(text=text, link=link, brand=brand)


def _environment() -> Environment:
    """The app's Jinja environment (loader, filters, globals) with text-friendly whitespace, made once per app."""
    env = current_app.extensions.get("mail_wording")
    if env is None:
        env = current_app.jinja_env.overlay(trim_blocks=True, lstrip_blocks=True)
        env.filters["mail_paragraphs"] = mail_paragraphs
        current_app.extensions["mail_wording"] = env
    return env


def mail_paragraphs(text: str, link: str | None = None) -> list[Markup]:
    """A plain-text body as escaped HTML paragraphs (blank-line separated), lines kept, the link clickable."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        html = str(escape(paragraph)).replace("\n", "<br>\n")
        if link:
            escaped = str(escape(link))
            html = html.replace(escaped, f'<a href="{escaped}">{escaped}</a>')
        paragraphs.append(Markup(html))
    return paragraphs
