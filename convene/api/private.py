"""What a token holder may read: the same queries and the same access rules as their HTML pages.

Each function takes the acting user (the token's owner) and plain arguments, never the request.
Access is decided by auth.policy exactly as for the pages: guest counts and balance figures as
the guest-list status page and the balance dashboard (staff see balance figures with small cells
suppressed, as on screen), next steps as the board, the outbox as the outbox page (not staff).
"""
from __future__ import annotations

from typing import Mapping

import sqlalchemy as sa

from ..actions import board
from ..auth.policy import manages, visible_convening_ids
from ..diversity.classification import classification_info
from ..diversity.counting import mask_for, tallies
from ..base.suppression import HIDDEN_TEXT
from ..diversity.suppression import cells as balance_cells, shown_dimensions
from ..diversity.models import Stage
from ..extensions import db
from ..invitations.models import Invitation, InvitationStatus
from ..mail.models import OutboxMessage
from .services import ApiError, Page


def guest_counts(convening) -> list[dict]:
    """Invitations per status, every status listed (zeros too), in the guest list's order."""
    counts = dict(db.session.execute(sa.select(Invitation.status, sa.func.count()).where(
        Invitation.convening_id == convening.id).group_by(Invitation.status)).all())
    return [{"status": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in InvitationStatus]


def balance(user, convening) -> dict:
    """The balance dashboard's tables: per dimension and stage, each category's count and share."""
    suppress = not manages(user, convening)
    tally = tallies([convening.id], classification_info().classifier,
                    mask=None if suppress else mask_for(user))[convening.id]
    dimensions = []
    for dimension in shown_dimensions(suppress):
        stages = []
        for stage in Stage:
            cells = balance_cells(tally.counts[stage.value][dimension.value], tally.totals[stage.value],
                                    dimension.value, suppress)
            stages.append({"stage": stage.value, "total": tally.totals[stage.value], "cells": [
                {"category": c.category, "label": c.label,
                 "count": HIDDEN_TEXT if c.suppressed else c.count,
                 "share": None if c.suppressed or c.share is None else round(c.share, 1)} for c in cells]})
        dimensions.append({"dimension": dimension.value, "label": dimension.label, "stages": stages})
    return {"small_cells_suppressed": suppress, "dimensions": dimensions}


def next_steps(user, args: Mapping[str, str]):
    """One page of the next-steps board as the user sees it, with the board's filters."""
    filters = board.BoardFilters.from_args(args).resolve()
    if filters.errors:
        raise ApiError(" ".join(filters.errors))
    return board.board_page(user, filters)


OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


def outbox(user, args: Mapping[str, str], page: int, per_page: int) -> tuple[dict[str, int], Page]:
    """Counts per delivery state and one page of messages, newest first, in the outbox page's scope."""
    scope = sa.true() if user.is_admin else OutboxMessage.convening_id.in_(visible_convening_ids(user))
    status = args.get("status") or ""
    if status and status not in OUTBOX_STATUSES:
        raise ApiError("status must be one of " + ", ".join(OUTBOX_STATUSES) + ".")
    counts = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).where(scope)
                                     .group_by(OutboxMessage.status)).all())
    query = sa.select(OutboxMessage).where(scope).options(
        sa.orm.defer(OutboxMessage.text), sa.orm.defer(OutboxMessage.html), sa.orm.defer(OutboxMessage.calendar),
        sa.orm.joinedload(OutboxMessage.convening))
    if status:
        query = query.where(OutboxMessage.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.with_only_columns(OutboxMessage.id).order_by(None).subquery()))
    rows = db.session.scalars(query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return {s: counts.get(s, 0) for s in OUTBOX_STATUSES}, Page(list(rows), page, per_page, total)
