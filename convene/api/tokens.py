"""Creating, listing, revoking and checking personal API tokens.

The secret is `cvn_` + 32 random bytes (URL-safe); only its SHA-256 is stored, so a leaked
database gives no working token. Creation and revocation are audited; use is recorded as a
last-used time on the token.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..audit.services import record
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from ..tokens.services import digest_of
from .models import ApiToken

PREFIX = "cvn_"
#: Live tokens one account may hold.
MAX_LIVE_TOKENS = 20
#: last_used_at is written at most this often per token.
USE_RESOLUTION = timedelta(minutes=1)


class TokenError(DomainError):
    """A token cannot be created or revoked as asked; the message says why."""


class UnknownToken(TokenError):
    """No such token on this account (another account's token looks the same): a 404."""

    status = 404


def may_hold_tokens(user) -> bool:
    """Organizers, staff and admins: every signed-in role."""
    return bool(user.is_authenticated and user.active and (user.is_organizer or user.is_staff))


def create(user, name: str) -> tuple[ApiToken, str]:
    """A new live token for the user, and its secret (shown once)."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise TokenError("Give the token a name, such as “CRM sync”, so you know what uses it.")
    if not may_hold_tokens(user):
        raise TokenError("Only organizers and staff can create API tokens.")
    if len(live_tokens(user)) >= MAX_LIVE_TOKENS:
        raise TokenError(f"You already have {MAX_LIVE_TOKENS} live tokens; revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, digest=digest_of(secret), prefix=secret[:10])
    db.session.add(token)
    record("api_token.create", token, actor=user, changes={"name": [None, name]})
    return token, secret


def live_tokens(user) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def tokens_of(user) -> list[ApiToken]:
    """The user's tokens, live first, newest first."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                             ApiToken.id.desc())))


def revoke(user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another account's token is 'not found')."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise UnknownToken("There is no such token on your account.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", token, actor=user, changes={"name": [token.name, None]})
    return token


def authenticate(header: str | None) -> ApiToken | None:
    """The live token of an `Authorization: Bearer …` header whose owner may still sign in; else None."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    wanted = digest_of(secret)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.digest == wanted))
    if token is None or not hmac.compare_digest(token.digest, wanted) or token.revoked_at is not None:
        return None
    if not may_hold_tokens(token.user):
        return None
    return token


def mark_used(token: ApiToken) -> bool:
    """Record the use (at most once per USE_RESOLUTION); True when the row changed and needs a commit."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_RESOLUTION:
        return False
    token.last_used_at = now
    return True
