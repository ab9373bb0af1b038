from flask import Blueprint

bp = Blueprint("ics", __name__)

from . import views  # noqa: E402,F401
