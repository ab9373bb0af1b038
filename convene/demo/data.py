"""The demo data set (placeholder: accounts only; the full set is built in a later step)."""
from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import User
from ..convenings.models import Convening
from ..extensions import db

DEMO_PASSWORD = "convene-demo-2026"
DEMO_LOGINS = (
    ("organizer", "organizer@demo.convene.test", DEMO_PASSWORD),
    ("staff", "staff@demo.convene.test", DEMO_PASSWORD),
    ("admin", "admin@demo.convene.test", DEMO_PASSWORD),
)


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Convening.id))) == 0


def _account(role: str, email: str, name: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    return user


def load_demo() -> str:
    names = {"organizer": "Amina Okafor", "staff": "Jonas Lindqvist", "admin": "Priya Raman"}
    for role, email, _ in DEMO_LOGINS:
        _account(role, email, names[role])
    return "Demo accounts ready."
