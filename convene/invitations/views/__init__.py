"""Routes of the invitations area on its one blueprint, `bp`, one module per audience and task.

- `guests`: the organizers' guest list, one invitee's entry, nominations and reserves, the status board;
- `bulk`: the guest list's bulk actions (a confirmation, then the action on the selection);
- `mailing`: the invitation e-mail's text and preview, the reminder schedule;
- `list_files`: importing the guest list from a file and exporting it;
- `invitee`: the invitee's own pages under /my/<token>.

`common` creates the blueprint; importing this package adds every module's routes to it.
"""
from . import bulk, guests, invitee, list_files, mailing  # each adds its routes to bp
from .common import bp

__all__ = ["bp", "bulk", "guests", "invitee", "list_files", "mailing"]
