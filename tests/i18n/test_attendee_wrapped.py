"""Every word an attendee reads in a template goes through the catalog (`_()` / `{% trans %}`).

Each attendee template is read as text: translated calls, Jinja expressions and statements, comments,
scripts and tags are taken out; any letters left are words a French or Spanish reader would get in
English. Visible attributes (aria-label, title, placeholder, alt) are checked the same way.
"""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: The pages under /my/<token> and the owner's page, with what they include.
ATTENDEE_TEMPLATES = (
    "attendee/_nav.html", "invitations/rsvp.html", "invitations/link_forwarded.html",
    "agenda/my_agenda.html", "agenda/my_session.html", "agenda/briefing.html", "agenda/feed_links.html",
    "agenda/_agenda.html",
    "notes/participant_index.html", "notes/participant_note.html", "briefs/review_list.html",
    "briefs/review.html", "briefs/link_problem.html", "actions/owner.html", "tokens/link_problem.html",
)
VISIBLE_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
TRANSLATED = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
#: The strings a translation call takes (its msgid and, for ngettext, the plural).
CALL_STRINGS = re.compile(r"""\b(?:_|gettext|ngettext)\(\s*("[^"]*"|'[^']*')(\s*,\s*("[^"]*"|'[^']*'))?""")
STRING = re.compile(r""""[^"]*"|'[^']*'""")
#: Two words or more: a sentence, not a key such as 'mine' or a format such as '%d %b'.
SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def unwrapped_words(source: str) -> list[str]:
    """The words of `source` a reader would see that no translation call covers."""
    untranslated = TRANSLATED.sub(" ", source)
    literals = [m.group()[1:-1] for e in JINJA.findall(untranslated)
                for m in STRING.finditer(CALL_STRINGS.sub("_()", e)) if SENTENCE.search(m.group())]
    text = JINJA.sub(" ", untranslated)
    attributes = VISIBLE_ATTRIBUTES.findall(text) + literals
    text = ENTITY.sub(" ", TAG.sub(" ", HIDDEN.sub(" ", text)))
    return [word for chunk in (text, *attributes) for word in re.findall(r"[^\W\d_]{2,}", chunk)]


@pytest.mark.parametrize("name", ATTENDEE_TEMPLATES)
def test_attendee_template_text_is_wrapped(name):
    assert unwrapped_words((TEMPLATES / name).read_text(encoding="utf-8")) == [], f"{name}: words outside _()"


def test_the_check_finds_bare_words():
    assert unwrapped_words('<p title="Hello">{{ _("Fine") }} Bare {{ x }}</p>') == ["Bare", "Hello"]
    assert unwrapped_words("{% trans %}Fine{% endtrans %}<script>var a;</script>&nbsp;") == []
    assert unwrapped_words("{{ x or 'to be announced' }}{{ _('Well done') }}{{ d|local_time('UTC', '%d %b') }}") == \
        ["to", "be", "announced"]
