"""Responses kept per content version, shared by the processes that serve them.

Calendar clients poll feeds every few minutes and anonymous visitors read the same public
pages, while a published agenda changes only when a new version is published, the convening is
edited or someone named in it changes. So such a response is served under a tag made of
everything it shows (`content_tag`): a client that already has that tag gets a 304 before
anything is built, and the bytes of a tag are built once and kept in a store every process
shares: Redis when `CACHE_URL` names one (several gunicorn processes or machines), else a
bounded in-process memory (the embedded default). A tag never serves stale bytes: a change makes
a new tag, and the old entry ages out.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import Callable

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, session
from flask_login import current_user

from .config import STAMP_BIND
from .extensions import db
from .i18n.locale import current_language

log = logging.getLogger(__name__)


class MemoryStore:
    """An LRU of bytes bounded by their total size, for one process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def set(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size += len(data) - (len(old) if old else 0)
            self._items[key] = data
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


class RedisStore:
    """Entries shared by every process that reaches the Redis server; they expire after `seconds`.

    A Redis that does not answer costs a rebuild, never a failed request.
    """

    PREFIX = "convene:response:"

    def __init__(self, url: str, seconds: int):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.seconds = seconds

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(self.PREFIX + key)
        except Exception as error:  # noqa: BLE001 - the cache is an optimisation: build instead
            log.warning("response cache: Redis get failed (%s); building the response", error)
            return None

    def set(self, key: str, data: bytes) -> None:
        try:
            self.client.set(self.PREFIX + key, data, ex=self.seconds)
        except Exception as error:  # noqa: BLE001
            log.warning("response cache: Redis set failed (%s)", error)


def init_app(app: Flask) -> None:
    url = app.config.get("CACHE_URL") or "memory://"
    if url.startswith("memory://"):
        store = MemoryStore(int(app.config.get("CACHE_MAX_BYTES", 64 * 1024 * 1024)))
    elif url.startswith(("redis://", "rediss://", "unix://")):
        store = RedisStore(url, int(app.config.get("CACHE_SECONDS", 86_400)))
    else:
        raise ValueError(f"CACHE_URL must be memory:// or a redis:// URL, not {url!r}")
    app.extensions["response_cache"] = store


def store() -> "MemoryStore | RedisStore":
    """The shared store of this app (also for kept intermediate results, such as a series' counts)."""
    return current_app.extensions["response_cache"]


def read_stamp(statement, params: dict):
    """The one row a kept response is chosen by (its version stamp), or None.

    Read on a connection of its own in autocommit, outside the request's ORM session: no BEGIN
    and no ROLLBACK around it (on PostgreSQL two of the four round trips of a one-query request
    in the session, with the pool's ping the third; they are most of its time) and nothing
    loaded into the session. Only for
    reads whose answer the response's tag holds: the body, when it must be built, is read again
    in the request's session.

    On PostgreSQL the read goes through an engine of its own (config.STAMP_BIND) whose pool does
    not ping a connection before lending it: a connection the database cut since is noticed by
    the read itself, which is then retried once on a new connection (the pool drops the old ones).
    A repeat request is then one round trip to the database.
    """
    engine = db.engines.get(STAMP_BIND) or db.engine
    for attempt in (1, 2):
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                return connection.execute(statement, params).first()
        except sa.exc.DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise


def content_tag(*parts) -> str:
    """A short, stable tag for everything a file shows (ids, versions, times, names, the link base)."""
    text = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()[:32]


#: `serve(..., last_modified=WHEN_CHANGED)`: Last-Modified is when this URL's content last changed,
#: as the store saw it. For files whose newest row time can go back (an item leaves a feed), or
#: whose content follows rows without a time (a name, a venue), the newest row time is no validator.
WHEN_CHANGED = object()


def serve(parts: tuple, build: Callable[[], bytes], respond: Callable[[bytes], Response], *,
          last_modified, cache_control: str) -> Response:
    """The response for `parts`: 304 when the client has it, else the kept bytes, else built and kept.

    `parts` must name everything the body shows (the URL root, BASE_URL and the language are added here). `respond(data)`
    wraps the bytes (content type, file name). ETag and Last-Modified come from the content, so
    both change whenever it changes: `last_modified` is the content's newest change, or
    WHEN_CHANGED (above). A client holding the current ETag, or asking If-Modified-Since that
    moment or later, gets a 304 before anything is built or read from the store.
    """
    tag = content_tag(request.url_root, current_app.config.get("BASE_URL"), current_language(), *parts)
    store = current_app.extensions["response_cache"]
    changed = _when_changed(store, tag) if last_modified is WHEN_CHANGED else last_modified
    if tag in request.if_none_match or _not_modified_since(changed):
        response = Response(status=304)
    else:
        data = store.get(tag)
        if data is None:
            data = build()
            store.set(tag, data)
        response = respond(data)
    response.set_etag(tag)
    if changed is not None:
        response.last_modified = changed
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)


def _not_modified_since(changed: datetime | None) -> bool:
    """If-Modified-Since answers only when no If-None-Match was sent (RFC 9110 13.1.3)."""
    since = request.if_modified_since
    return (not request.if_none_match and since is not None and changed is not None
            and changed.replace(microsecond=0) <= since)


def _when_changed(store, tag: str) -> datetime:
    """When this URL first served `tag`: kept as "tag moment"; a new tag gets a moment later than
    the one before it (at least a second, the resolution of HTTP dates), so an If-Modified-Since
    poll sees every change, even two in one second."""
    key = "changed:" + content_tag(request.url_root, request.full_path)
    kept_tag, _, kept_at = (store.get(key) or b"").decode("ascii", "replace").partition(" ")
    before = _moment(kept_at)
    if kept_tag == tag and before is not None:
        return before
    moment = datetime.now(timezone.utc).replace(microsecond=0)
    if before is not None:
        moment = max(moment, before + timedelta(seconds=1))
    store.set(key, f"{tag} {moment.isoformat()}".encode("ascii"))
    return moment


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


#: Anonymous public pages may be kept by shared caches for five minutes, then revalidated.
PUBLIC_PAGE_CACHE = "public, max-age=300"


def anonymous_page(parts: tuple, render: Callable[[], str], *, last_modified: datetime | None) -> Response:
    """A public page whole for visitors who are not signed in, kept per content version.

    Such a visitor's page holds nothing of theirs (no name, no form token, no message), so one
    rendering serves them all until `parts` change. A signed-in visitor, or one with a message
    waiting, gets the page rendered for them and never stored.
    """
    if current_user.is_authenticated or session.get("_flashes"):
        return current_app.make_response(render())
    response = serve(("page", request.path, request.query_string, *parts), lambda: render().encode("utf-8"),
                     lambda data: Response(data, mimetype="text/html"), last_modified=last_modified,
                     cache_control=PUBLIC_PAGE_CACHE)
    response.vary.add("Cookie")
    return response
