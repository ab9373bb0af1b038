"""Issue 17, item 8: rough edges an organizer met on the way, each held by a test."""
import re

from convene.extensions import db
from convene.mail.services import queue_message


def test_every_page_names_a_favicon_that_is_served(client):
    page = client.get("/", follow_redirects=True).get_data(as_text=True)  # the sign-in page
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(href)
    try:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    finally:
        icon.close()


def test_the_attribution_notice_names_the_rule_once(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    for rule, name in (("not_for_attribution", "Not for attribution"), ("chatham_house", "Chatham House Rule")):
        convening = make.convening(organizers=[organizer], attribution_rule=rule)
        page = client.get(f"/convenings/{convening.id}/agenda").get_data(as_text=True)
        notice = re.search(r'<p class="attribution" role="note">(.*?)</p>', page, re.S).group(1)
        assert notice.count(name) == 1, notice
        assert notice.startswith(f"<strong>{name}:</strong> ")


def test_agenda_form_hints_do_not_prescribe_a_format_the_browser_does_not_show(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer], timezone="Africa/Nairobi")
    page = client.get(f"/convenings/{convening.id}/agenda/new").get_data(as_text=True)
    assert "YYYY-MM-DD" not in page and "24-hour" not in page and "HH:MM" not in page
    assert "Africa/Nairobi" in page  # the hint says what matters: the time zone


def test_the_outbox_messages_scrolling_parts_can_be_reached_by_keyboard(client, make, sign_in):
    sign_in(make.user("admin"))
    message = queue_message(to_address="a@example.org", subject="Hello", text="Body " * 500,
                            html="<p>Body</p>", calendar=None)
    db.session.commit()
    page = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    scrolling = re.findall(r'<(?:pre|div) class="mail-(?:body|html)"([^>]*)>', page)
    assert scrolling and all('tabindex="0"' in attrs and "aria-label=" in attrs for attrs in scrolling)
