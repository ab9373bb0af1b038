from flask import Blueprint

bp = Blueprint("notes", __name__)

from . import views  # noqa: E402,F401
