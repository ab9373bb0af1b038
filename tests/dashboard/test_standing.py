"""Issue 17, item 7: the organizer's dashboard answers "where do I stand?" for each upcoming convening and
its dialogues, each figure links to the list it counts, and the page's query count does not grow."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from convene.agenda.models import AgendaVersion
from convene.db_types import utcnow
from convene.diversity.models import DiversityTarget
from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.mail.services import queue_message


def _section(page: str) -> str:
    return page[page.index('id="standing-heading"'):page.index("</table>", page.index('id="standing-heading"'))]


def _row(section: str, title: str) -> str:
    start = section.index(f">{title}</a>")
    return section[start:section.index("</tr>", start)]


def _link(row: str, words: str) -> str:
    """The href of the link whose text starts with `words` in a row."""
    match = re.search(r'href="([^"]+)"[^>]*>\s*' + re.escape(words), row)
    assert match, (words, row)
    return match.group(1).replace("&amp;", "&")


def _world(make, organizer, title="Roundtable on Early Warning", n_accepted=6):
    today = date.today()
    convening = make.convening(organizers=[organizer], title=title, starts_on=today + timedelta(days=40),
                               ends_on=today + timedelta(days=42), reply_by=today + timedelta(days=12))
    dialogue = make.dialogue(convening, title=f"{title}: dialogue")
    for i in range(n_accepted):
        make.invitation(convening, make.person(name=f"Yes {title} {i}", country="KE" if i % 2 else "DE"),
                        status="accepted")
    for i in range(3):
        make.invitation(convening, make.person(name=f"Waiting {title} {i}"), status="invited")
    make.invitation(convening, make.person(name=f"No {title}"), status="declined")
    make.invitation(dialogue, make.person(name=f"Dialogue {title}"), status="accepted")
    db.session.add(DiversityTarget(convening_id=convening.id, dimension="north_south", kind="min_share",
                                   category="south", value=80, stage="accepted"))
    db.session.add(DiversityTarget(convening_id=convening.id, dimension="region", kind="min_categories",
                                   value=2, stage="accepted"))
    db.session.add(DiversityTarget(convening_id=dialogue.id, dimension="region", kind="min_categories",
                                   value=2, stage="accepted"))
    failed = queue_message(to_address="a@example.org", subject="Invitation", text="x", convening_id=convening.id)
    failed.status = "failed"
    queue_message(to_address="b@example.org", subject="Invitation", text="x", convening_id=convening.id)
    make.action(convening, text=f"Overdue step {title}", status="open", due_on=today - timedelta(days=3))
    make.action(convening, text=f"Later step {title}", status="open", due_on=today + timedelta(days=3))
    db.session.add(AgendaVersion(convening_id=convening.id, number=2, published_at=utcnow()))
    db.session.commit()
    return convening, dialogue


def test_the_dashboard_says_where_an_organizer_stands(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening, dialogue = _world(make, organizer)
    section = _section(client.get("/").get_data(as_text=True))
    row = _row(section, convening.title)
    assert "6 accepted" in row and "3 invited" in row and "1 declined" in row
    assert "in 12 days" in row and "3 awaiting an answer" in row
    assert "1 met" in row and "1 missed" in row  # 2 regions met; 80% South missed (3 of 6)
    assert "published v2" in row and "1 failed" in row and "1 waiting" in row and "1 overdue" in row
    dialogue_row = _row(section, dialogue.title)
    assert "1 accepted" in dialogue_row and "draft" in dialogue_row and "1 too few answers to judge" in dialogue_row

    # each figure opens the list it counts, and the list holds that many
    guests = client.get(_link(row, "6 accepted")).get_data(as_text=True)
    assert guests.count('name="invitation_ids"') == 6
    board = client.get(_link(row, "1 overdue")).get_data(as_text=True)
    assert board.count('name="ids"') == 1 and "Overdue step" in board and "Later step" not in board
    outbox = client.get(_link(row, "1 failed")).get_data(as_text=True)
    assert outbox.count("a@example.org") == 1 and "b@example.org" not in outbox


def test_other_organizers_convenings_are_not_shown(client, make, sign_in):
    owner = make.user("organizer")
    _world(make, owner, title="Not Yours")
    sign_in(make.user("organizer"))
    page = client.get("/").get_data(as_text=True)
    assert "Not Yours" not in page and 'id="standing-heading"' not in page


def test_the_dashboard_query_count_does_not_grow_with_convenings(client, make, sign_in, count_queries):
    organizer = sign_in(make.user("organizer"))
    _world(make, organizer, title="First")
    client.get("/")
    with count_queries() as one:
        assert client.get("/").status_code == 200
    for title in ("Second", "Third", "Fourth"):
        _world(make, organizer, title=title)
    with count_queries() as four:
        page = client.get("/").get_data(as_text=True)
    assert all(f">{t}</a>" in page for t in ("First", "Second", "Third", "Fourth"))
    assert four.count == one.count
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 8
