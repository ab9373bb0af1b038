"""Where an organizer stands: for each upcoming convening and its dialogues, the figures that need a look.

Answers by status with the reply-by countdown, balance targets (met / missed / too few answers to
judge), the agenda's state, undelivered mail and overdue next steps. Each figure comes from one
grouped query over every convening shown, so the page costs the same for one convening or ten.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..actions.models import ActionItem, ActionStatus
from ..auth.policy import visible_convening_ids
from ..agenda import versions
from ..convenings.models import Convening
from ..diversity.classification import classification_info
from ..diversity.counting import mask_for, tallies
from ..diversity.targets import effective_targets_for, evaluate
from ..extensions import db
from ..invitations.models import Invitation, InvitationStatus
from ..mail.models import OutboxMessage, OutboxStatus

#: How many upcoming convenings (with their dialogues) the dashboard shows.
SHOWN = 10
#: Answers in the order the dashboard lists them, with their words.
ANSWERS = {status: InvitationStatus(status).label.lower()
           for status in ("accepted", "tentative", "invited", "declined", "planned")}
#: Next steps still to do.
OPEN_STEPS = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)


@dataclass
class Standing:
    """One convening's figures."""

    convening: Convening
    answers: dict[str, int]
    #: Days until the reply-by date (negative once it has passed), None without one.
    reply_in: int | None
    targets: Counter = field(default_factory=Counter)  # verdict -> how many targets
    agenda_version: int | None = None  # None: only a draft
    undelivered: int = 0  # failed messages
    waiting: int = 0  # messages not sent yet
    overdue_steps: int = 0

    @property
    def awaiting_answer(self) -> int:
        return self.answers.get("invited", 0) + self.answers.get("tentative", 0)


def upcoming_for(user, today: date) -> list[Convening]:
    """The upcoming conferences and roundtables the user may see (not their dialogues), soonest first."""
    query = (sa.select(Convening).where(Convening.ends_on >= today, Convening.parent_id.is_(None))
             .options(selectinload(Convening.dialogues)).order_by(Convening.starts_on, Convening.id).limit(SHOWN))
    visible = visible_convening_ids(user)
    if visible is not None:
        query = query.where(Convening.id.in_(visible))
    return list(db.session.scalars(query))


def standings(user, today: date, tops: list[Convening]) -> list[tuple[Standing, list[Standing]]]:
    """(conference, [its dialogues]) standings of `tops` (upcoming_for: dialogues loaded), in a fixed number
    of queries."""
    every = [c for top in tops for c in (top, *sorted(top.dialogues, key=lambda d: (d.starts_on, d.id)))]
    ids = [c.id for c in every]
    if not ids:
        return []
    # Each guest list's own answers, as the list they link to shows them (a conference's balance, below,
    # folds its dialogues in, as its balance page does).
    answers = _grouped(sa.select(Invitation.convening_id, Invitation.status, sa.func.count())
                       .where(Invitation.convening_id.in_(ids)).group_by(Invitation.convening_id, Invitation.status))
    tally = tallies(ids, classification_info().classifier, mask=mask_for(user))
    targets = effective_targets_for(every)
    published = versions.latest_for(ids)
    mail = _grouped(sa.select(OutboxMessage.convening_id, OutboxMessage.status, sa.func.count())
                    .where(OutboxMessage.convening_id.in_(ids),
                           OutboxMessage.status.in_((OutboxStatus.FAILED.value, OutboxStatus.PENDING.value,
                                                     OutboxStatus.SENDING.value)))
                    .group_by(OutboxMessage.convening_id, OutboxMessage.status))
    overdue = dict(db.session.execute(
        sa.select(ActionItem.convening_id, sa.func.count()).where(
            ActionItem.convening_id.in_(ids), ActionItem.status.in_(OPEN_STEPS), ActionItem.due_on < today)
        .group_by(ActionItem.convening_id)).all())
    built = {}
    for c in every:
        verdicts = Counter(r.verdict for r in evaluate(targets[c.id], tally[c.id]))
        version = published.get(c.id)
        built[c.id] = Standing(
            c, answers[c.id], (c.reply_by - today).days if c.reply_by else None, verdicts,
            version.number if version else None, mail[c.id].get(OutboxStatus.FAILED.value, 0),
            mail[c.id].get(OutboxStatus.PENDING.value, 0) + mail[c.id].get(OutboxStatus.SENDING.value, 0),
            overdue.get(c.id, 0))
    return [(built[top.id], [built[d.id] for d in every if d.parent_id == top.id]) for top in tops]


def _grouped(query) -> defaultdict[int, dict[str, int]]:
    """{key: {status: n}} from rows (key, status, n); an absent key reads as {}."""
    out: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for key, status, n in db.session.execute(query):
        out[key][status] = n
    return out
