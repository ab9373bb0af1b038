"""The Atom feed (RFC 4287) of published briefs, built with xml.etree so every value is escaped."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import current_app

from ..db_types import utcnow
from ..urls import absolute_url
from .rendering import clean_text, summary_html

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = clean_text(text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _tag_uri(brief) -> str:
    """A permanent entry id (RFC 4151 tag URI) that survives a change of title or slug."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},{brief.created_at:%Y-%m-%d}:brief:{brief.id}"


def build(briefs) -> bytes:
    """The feed document for these briefs (newest first)."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _el(root, "title", "Publications")
    _el(root, "subtitle", "Outcome briefs, policy memos and conference reports from our convenings")
    _el(root, "id", absolute_url("briefs.archive"))
    _el(root, "link", rel="self", type="application/atom+xml", href=absolute_url("briefs.feed_atom"))
    _el(root, "link", rel="alternate", type="text/html", href=absolute_url("briefs.archive"))
    newest = max((b.updated_at for b in briefs), default=None)
    _el(root, "updated", _stamp(newest or utcnow()))
    author = _el(root, "author")
    _el(author, "name", "Convene")
    for brief in briefs:
        _entry(root, brief)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, brief) -> None:
    entry = _el(root, "entry")
    _el(entry, "title", brief.title)
    link = absolute_url("briefs.public_detail", slug=brief.slug)
    _el(entry, "link", rel="alternate", type="text/html", href=link)
    _el(entry, "id", _tag_uri(brief))
    _el(entry, "updated", _stamp(brief.updated_at))
    if brief.published_at:
        _el(entry, "published", _stamp(brief.published_at))
    names = [n.strip() for n in brief.authors.replace(";", ",").split(",") if n.strip()]
    for name in names or [brief.publisher or "Convene"]:
        _el(_el(entry, "author"), "name", name)
    for theme in brief.themes:
        _el(entry, "category", term=theme.slug, label=theme.name)
    _el(entry, "content", str(summary_html(brief.summary)), type="html")
