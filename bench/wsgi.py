"""The WSGI entry gunicorn serves during the throughput comparison (bench/throughput.py).

The real app on the benchmark database; `make_app` adds the minimal route (not in the app's own
code), so the pages and the floor are measured on the same server, workers and middleware.
"""
from __future__ import annotations

import os

from .run import make_app

app = make_app(os.environ["CONVENE_BENCH_DATABASE_URL"])
