"""gunicorn settings for Convene (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py 'convene:create_app()'

Every value can be changed with an environment variable, so the same file serves a small
machine, a large one and `make soak`.
"""
import multiprocessing
import os

#: The reverse proxy connects here; never bind a public address (the proxy serves TLS and /static).
bind = os.environ.get("CONVENE_BIND", "127.0.0.1:8000")
#: Requests are short and mostly wait on PostgreSQL: 2 per core plus one is gunicorn's usual advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
#: A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("CONVENE_WORKER_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
#: Replace each worker after about a thousand requests, so a slow leak never grows.
max_requests = int(os.environ.get("CONVENE_MAX_REQUESTS", 1000))
max_requests_jitter = max_requests // 10
#: Access and error logs on stderr (journald keeps them). The app attaches a filter to the
#: gunicorn.access and gunicorn.error loggers that replaces personal-link tokens with [token]
#: (the error log prints a failed request's path); the Referer is left out because it can carry
#: another site's secrets. %({x-request-id}o)s matches the line to the app's JSON log.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
errorlog = "-"
#: The proxy on this machine may set X-Forwarded-Proto; the app's PROXY_HOPS decides what else is believed.
forwarded_allow_ips = os.environ.get("CONVENE_FORWARDED_ALLOW_IPS", "127.0.0.1")
