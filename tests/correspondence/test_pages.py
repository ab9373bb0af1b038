"""Writing to participants, through the pages: compose, preview, send with a file, delivery, history, access."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from convene.correspondence.models import ParticipantMessage
from convene.extensions import db
from convene.mail.models import MailAttachment, OutboxMessage
from convene.mail.worker import deliver_pending
from tests.briefs.conftest import make_pdf


def url(guests, tail="write"):
    return f"/convenings/{guests.convening.id}/{tail}"


def form(**values):
    data = {"statuses": ["accepted", "attended"], "subject": "Shuttle for {convening}",
            "body": "Dear {name},\n\nThe shuttle leaves at 8 from {venue}.", "language": "en"}
    data.update(values)
    return data


def test_the_guest_list_links_to_writing_and_to_the_history(client, sign_in, guests):
    sign_in(guests.org)
    page = client.get(f"/convenings/{guests.convening.id}/guests").get_data(as_text=True)
    assert f'href="/convenings/{guests.convening.id}/write"' in page
    assert f'href="/convenings/{guests.convening.id}/write/sent"' in page


def test_picked_people_from_the_guest_list_are_preselected(client, sign_in, guests):
    sign_in(guests.org)
    page = client.get(url(guests) + f"?invitation={guests.ana.id}&invitation={guests.gus.id}"
                      f"&invitation={guests.stranger.id}&invitation=abc").get_data(as_text=True)
    assert "3 selected people" in page  # as asked; the one from another list is left out below
    assert "2 people</strong> will receive this message" in page
    assert "1 picked person is not on this guest list." in page
    assert f'name="invitation" value="{guests.ana.id}"' in page


def test_count_then_preview_for_one_recipient_then_send_with_a_file_delivered_intact(client, sign_in, guests,
                                                                                  smtp_sink):
    sign_in(guests.org)
    page = client.post(url(guests), data=form(action="count")).get_data(as_text=True)
    assert "2 people</strong> will receive this message; 1 cannot" in page
    assert "Ben Bauer: no e-mail address in the directory." in page
    visa = make_pdf(padding=5000)
    response = client.post(url(guests), data=form(action="preview", include_link="y", preview_for=guests.gus.id,
                                                  body="Dear {name}, see you at {venue}.",
                                                  files=[(io.BytesIO(visa), "Visa letters.pdf")]),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Dear Gus Grant, see you at Hotel Lac, Geneva, Switzerland." in page
    assert "EXAMPLE-LINK" in page and "Nothing has been sent" in page
    assert "Visa letters.pdf" in page and 'name="kept"' in page
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    kept = page.split('name="kept" value="')[1].split('"')[0]
    attachment_id = db.session.scalar(sa.select(MailAttachment.id))
    response = client.post(url(guests), data=form(action="send", include_link="y", kept=kept, keep=[attachment_id],
                                                  expected="2", body="Dear {name}, see you at {venue}."))
    assert response.status_code == 302
    message = db.session.scalar(sa.select(ParticipantMessage))
    assert response.headers["Location"].endswith(f"/write/sent/{message.id}")
    assert message.recipients_count == 2 and message.skipped_count == 1
    assert deliver_pending() == (2, 0)
    assert len(smtp_sink.messages) == 2
    mail = smtp_sink.to(guests.gus.person.email)[0]
    assert mail["Subject"] == "Shuttle for Water Roundtable"
    files = [part for part in mail.iter_attachments()]
    assert [(p.get_filename(), p.get_content_type()) for p in files] == [("Visa letters.pdf", "application/pdf")]
    assert files[0].get_content() == visa  # the bytes arrive intact
    body = mail.get_body(("plain",)).get_content()
    assert "Dear Gus Grant" in body and "Your personal page for Water Roundtable:" in body
    assert "Attached: Visa letters.pdf" in body
    outbox_id = db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.person_id == guests.gus.person_id))
    assert "(attachment Visa letters.pdf)" in client.get(f"/outbox/{outbox_id}").get_data(as_text=True)
    # history: delivered counts, then the detail page with each recipient
    history = client.get(url(guests, "write/sent")).get_data(as_text=True)
    assert "Shuttle for {convening}" in history and '<td class="num">2</td>' in history
    detail = client.get(url(guests, f"write/sent/{message.id}")).get_data(as_text=True)
    assert "Gus Grant" in detail and "delivered" in detail and "not sent" in detail
    assert "Ben Bauer: no e-mail address in the directory." in detail


def test_a_second_send_of_the_same_kept_files_finds_them_gone(client, sign_in, guests, pdf):
    sign_in(guests.org)
    page = client.post(url(guests), data=form(action="preview", files=[(io.BytesIO(pdf), "a.pdf")]),
                       content_type="multipart/form-data").get_data(as_text=True)
    kept = page.split('name="kept" value="')[1].split('"')[0]
    keep = db.session.scalar(sa.select(MailAttachment.id))
    assert client.post(url(guests), data=form(action="send", kept=kept, keep=[keep], expected="2")).status_code == 302
    assert client.post(url(guests), data=form(action="send", kept=kept, keep=[keep], expected="2")).status_code == 302
    first, second = db.session.scalars(sa.select(ParticipantMessage).order_by(ParticipantMessage.id)).all()
    assert len(first.attachments) == 1 and second.attachments == []


@pytest.mark.parametrize("name, data, words", [
    ("visa.pdf", b"GIF89a not a pdf at all" * 10, "is not a PDF"),
    ("big.pdf", make_pdf(padding=4000), "larger than the limit"),
])
def test_refused_files_are_explained_and_nothing_is_saved(app, client, sign_in, guests, name, data, words):
    app.config["CORRESPONDENCE_MAX_FILE"] = 3000
    try:
        sign_in(guests.org)
        response = client.post(url(guests), data=form(action="send", expected="2", files=[(io.BytesIO(data), name)]),
                               content_type="multipart/form-data")
    finally:
        app.config.pop("CORRESPONDENCE_MAX_FILE")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    for model in (ParticipantMessage, OutboxMessage, MailAttachment):
        assert db.session.scalar(sa.select(sa.func.count(model.id))) == 0


@pytest.mark.parametrize("values", [
    {"action": "send", "subject": "Two\r\nlines"},
    {"action": "send", "body": "{personal_link}"},
    {"action": "preview", "subject": "{oops"},
    {"action": "send", "language": "xx"},
    {"action": "send", "statuses": [], "expected": "0"},
    {"action": "send", "expected": "nine"},
    {"action": "preview", "preview_for": "999999999999", "kept": "forged"},
    {"action": "whatever", "statuses": ["nope"], "invitation": ["-1", "x", str(2**40)]},
])
def test_bad_input_is_a_page_never_a_500_and_never_a_row(client, sign_in, guests, values):
    sign_in(guests.org)
    response = client.post(url(guests), data=form(**values))
    assert response.status_code in (200, 422)
    assert db.session.scalar(sa.select(sa.func.count(ParticipantMessage.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_another_organizer_cannot_write_to_or_read_this_convenings_messages(client, sign_in, guests, make):
    message = ParticipantMessage(convening_id=guests.convening.id, subject="Private", body="x")
    db.session.add(message)
    db.session.commit()
    sign_in(guests.other)
    assert client.get(url(guests)).status_code == 404
    assert client.post(url(guests), data=form(action="send", expected="2")).status_code == 404
    assert client.get(url(guests, "write/sent")).status_code == 404
    assert client.get(url(guests, f"write/sent/{message.id}")).status_code == 404
    # nor through their own convening's address
    assert client.get(f"/convenings/{guests.other_convening.id}/write/sent/{message.id}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    sign_in(make.user("staff"))
    assert client.get(url(guests)).status_code == 403


def test_history_pages_run_a_fixed_number_of_queries(client, sign_in, guests, make, count_queries):
    sign_in(guests.org)
    history = url(guests, "write/sent")  # (the test's own objects expire on commit: paths are made before counting)

    def send_one(expected: int) -> str:
        response = client.post(url(guests), data=form(action="send", statuses=["accepted", "attended", "invited"],
                                                      expected=str(expected)))
        assert response.status_code == 302
        return response.headers["Location"]

    detail = send_one(3)
    with count_queries() as few_list:
        client.get(history)
    with count_queries() as few_detail:
        client.get(detail)
    for _ in range(6):
        make.invitation(guests.convening, status="accepted")
    send_one(9)
    detail = send_one(9)
    deliver_pending()
    with count_queries() as many_list:
        page = client.get(history).get_data(as_text=True)
    with count_queries() as many_detail:
        client.get(detail)
    assert page.count("/write/sent/") >= 3
    assert many_list.count == few_list.count
    assert many_detail.count == few_detail.count
