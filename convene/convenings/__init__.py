from flask import Blueprint

bp = Blueprint("convenings", __name__)

from . import views  # noqa: E402,F401
