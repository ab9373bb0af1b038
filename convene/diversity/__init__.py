from flask import Blueprint

bp = Blueprint("diversity", __name__)

from . import views  # noqa: E402,F401
