"""The signed-in home page: my convenings, what is coming, what is overdue."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..actions.models import ActionItem
from ..auth.policy import signed_in, visible_convening_ids
from ..convenings.models import Convening, convening_organizers
from ..extensions import db
from .standing import ANSWERS, standings, upcoming_for

bp = Blueprint("dashboard", __name__)

OPEN_ACTION_STATUSES = ("open", "in_progress")


@bp.route("/")
def index():
    """Signed in: the dashboard. Otherwise: the sign-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return dashboard()


@signed_in
def dashboard():
    today = date.today()
    mine = db.session.scalars(
        sa.select(Convening).join(convening_organizers)
        .where(convening_organizers.c.user_id == current_user.id)
        .options(selectinload(Convening.dialogues)).order_by(Convening.starts_on.desc()).limit(20)).all()
    upcoming = upcoming_for(current_user, today)
    visible = visible_convening_ids(current_user)
    overdue_query = (sa.select(sa.func.count(ActionItem.id))
                     .where(ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_on < today))
    if visible is not None:
        overdue_query = overdue_query.where(ActionItem.convening_id.in_(visible))
    return render_template("dashboard/index.html", mine=mine, upcoming=upcoming,
                           overdue_count=db.session.scalar(overdue_query), today=today,
                           standings=standings(current_user, today, upcoming) if current_user.is_organizer else [],
                           answers=ANSWERS)
