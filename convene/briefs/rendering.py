"""Markdown summaries to sanitized HTML, and plain-text excerpts of them."""
from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: Raw HTML in the Markdown is shown as text, never passed through; nh3 then enforces an allow-list.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
URL_SCHEMES = {"http", "https", "mailto"}
#: XML 1.0 forbids these characters; they would break the Atom feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text without characters XML cannot carry (the summary also feeds the Atom feed)."""
    return _NOT_XML.sub("", text or "")


#: Summaries up to this long are kept rendered (RENDERED_KEPT of them per process): the archive, the API
#: and the brief pages render the same summaries again and again, and rendering is most of a list's time.
KEEP_UP_TO = 16_000
RENDERED_KEPT = 1024


def summary_html(markdown: str) -> Markup:
    """The summary as HTML that is safe to put in a page: headings start at h2 (the page has the h1)."""
    return _rendered(markdown)[0] if len(markdown or "") <= KEEP_UP_TO else _render(markdown)[0]


def summary_text(markdown: str) -> str:
    """The whole summary as plain text (whitespace collapsed)."""
    return _rendered(markdown)[1] if len(markdown or "") <= KEEP_UP_TO else _render(markdown)[1]


def _render(markdown: str) -> tuple[Markup, str]:
    """(sanitized HTML, plain text) of a summary, from one Markdown rendering."""
    rendered = _markdown.render(clean_text(markdown))
    safe = nh3.clean(re.sub(r"<(/?)h1>", r"<\1h2>", rendered), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(safe), " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())


_rendered = lru_cache(maxsize=RENDERED_KEPT)(_render)


def excerpt(markdown: str, length: int = 280) -> str:
    """The first `length` characters of the summary as plain text."""
    text = summary_text(markdown)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"
