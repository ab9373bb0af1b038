from flask import Blueprint

bp = Blueprint("invitations", __name__)

from . import views  # noqa: E402,F401
