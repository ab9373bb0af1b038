"""The attendee home: one page under /my/<token> that follows the invitation's state, and its settings."""
from datetime import date, timedelta

import pytest

from convene.extensions import db
from convene.invitations import links as invitation_links


@pytest.fixture
def home(make):
    def open_home(status, **convening):
        invitation = make.invitation(make.convening(**convening), make.person(name="Ama Home"), status=status)
        path = invitation_links.home_url(invitation).removeprefix("http://localhost")
        db.session.commit()
        return invitation, path
    return open_home


def test_the_home_follows_the_invitation(client, home):
    _, invited = home("invited")
    page = client.get(invited).get_data(as_text=True)
    assert "Invitation:" in page and "Send my answer" in page and "Propose a substitute" in page
    _, accepted = home("accepted")
    page = client.get(accepted).get_data(as_text=True)
    assert "You are attending" in page and "Subscribe in my calendar app" in page
    assert "Propose a substitute" not in page and 'aria-label="Your convening"' in page
    past = date.today() - timedelta(days=30)
    _, after = home("accepted", starts_on=past, ends_on=past + timedelta(days=2))
    page = client.get(after).get_data(as_text=True)
    assert "After the convening" in page and "Thank you for taking part" in page
    _, declined = home("declined")
    page = client.get(declined).get_data(as_text=True)
    assert "You declined this invitation" in page and "Subscribe" not in page and "Your settings" not in page


def test_attendee_sets_timezone_and_language(client, home):
    invitation, path = home("accepted")
    response = client.post(path + "/settings", data={"timezone": "Africa/Dakar", "preferred_language": "fr"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (invitation.person.timezone, invitation.person.preferred_language) == ("Africa/Dakar", "fr")
    assert client.post(path + "/settings", data={"timezone": "Mars/Base", "preferred_language": "fr"}).status_code \
        == 422
    assert client.post(path + "/settings", data={"timezone": "", "preferred_language": "de"}).status_code == 422
    db.session.expire_all()
    assert invitation.person.timezone == "Africa/Dakar"  # nothing saved half-way
