"""Following next steps up outside the app: owners' personal links, staff calendar feeds, the digest."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..auth.models import Role, User
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..invitations import links as invitation_links
from ..invitations.models import Invitation
from ..mail.services import queue_message
from ..mail.wording import RenderedMessage
from ..messages.services import compose
from ..people.models import Person
from ..tokens import services as tokens
from ..tokens.models import Purpose
from ..urls import absolute_url
from .board import FOLLOWED
from .models import ActionItem, ActionStatus, ActionUpdate, DigestRun
from .services import ActionError

#: Longest list in one digest e-mail; the rest is on the board.
DIGEST_LIMIT = 100


def step_url(action: ActionItem) -> str:
    """The staff page of a next step, as e-mails and calendar files link to it."""
    return absolute_url("actions.detail", action_id=action.id)


# --- owners' personal links -----------------------------------------------------------------

def owner_link_url(raw: str) -> str:
    return absolute_url("actions.owner_page", token=raw)


def owners_invitation(action: ActionItem) -> Invitation | None:
    """The owner's invitation to the step's convening (or its conference), if they have one.

    An owner who was invited reaches their next steps through their one personal link for that
    convening (/my/<token>/next-steps), like every other message about it; only owners without
    an invitation (someone named from outside the room) get a link of their own.
    """
    if action.owner_person_id is None:
        return None
    convening = action.convening
    ids = convening.with_conference_ids
    return db.session.scalar(
        sa.select(Invitation).where(Invitation.person_id == action.owner_person_id,
                                    Invitation.convening_id.in_(ids),
                                    Invitation.status.not_in(("planned", "withdrawn")))
        .order_by(sa.case((Invitation.convening_id == convening.id, 0), else_=1), Invitation.id).limit(1))


def owner_link(action: ActionItem, actor, *, send: bool = True) -> tuple[str, bool]:
    """The link an owner follows to their next steps, e-mailed when send is set: (url, is a new link).

    An invited owner's is their invitation link, opened on their next steps (nothing is revoked,
    every earlier e-mail keeps working); anyone else gets a new owner link (issue_owner_link).
    """
    person = action.owner_person
    invitation = owners_invitation(action)
    if invitation is None:
        return issue_owner_link(person, actor, send=send), True
    if person.erased_at is not None:
        raise ActionError("This person's data was erased; they cannot be given a link.")
    if send and not person.email:
        raise ActionError(f"{person.name} has no e-mail address on file; add one or copy the link instead.")
    url = invitation_links.home_url(invitation, "actions.my_steps")
    record("action.owner_link" if send else "action.owner_link_copy", person, actor=actor,
           changes={"sent": [None, send], "invitation_id": [None, invitation.id]})
    if send:
        _mail_owner(person, url, same_link=True, convening=invitation.convening)
    return url, False


def remind_owners(actions: list[ActionItem], actor) -> tuple[int, list[str]]:
    """E-mail each person who owns some of these reviewed next steps their link, once: (owners e-mailed,
    a sentence for each next step or owner skipped). Each e-mail is audited as `owner_link` is."""
    sent, skipped, seen = 0, [], set()
    for action in actions:
        person = action.owner_person
        if person is None or action.status == ActionStatus.DRAFT.value:
            skipped.append(f"“{action.text[:60]}”: " + ("still a draft." if person is not None
                                                         else "not owned by a person."))
            continue
        if person.id in seen:
            continue
        seen.add(person.id)
        try:
            with db.session.begin_nested():
                owner_link(action, actor, send=True)
            sent += 1
        except ActionError as error:
            skipped.append(f"{person.name}: {error}")
    return sent, skipped


def _mail_owner(person: Person, url: str, *, same_link: bool, convening=None) -> None:
    """The owner's link by e-mail, in their language (else the convening's, when it is theirs through an invitation)."""
    open_steps = db.session.scalar(sa.select(sa.func.count(ActionItem.id)).where(
        ActionItem.owner_person_id == person.id, ActionItem.status.in_(FOLLOWED)))
    with language(attendee_language(person, convening)):
        words = compose("owner_link", convening, name=person.display_name, open_steps=open_steps, link=url,
                        same_link=same_link)
    queue_message(to_address=person.email, to_name=person.name, kind="owner_link", person_id=person.id,
                  subject=words.subject, text=words.text)


def issue_owner_link(person: Person, actor, *, send: bool = True) -> str:
    """A new personal link for an owner (the old one stops working); e-mailed when send is set.

    Returns the link. Without send, someone is about to see it to pass it on by hand: that is
    audited as its own action (action.owner_link_copy), apart from sending (action.owner_link).
    """
    if person.erased_at is not None:
        raise ActionError("This person's data was erased; they cannot be given a link.")
    if send and not person.email:
        raise ActionError(f"{person.name} has no e-mail address on file; add one or copy the link instead.")
    raw = tokens.issue(Purpose.OWNER, person_id=person.id)
    url = owner_link_url(raw)
    record("action.owner_link" if send else "action.owner_link_copy", person, actor=actor,
           changes={"sent": [None, send]})
    if send:
        _mail_owner(person, url, same_link=False)
    return url


def revoke_owner_link(person: Person, actor) -> int:
    count = tokens.revoke(Purpose.OWNER, person_id=person.id)
    record("action.owner_link_revoked", person, actor=actor, changes={"revoked": [None, count]})
    return count


def owner_steps(person: Person, convening_ids: list[int] | None = None) -> list[ActionItem]:
    """What an owner sees on their page: reviewed next steps they own, open ones first (only those
    of `convening_ids` when given: the attendee home shows one convening's)."""
    query = sa.select(ActionItem).where(ActionItem.owner_person_id == person.id,
                                        ActionItem.status != ActionStatus.DRAFT.value)
    if convening_ids is not None:
        query = query.where(ActionItem.convening_id.in_(convening_ids))
    return list(db.session.scalars(
        query
        .options(joinedload(ActionItem.convening), joinedload(ActionItem.session), selectinload(ActionItem.updates))
        .order_by(sa.case((ActionItem.status.in_(FOLLOWED), 0), else_=1), ActionItem.due_on.is_(None),
                  ActionItem.due_on, ActionItem.id)))


# --- staff calendar feed --------------------------------------------------------------------

def issue_feed_link(user: User) -> str:
    """A new personal VTODO feed link for a staff member; any earlier one stops working."""
    raw = tokens.issue(Purpose.FEED, user_id=user.id, convening_id=None)
    record("action.feed_link", user, actor=user, changes={"issued": [None, True]})
    return absolute_url("actions.feed", token=raw)


# --- the staff digest -----------------------------------------------------------------------

def _last_run(now: datetime) -> datetime:
    last = db.session.scalar(sa.select(sa.func.max(DigestRun.ran_at)).where(DigestRun.ran_at < now))
    return last or now - timedelta(days=7)


def _overdue(now: datetime) -> list[ActionItem]:
    return list(db.session.scalars(
        sa.select(ActionItem).where(ActionItem.due_on < now.date(), ActionItem.status.in_(FOLLOWED))
        .options(joinedload(ActionItem.convening), joinedload(ActionItem.owner_person),
                 joinedload(ActionItem.owner_organization), joinedload(ActionItem.owner_user))
        .order_by(ActionItem.due_on, ActionItem.id).limit(DIGEST_LIMIT + 1)))


def _progress_since(since: datetime, now: datetime) -> list[ActionUpdate]:
    return list(db.session.scalars(
        sa.select(ActionUpdate).where(ActionUpdate.at > since, ActionUpdate.at <= now, ActionUpdate.note != "")
        .options(joinedload(ActionUpdate.action).joinedload(ActionItem.convening),
                 joinedload(ActionUpdate.author_user), joinedload(ActionUpdate.author_person))
        .order_by(ActionUpdate.at, ActionUpdate.id).limit(DIGEST_LIMIT + 1)))


def digest_message(overdue: list[ActionItem], progress: list[ActionUpdate], since: datetime,
                   now: datetime) -> RenderedMessage:
    """The digest e-mail (plain text, English like the staff screens): overdue steps and new progress notes,
    at most DIGEST_LIMIT of each; the site-wide text organizers wrote in place of the default, if any."""
    more_overdue, more_progress = len(overdue) > DIGEST_LIMIT, len(progress) > DIGEST_LIMIT
    with language("en"):
        return compose("staff_digest", None, overdue=overdue[:DIGEST_LIMIT], progress=progress[:DIGEST_LIMIT],
                       more_overdue=more_overdue, more_progress=more_progress, step_url=step_url,
                       date=now.strftime("%d %B %Y %H:%M"), since=since.strftime("%d %B %Y %H:%M"),
                       overdue_count=f"{min(len(overdue), DIGEST_LIMIT)}{'+' if more_overdue else ''}",
                       progress_count=f"{min(len(progress), DIGEST_LIMIT)}{'+' if more_progress else ''}",
                       board_link=absolute_url("actions.board"))


def send_staff_digest(now: datetime) -> int:
    """Queue one digest per active staff user (overdue items, progress notes since the last digest)."""
    since = _last_run(now)
    overdue, progress = _overdue(now), _progress_since(since, now)
    queued = 0
    if overdue or progress:
        words = digest_message(overdue, progress, since, now)
        staff = db.session.scalars(sa.select(User).where(
            User.role.in_([Role.STAFF.value, Role.ADMIN.value]), User.active.is_(True)).order_by(User.id))
        for user in staff:
            queue_message(to_address=user.email, to_name=user.name, subject=words.subject, text=words.text,
                          kind="staff_digest", dedupe_key=f"next-steps-digest:{user.id}:{now:%Y-%m-%dT%H:%M}")
            queued += 1
    db.session.add(DigestRun(ran_at=now, messages_queued=queued))
    record("action.digest", None, actor_label="next-steps digest", object_type="DigestRun",
           changes={"queued": [None, queued], "since": [None, since.isoformat()]})
    db.session.flush()
    return queued
