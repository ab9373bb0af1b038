"""Every attendee page, rendered in French and Spanish, holds no English sentence of the catalog.

The English catalog (messages.pot) lists every sentence Convene writes; a page rendered for a French
or Spanish reader that still shows one of them has a string missing from that catalog, or a word
printed outside `_()`. Names and data (titles, people) are the test's own and are not sentences of
the catalog.
"""
import html
import re
from datetime import date, timedelta

import pytest
from babel.messages.pofile import read_po

from convene.actions import followup
from convene.extensions import db
from convene.i18n.locale import TRANSLATIONS
from convene.invitations import links as invitation_links
from convene.notes import services as notes
from tests.ics.test_http import publish

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalog(language: str | None):
    path = TRANSLATIONS / ("messages.pot" if language is None else f"{language}/LC_MESSAGES/messages.po")
    with path.open("rb") as f:
        return list(read_po(f, locale=language)) if language else list(read_po(f))


def english_sentences(language: str) -> set[str]:
    """The catalog's English fragments of three words or more that the language's catalog does not reuse."""
    translated = " ".join(s for m in _catalog(language) if m.id
                          for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    fragments = set()
    for message in _catalog(None):
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            for part in PLACEHOLDER.split(msgid or ""):
                part = " ".join(part.split()).strip(" ,.;:()—·")
                if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3 and part not in translated:
                    fragments.add(part)
    return fragments


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def english_left(page: str, language: str) -> list[str]:
    text = visible_text(page)
    return sorted(s for s in english_sentences(language) if s in text)


@pytest.fixture
def world(app, client, make, sign_in):
    """An upcoming convening (invited, attending, declined guests) and a past one (notes, drafts, steps)."""
    organizer = sign_in(make.user("organizer"))
    soon = date.today() + timedelta(days=40)
    upcoming = make.convening(organizers=[organizer], title="Sahel Dialogue", starts_on=soon,
                              ends_on=soon + timedelta(days=2), reply_by=soon - timedelta(days=10),
                              timezone="Africa/Dakar", venue="Hotel Terrou-Bi", city="Dakar", country="SN",
                              attribution_rule="chatham_house", description="Early warning in the Sahel.")
    guest = make.person(name="Awa Ndiaye", timezone="Europe/Paris", listing_consent=True)
    attending = make.invitation(upcoming, guest, status="accepted", role="speaker")
    invited = make.invitation(upcoming, make.person(name="Kofi Mensah"), status="invited")
    declined = make.invitation(upcoming, make.person(name="Lina Rojas"), status="declined")
    plenary = make.agenda_session(upcoming, title="Plenario", kind="plenary", room="Salle A",
                                  starts_at=_at(soon, 9))
    make.session_role(plenary, guest, "speaker")
    make.agenda_session(upcoming, title="Dîner", kind="meal", all_day=False, starts_at=_at(soon, 19))
    db.session.commit()
    publish(client, upcoming)

    past_day = date.today() - timedelta(days=30)
    past = make.convening(organizers=[organizer], title="Mesa Andina", starts_on=past_day, ends_on=past_day,
                          timezone="America/Lima", attribution_rule="not_for_attribution")
    veteran = make.invitation(past, guest, status="attended")
    session = make.agenda_session(past, title="Mediación", starts_at=_at(past_day, 10))
    note = notes.start_note(session, organizer)
    notes.save_revision(note, summary="Resumen", body="Texto", base=None, actor=organizer)
    notes.change_status(note, "shared", organizer)
    brief = make.brief(title="Memo andino", convenings=[past], status="review", summary="Tres puntos.")
    make.action(past, text="Llamar al enviado", owner_person_id=guest.id, due_on=past_day + timedelta(days=60))
    db.session.commit()
    owner = followup.issue_owner_link(guest, organizer, send=False)
    db.session.commit()

    def path(invitation):
        return invitation_links.home_url(invitation).removeprefix("http://localhost")

    paths = {"attending": path(attending), "invited": path(invited), "declined": path(declined),
             "after": path(veteran), "brief": brief, "session": session,
             "owner": owner.removeprefix("http://localhost")}
    db.session.commit()  # the lasting links issued on first use
    return paths


def _at(day, hour):
    from datetime import datetime, timezone
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=hour)


def attendee_pages(world) -> dict[str, str]:
    """Every page an attendee reads, by name → path (GET)."""
    after = world["after"]
    return {
        "home (invited)": world["invited"], "home (attending)": world["attending"],
        "home (after)": after, "home (declined)": world["declined"],
        "agenda (mine)": world["attending"] + "/agenda", "agenda (all)": world["attending"] + "/agenda?view=all",
        "briefing pack": world["attending"] + "/briefing",
        "notes": after + "/notes", "one session's notes": f"{after}/notes/{world['session'].id}",
        "drafts to review": after + "/review", "one draft": f"{after}/review/{world['brief'].id}",
        "next-step owner": world["owner"], "next steps on the home": after + "/next-steps",
    }


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_attendee_page_is_in_the_attendees_language(app, world, language):
    db.session.execute(db.text("UPDATE people SET preferred_language = :l"), {"l": language})
    db.session.commit()
    reader = app.test_client()  # no sign-in: the personal link is the key
    for name, path in attendee_pages(world).items():
        response = reader.get(path, headers={"Accept-Language": "en"})  # the person's choice wins
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (name, response.status_code)
        assert f'<html lang="{language}"' in page, name
        assert english_left(page, language) == [], f"{name} ({language}) shows English"


@pytest.mark.parametrize("language", ["fr", "es"])
def test_attendee_answers_and_refusals_are_in_their_language(app, world, language):
    db.session.execute(db.text("UPDATE people SET preferred_language = :l"), {"l": language})
    db.session.commit()
    reader = app.test_client()
    pages = {
        "an answer without a choice": reader.post(world["invited"], data={"answer": ""}),
        "a thank-you after accepting": reader.post(world["invited"], data={"answer": "accepted"},
                                                   follow_redirects=True),
        "a nomination without an address": reader.post(world["invited"] + "/nominate",
                                                       data={"nominee_name": "X"}),
        "an erasure not confirmed": reader.post(world["attending"] + "/erase", follow_redirects=True),
        "calendar subscription": reader.post(world["attending"] + "/agenda/subscribe"),
        "an empty progress note": reader.post(world["owner"], data={"action_id": "0"}),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert f'<html lang="{language}"' in page, name
        assert english_left(page, language) == [], f"{name} ({language}) shows English"


def test_the_check_sees_english(app, world):
    page = app.test_client().get(world["attending"]).get_data(as_text=True)  # no language chosen: English
    assert "Subscribe in my calendar app" in english_left(page, "fr")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_attendees_calendar_files_are_in_their_language(app, world, language):
    db.session.execute(db.text("UPDATE people SET preferred_language = :l"), {"l": language})
    db.session.commit()
    reader = app.test_client()
    data = reader.get(world["attending"] + "/agenda.ics?view=all").get_data(as_text=True).replace("\r\n ", "")
    kind, role, link = {"fr": ("CATEGORIES:Plénière", "Intervenant·e: Awa Ndiaye", "Programme : http"),
                        "es": ("CATEGORIES:Sesión plenaria", "Orador/a: Awa Ndiaye", "Programa: http")}[language]
    assert kind in data and role in data and link in data, data
    assert "CATEGORIES:Plenary" not in data and "Agenda: http" not in data
