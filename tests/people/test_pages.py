"""The directory speaks words, not codes (issue 17, item 8: "raw codes on the person page")."""
from convene.extensions import db


def test_person_page_and_lists_show_labels_not_codes(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    org = make.organization(name="Regional Early Warning Centre", sector="intergovernmental")
    person = make.person(name="Hadiza Bello", organization=org, sector="civil_society")
    convening = make.convening(organizers=[organizer], title="Roundtable on Warning")
    make.invitation(convening, person, status="no_show", role="rapporteur")
    make.action(convening, text="Share the map", owner_person_id=person.id, status="in_progress")
    db.session.commit()
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Civil society / NGO" in page and "civil society<" not in page
    assert ">No-show</span>" in page and "no show" not in page
    assert "in progress" in page and "<td>Rapporteur</td>" in page
    listing = client.get("/people/").get_data(as_text=True)
    assert "Civil society / NGO" in listing
    organizations = client.get("/organizations/").get_data(as_text=True)
    assert "Intergovernmental or international organization" in organizations and ">intergovernmental<" not in organizations


def test_publish_page_sentences_are_separated(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer])
    make.agenda_session(convening)
    db.session.commit()
    page = client.get(f"/convenings/{convening.id}/agenda/publish").get_data(as_text=True)
    assert "version 1. The people" in page and "1.The" not in page


def test_a_dialogue_names_the_conferences_organizers_once(client, make, sign_in):
    """Issue 17, item 8: "Amina Okafor(and the conference's: Amina Okafor)"."""
    amina = sign_in(make.user("organizer", name="Amina Okafor"))
    other = make.user("organizer", name="Tomás Rivera")
    conference = make.convening(organizers=[amina, other], title="Strategy for Peace 2031")
    dialogue = make.dialogue(conference, title="Roundtable on Water")
    dialogue.organizers.append(amina)
    db.session.commit()
    page = client.get(f"/convenings/{dialogue.id}").get_data(as_text=True)
    organizers = page[page.index("<dt>Organizers</dt>"):page.index("</dd>", page.index("<dt>Organizers</dt>"))]
    assert "Amina Okafor <span" in organizers and "(and the conference's: Tomás Rivera)" in organizers
    assert organizers.count("Amina Okafor") == 1
