"""A conference's figures include its dialogues, each person once; the conference page shows
each dialogue's real counts."""
import re

from convene.invitations import rollup


def _conference(make, organizer):
    conference = make.convening(organizers=[organizer], title="Strategy Conference")
    first = make.convening(parent=conference, title="Dialogue A")
    second = make.convening(parent=conference, title="Dialogue B")
    return conference, first, second


def test_a_person_on_two_dialogues_counts_once_with_the_status_furthest_along(app, make, organizer):
    conference, first, second = _conference(make, organizer)
    both, only_first, on_conference = make.person(), make.person(), make.person()
    make.invitation(first, both, status="declined")
    make.invitation(second, both, status="attended")
    make.invitation(first, only_first, status="no_show")
    make.invitation(conference, on_conference, status="accepted")
    make.invitation(second, on_conference, status="withdrawn")
    outsider = make.convening()
    make.invitation(outsider, both, status="accepted")
    counts = rollup.status_counts([conference.id, first.id, outsider.id])
    assert counts[conference.id] == {"attended": 1, "no_show": 1, "accepted": 1}
    assert counts[first.id] == {"declined": 1, "no_show": 1}  # a dialogue is its own guest list
    assert counts[outsider.id] == {"accepted": 1}
    assert rollup.own_status_counts([conference.id]) == {conference.id: {"accepted": 1}}


def test_conference_page_shows_rolled_up_counts_and_each_dialogues_real_counts(client, make, organizer,
                                                                                count_queries):
    conference, first, second = _conference(make, organizer)
    for i in range(30):
        make.invitation(first, make.person(), status="attended" if i < 27 else "declined")
    make.invitation(second, make.person(), status="accepted")
    page = client.get(f"/convenings/{conference.id}").get_data(as_text=True)
    assert "27 accepted (27 attended) of 30 on the list" in page  # was "0 accepted of 30"
    assert "1 accepted of 1 on the list" in page
    assert "31 people." in page and "counted once" in page
    assert re.search(r'badge-attended">Attended</span> 27', page)

    url = f"/convenings/{conference.id}"

    def visit():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count
    few = visit()
    for _ in range(20):
        make.invitation(second, make.person(), status="invited")
    make.convening(parent=conference, title="Dialogue C")
    assert visit() == few
