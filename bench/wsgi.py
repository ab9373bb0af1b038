"""The WSGI entry gunicorn serves during the throughput comparison (bench/throughput.py).

The real app on the benchmark database, plus one minimal route added here (not in the app's
code) so both are measured on the same server, workers and middleware.
"""
from __future__ import annotations

import os

from .run import make_app

app = make_app(os.environ["CONVENE_BENCH_DATABASE_URL"])


@app.route("/__bench__/minimal")
def minimal():
    """The floor: a route that does no work of its own."""
    return "ok"
