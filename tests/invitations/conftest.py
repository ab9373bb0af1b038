"""Helpers for the invitations tests: an organizer's convening, and reading links out of the outbox."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.mail.models import OutboxMessage

LINK = re.compile(r"https?://[^/\s]+(/my/[A-Za-z0-9_\-]+)")


@pytest.fixture
def organizer(make, sign_in):
    return sign_in(make.user("organizer"))


@pytest.fixture
def convening(make, organizer):
    return make.convening(organizers=[organizer], reply_by=date.today() + timedelta(days=30),
                          venue="Airlie Center", title="Atrocity Prevention Roundtable")


def outbox(**filters) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in filters.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(db.session.scalars(query))


def link_path(text: str) -> str:
    """The /my/<token> path of the first personal link in a message text."""
    match = LINK.search(text)
    assert match, text
    return match.group(1)
