"""An attendee's travel dates: when they arrive and leave, for the venue list (hotel nights, meals).

Only the attendee gives them, from their home page while they are attending; the organizers read
them on the venue list (printables.services).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from ..audit.services import apply_changes, record
from ..errors import DomainError
from ..templating import long_date
from .lifecycle import VIA_LINK
from .models import Invitation

#: How far from the convening's own dates travel may reasonably start or end.
TRAVEL_WINDOW = timedelta(days=14)


class TravelError(DomainError):
    """Travel dates that cannot be right for this convening."""


def travel_problem(invitation: Invitation, arrives_on: date | None, departs_on: date | None) -> tuple[str, str] | None:
    """(field, message) when the dates cannot be right for this convening, else None."""
    convening = invitation.convening
    earliest, latest = convening.starts_on - TRAVEL_WINDOW, convening.ends_on + TRAVEL_WINDOW
    if arrives_on and not earliest <= arrives_on <= convening.ends_on:
        return "arrives_on", _("Your arrival must be between %(earliest)s and the last day of the convening.",
                               earliest=long_date(earliest))
    if departs_on and not convening.starts_on <= departs_on <= latest:
        return "departs_on", _("Your departure must be between the first day of the convening and %(latest)s.",
                               latest=long_date(latest))
    if arrives_on and departs_on and departs_on < arrives_on:
        return "departs_on", _("Your departure cannot be before your arrival.")
    return None


def save_travel(invitation: Invitation, arrives_on: date | None, departs_on: date | None) -> bool:
    """Record the attendee's travel dates (audited); False when nothing changed.

    Raises TravelError when the invitation is not one the attendee is coming to, or the dates
    cannot be right for this convening.
    """
    if invitation.status != "accepted":
        raise TravelError(_("Travel dates can be given once you have accepted the invitation."))
    problem = travel_problem(invitation, arrives_on, departs_on)
    if problem:
        raise TravelError(problem[1], field=problem[0])
    changes = apply_changes(invitation, {"arrives_on": arrives_on, "departs_on": departs_on},
                            ("arrives_on", "departs_on"))
    if changes:
        record("invitation.travel", invitation, actor_label=VIA_LINK, changes=changes)
    return bool(changes)
