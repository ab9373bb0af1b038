"""Day tables kept per content (agenda.rendering.kept_days): the editor's and each attendee's.

The kept fragment's key is made of everything the tables print, so two viewers whose rows differ
(their roles, their own timezone, their links) never share one, and an edit or a publication
shows at once.
"""
import re
from datetime import datetime, timezone

from convene.extensions import db

from .conftest import session_form
from .test_attendee import invitation_of, publish


def publish_quietly(client, convening):
    """Publish and read the flash message, so the pages compared next carry none."""
    publish(client, convening)
    client.get(f"/convenings/{convening.id}/agenda")


def tokenless(page):
    """The page without its form tokens (they carry the moment they were made)."""
    return re.sub(r'csrf_token" value="[^"]*"', "", page)


def tables(page):
    return page[page.index('<section class="agenda-day-section"'):page.rindex("</section>")]


def kept(app, kind):
    return {k for k in app.extensions["response_cache"]._items if k.startswith(f"fragment:{kind}:")}


def test_two_attendees_get_their_own_rows(app, client, setup, make, rsvp_token):
    c = setup["convening"]
    amina, bo, carla = setup["guests"]
    plenary = make.agenda_session(c, title="Plenary", starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc))
    drafting = make.agenda_session(c, title="Closed drafting", open_to_all=False,
                                   starts_at=datetime(2031, 3, 8, 18, tzinfo=timezone.utc))
    make.session_role(drafting, amina, "rapporteur")
    make.session_role(plenary, carla, "chair")
    publish_quietly(client, c)
    amina_link, carla_link = rsvp_token(invitation_of(amina)), rsvp_token(invitation_of(carla))
    pages, before = {}, kept(app, "attendee")
    for _round in (1, 2):  # the second round is served from the kept fragments
        for who, token in (("amina", amina_link), ("carla", carla_link)):
            page = client.get(f"/my/{token}/agenda?view=all").get_data(as_text=True)
            assert tokenless(pages.setdefault(who, page)) == tokenless(page)
    assert len(kept(app, "attendee") - before) == 2
    amina_page, carla_page = pages["amina"], pages["carla"]
    assert "Rapporteur: <strong>you</strong>" in amina_page and "Chair: Carla Ruiz" in amina_page
    assert "Chair: <strong>you</strong>" in carla_page and "Rapporteur: Amina Diallo" in carla_page
    assert "your time, Africa/Dakar" in amina_page and "your time" not in carla_page
    assert f"/my/{amina_link}/sessions/" in amina_page and amina_link not in carla_page
    assert f"/my/{carla_link}/sessions/" in carla_page and carla_link not in amina_page
    # Carla sets a timezone of her own: her rows are rendered again, Amina's are not touched.
    carla.timezone = "Asia/Tokyo"
    db.session.commit()
    page = client.get(f"/my/{carla_link}/agenda?view=all").get_data(as_text=True)
    assert "your time, Asia/Tokyo" in page and "Africa/Dakar" not in page
    assert tokenless(client.get(f"/my/{amina_link}/agenda?view=all").get_data(as_text=True)) == tokenless(amina_page)


def test_a_publication_or_a_new_name_shows_at_once(client, setup, make, rsvp_token):
    c = setup["convening"]
    amina, _bo, carla = setup["guests"]
    s = make.agenda_session(c, title="Plenary", starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc))
    make.session_role(s, carla, "chair")
    publish(client, c)
    link = rsvp_token(invitation_of(amina))
    assert "Chair: Carla Ruiz<" in client.get(f"/my/{link}/agenda").get_data(as_text=True)
    carla.name = "Carla Ruiz-Ortega"
    db.session.commit()
    assert "Chair: Carla Ruiz-Ortega" in client.get(f"/my/{link}/agenda").get_data(as_text=True)
    assert client.post(f"/convenings/{c.id}/agenda/{s.id}/edit",
                       data=session_form(title="Closing plenary", version=str(s.version))).status_code == 302
    page = client.get(f"/my/{link}/agenda").get_data(as_text=True)
    assert '">Plenary</a>' in page and '">Closing plenary</a>' not in page  # still a draft
    publish(client, c)
    page = client.get(f"/my/{link}/agenda").get_data(as_text=True)
    assert '">Closing plenary</a>' in page and '">Plenary</a>' not in page
    assert "Chair:" not in page  # the edit's form named nobody


def test_the_editor_shows_each_edit_and_warning_at_once(app, client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c, title="Plenary", room="Main hall",
                            starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc))
    before = kept(app, "editor")
    first = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    again = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert "Plenary" in first and tables(again) == tables(first)  # the form tokens around them differ
    assert len(kept(app, "editor") - before) == 1
    assert client.post(f"/convenings/{c.id}/agenda/{s.id}/edit",
                       data=session_form(title="Opening plenary", version=str(s.version))).status_code == 302
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert '">Opening plenary</a>' in page and '">Plenary</a>' not in page and "⚠" not in page
    make.agenda_session(c, title="Side event", room="Main hall", starts_at=s.starts_at)
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert "Side event" in page and "⚠" in page  # the new overlap's warning is in the rows
