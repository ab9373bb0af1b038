"""Public pages, errors and link problems in English, French and Spanish; complete catalogs."""
import re
import shutil

import pytest
from babel.messages.pofile import read_po

from convene.i18n.catalogs import compile_catalogs, stale_catalogs
from convene.i18n.locale import TRANSLATIONS
from tests.agenda.conftest import setup  # noqa: F401  (shared fixture)
from tests.ics.test_http import publish


@pytest.fixture
def public(client, setup, make):
    c = setup["convening"]
    make.agenda_session(c, title="Plenary")
    publish(client, c)
    client.post(f"/convenings/{c.id}/agenda/settings", data={"public": "y"})
    return c


def test_public_agenda_follows_the_browser_and_is_kept_per_language(app, public):
    path = f"/c/{public.slug}/agenda"
    french = app.test_client().get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    page = french.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page and "Télécharger le programme (.ics)" in page
    assert 'class="col-time">Heure</th>' in page  # the day tables too, kept apart per language
    assert "8–10 mars 2031" in page  # the convening's dates, formatted for French readers
    spanish = app.test_client().get(path, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="es"' in spanish and "8–10 de marzo de 2031" in spanish
    english = app.test_client().get(path).get_data(as_text=True)
    assert '<html lang="en"' in english and "Download the agenda (.ics)" in english and 'class="col-time">Time</th>' in english
    assert french.headers["ETag"] != app.test_client().get(path).headers["ETag"]  # one kept page per language


def test_the_switcher_remembers_the_choice(app):
    visitor = app.test_client()
    response = visitor.get("/language/es?next=/publications/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/publications/")
    assert "lang=es" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = visitor.get("/publications/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="es"' in page and "Publicaciones" in page  # the choice beats the browser
    assert visitor.get("/language/de").status_code == 404
    assert visitor.get("/language/fr?next=//evil.example/").headers["Location"] in ("/", "http://localhost/")


def test_staff_screens_stay_english(client, make, sign_in):
    sign_in(make.user("staff"))
    page = client.get("/convenings/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en"' in page


def test_error_and_link_problem_pages_speak_the_visitors_language(app):
    visitor = app.test_client()
    page = visitor.get("/no-such-page", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "No encontrado" in page and "Error 404." in page
    page = visitor.get("/rsvp/not-a-real-token-at-all-0123456789", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    assert "Ce lien d’invitation n’est pas reconnu." in page.get_data(as_text=True)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_catalog_entry_is_translated_with_its_placeholders(language):
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    entries = {m.id: m for m in catalog if m.id}
    assert wanted <= entries.keys(), f"missing in {language}: {sorted(wanted - entries.keys())}"
    for msgid in wanted:
        entry = entries[msgid]
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(forms) and "fuzzy" not in entry.flags, f"{language}: {msgid!r} is not translated"
        english = msgid if isinstance(msgid, tuple) else (msgid,)
        for form in forms:  # a plural form may leave out the count (« une séance »), never a named one
            assert placeholders(form) - {"num"} == placeholders(english[-1]) - {"num"}, \
                f"{language}: {msgid!r} lost a placeholder"


def test_stale_catalogs_are_compiled_at_start(tmp_path):
    shutil.copytree(TRANSLATIONS, tmp_path / "translations", ignore=shutil.ignore_patterns("*.mo"))
    root = tmp_path / "translations"
    assert {p.parent.parent.name for p in stale_catalogs(root)} == {"fr", "es"}
    written = compile_catalogs(root)
    assert {p.parent.parent.name for p in written} == {"fr", "es"} and not stale_catalogs(root)


def test_every_wrapped_string_is_in_the_catalogs():
    """A string wrapped in the code but not yet extracted would show in English: `make translations`."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for folder, method_map in (("convene", [("**.py", "python")]),
                               ("templates", [("**.html", "jinja2"), ("**.txt", "jinja2")])):
        for _file, _line, message, _comments, _context in extract_from_dir(str(root / folder), method_map,
                                                                           keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert found - known == set(), "run `make translations` and translate the new strings"
