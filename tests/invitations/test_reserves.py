
from convene.extensions import db
from convene.invitations import answers, guest_list, reserves, sending
from convene.invitations.models import Invitation

from .conftest import outbox


def _setup(make, convening, organizer):
    first = make.invitation(convening, make.person(name="First Choice"))
    sending.send_invitations(convening, [first], actor=organizer)
    answers.answer(first, "declined", reason="Other commitments")
    waiting = guest_list.add_people(convening, [make.person(name="Reserve One"), make.person(name="Reserve Two")],
                                    role="participant", priority="reserve", actor=organizer)[0]
    db.session.commit()
    return first, waiting


def test_declined_first_choice_shows_next_reserves_in_order(client, make, convening, organizer):
    first, (one, two) = _setup(make, convening, organizer)
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "Places to offer to reserves" in page
    assert page.index("offer the place to Reserve One") < page.index("offer the place to Reserve Two")


def test_offer_place_confirms_then_invites_the_reserve(client, make, convening, organizer):
    first, (one, two) = _setup(make, convening, organizer)
    url = f"/convenings/{convening.id}/guests/{first.id}/offer/{one.id}"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Offer the place and send the invitation" in confirm.get_data(as_text=True)
    assert db.session.get(Invitation, one.id).status == "planned"  # GET changes nothing
    assert client.post(url).status_code == 302
    db.session.expire_all()
    one = db.session.get(Invitation, one.id)
    assert (one.status, one.replaces_id) == ("invited", first.id)
    assert outbox(kind="invitation", invitation_id=one.id)
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "Places to offer to reserves" not in page
    # The same place cannot be offered twice.
    response = client.post(f"/convenings/{convening.id}/guests/{first.id}/offer/{two.id}", follow_redirects=True)
    assert "already been offered" in response.get_data(as_text=True)
    assert db.session.get(Invitation, two.id).status == "planned"


def test_offer_page_shows_balance_hint_when_available(client, make, convening, organizer):
    first, (one, _) = _setup(make, convening, organizer)
    one.person.country = "KE"
    db.session.commit()
    hint = reserves.balance_hint(convening, one, organizer)
    assert hint  # the diversity area provides balance_change_if_accepted
    page = client.get(f"/convenings/{convening.id}/guests/{first.id}/offer/{one.id}").get_data(as_text=True)
    for line in hint:
        assert line in page or line.replace("→", "&rarr;") in page


def test_places_and_reserves_cost_one_query_and_none_until_a_place_opens(client, make, convening, organizer,
                                                                          count_queries):
    """The common case (nobody declined or was withdrawn) asks nothing about reserves; once a place
    has opened, the places and their next reserves come in one query, however many there are."""
    def queries() -> int:
        client.get(f"/convenings/{convening.id}/guests")  # kept balance counts, as on any repeat
        with count_queries() as counter:
            page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
        return counter.count, "Places to offer to reserves" in page

    for i in range(3):
        make.invitation(convening, make.person(name=f"Accepted {i}"), status="accepted")
    guest_list.add_people(convening, [make.person(name=f"Reserve {i}") for i in range(4)],
                          role="participant", priority="reserve", actor=organizer)
    db.session.commit()
    no_place, shown = queries()
    assert not shown
    first = make.invitation(convening, make.person(name="First Choice"))
    sending.send_invitations(convening, [first], actor=organizer)
    answers.answer(first, "declined", reason="Other commitments")
    db.session.commit()
    one_place, shown = queries()
    assert shown and one_place == no_place + 1
    for i in range(3):
        more = make.invitation(convening, make.person(name=f"Also Declined {i}"))
        sending.send_invitations(convening, [more], actor=organizer)
        answers.answer(more, "declined", reason="Other commitments")
    guest_list.add_people(convening, [make.person(name=f"Late Reserve {i}") for i in range(5)],
                          role="participant", priority="reserve", actor=organizer)
    db.session.commit()
    assert queries() == (one_place, True)


def test_a_declined_place_without_reserves_offers_nothing(client, make, convening, organizer):
    first = make.invitation(convening, make.person(name="First Choice"))
    sending.send_invitations(convening, [first], actor=organizer)
    answers.answer(first, "declined", reason="Other commitments")
    db.session.commit()
    assert reserves.reserve_offers_for(convening) == []
    guest_list.add_people(convening, [make.person(name="Zed Reserve"), make.person(name="Abe Reserve")],
                          role="participant", priority="reserve", actor=organizer)
    db.session.commit()
    [(place, waiting)] = reserves.reserve_offers_for(convening)
    assert place.id == first.id and [r.person.name for r in waiting] == ["Zed Reserve", "Abe Reserve"]  # by rank


def test_each_reserve_is_offered_under_one_place_only_and_never_if_already_invited(client, make, convening,
                                                                                     organizer):
    """Issue 17, item 8: 'Places to offer' repeated the same reserves under every declined person."""
    places = [make.invitation(convening, make.person(name=f"Declined {n}")) for n in range(3)]
    sending.send_invitations(convening, places, actor=organizer)
    for place in places:
        answers.answer(place, "declined", reason="Away")
    waiting = guest_list.add_people(convening, [make.person(name=f"Waiting {n}") for n in range(5)],
                                    role="participant", priority="reserve", actor=organizer)[0]
    sending.send_invitations(convening, waiting[:1], actor=organizer)  # invited directly: no longer waiting
    waiting[1].invited_at, waiting[1].status = places[0].invited_at, "planned"  # invited once, withdrawn, re-planned
    db.session.commit()
    offers = reserves.reserve_offers_for(convening)
    offered = [r.person.name for _, group in offers for r in group]
    assert [len(group) for _, group in offers] == [1, 1, 1]
    assert offered == ["Waiting 2", "Waiting 3", "Waiting 4"]
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    for name in ("Waiting 2", "Waiting 3", "Waiting 4"):
        assert page.count(f"offer the place to {name}") == 1
    assert "offer the place to Waiting 0" not in page and "offer the place to Waiting 1" not in page


def test_places_beyond_the_reserves_say_none_is_left(client, make, convening, organizer):
    places = [make.invitation(convening, make.person(name=f"Declined {n}")) for n in range(2)]
    sending.send_invitations(convening, places, actor=organizer)
    for place in places:
        answers.answer(place, "declined", reason="Away")
    guest_list.add_people(convening, [make.person(name="Only Reserve")], role="participant", priority="reserve",
                          actor=organizer)
    db.session.commit()
    assert [[r.person.name for r in group] for _, group in reserves.reserve_offers_for(convening)] == \
        [["Only Reserve"], []]
    page = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert page.count("offer the place to Only Reserve") == 1 and "no reserve left for this place" in page
