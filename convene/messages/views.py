"""The Messages pages: every kind of message with its state per language, an edit page per kind and
language with a preview and "reset to default", at the convening's, the series' and the site's level;
and the series' sender name and reply-to."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.policy import load_convening, manages_series, role_required
from ..convenings.models import Convening, Series
from ..edge import on_refusal
from ..errors import StaleEdit
from ..extensions import db
from ..i18n.locale import LANGUAGES
from ..invitations.invitation_template import LANGUAGE_NAMES
from .forms import MessageTextForm, SenderForm
from .kinds import KINDS, Kind
from .models import SITE, MessageText, scope_of
from .preview import kinds_at, languages_of, preview, preview_choices, states
from .sender import save_sender
from .services import default_text, reset_text, save_text, saved_texts

bp = Blueprint("messages", __name__)

STALE = ("Another organizer saved this text meanwhile; theirs is now in effect. "
         "Your text is kept below: save again to replace theirs.")


@dataclass
class Place:
    """Where texts are edited: a convening (its series' texts shown beneath), a series, or the site."""

    level: str
    convening: Convening | None = None
    series: Series | None = None

    @property
    def scopes(self) -> list[str]:
        """This level's scope, then the ones beneath it that its readers fall back on."""
        if self.level == "site":
            return [SITE]
        own = [scope_of(convening_id=self.convening.id)] if self.convening is not None else []
        return own + ([scope_of(series_id=self.series.id)] if self.series is not None else [])

    def url(self, what: str, **values) -> str:
        ids = ({"convening_id": self.convening.id} if self.level == "convening" else
               {"series_id": self.series.id} if self.level == "series" else {})
        return url_for(f"messages.{self.level}_{what}", **ids, **values)

    def owner(self) -> dict:
        """The keyword arguments naming this level for messages.services."""
        return {"convening": self.convening} if self.level == "convening" else (
            {"series": self.series} if self.level == "series" else {})


def _convening_place(convening_id: int) -> Place:
    convening = load_convening(convening_id, need="manage")
    return Place("convening", convening, convening.series or (convening.parent.series if convening.parent else None))


def _series_place(series_id: int) -> Place:
    series = db.session.get(Series, series_id) or abort(404)
    if not manages_series(current_user, series):
        abort(403)
    return Place("series", series=series)


def _kind(place: Place, name: str, code: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None or place.level not in kind.levels or code not in languages_of(kind):
        abort(404)
    return kind


# --- the lists ------------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/messages")
@role_required("organizer")
def convening_index(convening_id: int):
    """Every message of the convening with, per language, the text its readers get."""
    return _index(_convening_place(convening_id))


@bp.route("/series/<int:series_id>/messages")
@role_required("organizer")
def series_index(series_id: int):
    """The series' default texts (its convenings' readers get them unless a convening has its own) and sender."""
    place = _series_place(series_id)
    return _index(place, sender_form=SenderForm(obj=_SenderValues(place.series)))


@bp.route("/messages/site")
@role_required("admin")
def site_index():
    """The site-wide texts: messages not sent about one convening (the staff digest)."""
    return _index(Place("site"))


def _index(place: Place, **extra) -> str:
    kinds = kinds_at(place.level)
    saved = saved_texts(place.scopes, [k.name for k in kinds])
    return render_template("messages/index.html", place=place, convening=place.convening, kinds=kinds,
                           states=states(kinds, place.scopes, saved), language_names=LANGUAGE_NAMES,
                           site_kinds=kinds_at("site") if place.level != "site" else [], **extra)


class _SenderValues:
    def __init__(self, series: Series):
        self.from_name, self.reply_to = series.mail_from_name, series.mail_reply_to


@bp.route("/series/<int:series_id>/messages/sender", methods=("POST",))
@role_required("organizer")
def series_sender(series_id: int):
    """Save the series' sender name and reply-to (problems flashed on the series' Messages page)."""
    place = _series_place(series_id)
    form = SenderForm()
    on_refusal(redirect_to=place.url("index"), code=303)
    save_sender(place.series, form.data, actor=current_user)
    db.session.commit()
    flash("Sender saved.", "success")
    return redirect(place.url("index"), code=303)


# --- one text -------------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/messages/<kind>/<language>", methods=("GET", "POST"))
@role_required("organizer")
def convening_edit(convening_id: int, kind: str, language: str):
    place = _convening_place(convening_id)
    if kind == "invitation":  # the invitation's own page (with its fallbacks between languages)
        return redirect(url_for("invitations.template", convening_id=convening_id, language=language))
    return _edit(place, _kind(place, kind, language), language)


@bp.route("/series/<int:series_id>/messages/<kind>/<language>", methods=("GET", "POST"))
@role_required("organizer")
def series_edit(series_id: int, kind: str, language: str):
    place = _series_place(series_id)
    return _edit(place, _kind(place, kind, language), language)


@bp.route("/messages/site/<kind>/<language>", methods=("GET", "POST"))
@role_required("admin")
def site_edit(kind: str, language: str):
    place = Place("site")
    return _edit(place, _kind(place, kind, language), language)


def _edit(place: Place, kind: Kind, code: str):
    """Edit one text: the form starts from what readers get now; saving checks it (problems listed above it)."""
    texts = {t.scope: t for t in saved_texts(place.scopes, [kind.name]) if t.language == code}
    own = texts.get(place.scopes[0])
    beneath = next((texts[s] for s in place.scopes[1:] if s in texts), None)
    start = own or beneath
    subject, body = (start.subject, start.body) if start else default_text(kind, code)
    form = MessageTextForm(obj=own) if own else MessageTextForm(data={"subject": subject, "body": body})
    page = partial(_edit_page, place, kind, code, form, own, beneath)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page([str(error)]), flashed=False)
        on_refusal(StaleEdit, render=lambda error: page([STALE]), form=form, flashed=False)
        save_text(kind, form.data, current_user, code, current=own, **place.owner())
        db.session.commit()
        flash(f"{kind.label} text saved ({LANGUAGE_NAMES[code]}).", "success")
        return redirect(place.url("edit", kind=kind.name, language=code))
    return page([])


def _edit_page(place: Place, kind: Kind, code: str, form, own: MessageText | None, beneath: MessageText | None,
               problems: list[str]) -> str:
    guests = preview_choices(place.convening) if place.convening is not None else []
    chosen = request.args.get("preview", type=int)
    invitation = next((g for g in guests if g.id == chosen), guests[0] if guests else None)
    shown = preview(kind, code, own or beneath, convening=place.convening, invitation=invitation)
    return render_template("messages/edit.html", place=place, convening=place.convening, kind=kind, language=code,
                           languages=languages_of(kind), language_names=LANGUAGE_NAMES, form=form, own=own,
                           beneath=beneath, problems=problems, guests=guests, invitation=invitation,
                           shown=shown, all_languages=LANGUAGES)


@bp.route("/convenings/<int:convening_id>/messages/<kind>/<language>/reset", methods=("POST",))
@role_required("organizer")
def convening_reset(convening_id: int, kind: str, language: str):
    place = _convening_place(convening_id)
    return _reset(place, _kind(place, kind, language), language)


@bp.route("/series/<int:series_id>/messages/<kind>/<language>/reset", methods=("POST",))
@role_required("organizer")
def series_reset(series_id: int, kind: str, language: str):
    place = _series_place(series_id)
    return _reset(place, _kind(place, kind, language), language)


@bp.route("/messages/site/<kind>/<language>/reset", methods=("POST",))
@role_required("admin")
def site_reset(kind: str, language: str):
    place = Place("site")
    return _reset(place, _kind(place, kind, language), language)


def _reset(place: Place, kind: Kind, code: str):
    """Delete this level's text (audited): its readers get the series' text, or the default wording."""
    if reset_text(kind, code, current_user, **place.owner()):
        db.session.commit()
        flash(f"{kind.label} ({LANGUAGE_NAMES[code]}): back to the default.", "success")
    back = (url_for("invitations.template", convening_id=place.convening.id, language=code)
            if kind.name == "invitation" and place.level == "convening" else place.url("edit", kind=kind.name,
                                                                                        language=code))
    return redirect(back, code=303)
