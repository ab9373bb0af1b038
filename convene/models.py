"""Every area's models, imported in one place so Alembic and the app see them all."""
from .actions.models import ActionItem, ActionUpdate  # noqa: F401
from .api.models import ApiToken  # noqa: F401
from .agenda.models import AgendaSession, SessionRole  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import User  # noqa: F401
from .briefs import search as _briefs_search  # noqa: F401  (registers the full-text DDL beside the tables)
from .briefs.models import Brief, BriefRegion  # noqa: F401
from .convenings.models import Convening, Series  # noqa: F401
from .diversity import models as _diversity_models  # noqa: F401
from .invitations.models import Invitation, InvitationStatusChange  # noqa: F401
from .mail import models as _mail_models  # noqa: F401
from .messages.models import MessageText  # noqa: F401
from .notes import models as _notes_models  # noqa: F401
from .people.models import Organization, Person  # noqa: F401
from .privacy import models as _privacy_models  # noqa: F401
from .themes.models import Theme  # noqa: F401
from .tokens.models import AccessToken  # noqa: F401
from .webhooks.models import Webhook, WebhookDelivery  # noqa: F401
from .correspondence import models as _correspondence_models  # noqa: F401
