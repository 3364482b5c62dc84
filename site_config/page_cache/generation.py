"""The content generation: which state of the content a cached page was rendered from.

Its one source is the database. Every transaction that changes content inserts one
`ContentChange` row with a random token, in that same transaction (the receiver is
wired to every content model in `causes/signals.py`), so the generation can never miss
a change: it commits or rolls back with it, whatever Redis is doing. Rows are only
inserted, never updated, so concurrent editors never queue behind one shared row (nor
deadlock with the entry and index locks the editorial service takes).

The generation is the newest row's token *and the number of rows*. The count matters on
PostgreSQL: two transactions may commit in the opposite order to their row ids, and the
later commit of the lower id must still change the generation. Pruning inserts a row of
its own in the same transaction as its delete, so a count never comes back.

A random token, not a counter, because of backups: a restored database's generation is
exactly the one its pages were rendered under, and every change made after the backup
(or after the restore) has a token of its own, so a page rendered from newer content can
never match a restored database, nor a page from before the restore a later change.

Each process keeps a copy of the generation, so a hit costs no query and no round trip.
A background thread re-reads it every PAGE_CACHE_REVALIDATE_SECONDS (and at start); a
request re-reads it itself after any notification, and on every request while no
notification channel is known to work:

- with Redis, a thread subscribed to a pub/sub channel, pinging it every HEARTBEAT
  seconds (silent for LOST_AFTER: lost); after a commit, the writer publishes. A lost or
  silent subscription counts as a notification (something may have been missed), so an
  edit made while Redis was down or hung is read from the database as soon as the
  channel works again;
- without Redis (one machine), a stamp file that every writer appends a byte to after
  its commit and every request stats (about 2 microseconds).

The shared cache keeps a mirror of the last generation read from the database, used only
while the database cannot be read (an outage: nothing commits then), so that cached pages
are still served by a process that has no copy of its own.
"""

import logging
import math
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Window

from site_config.page_cache.models import ContentChange

log = logging.getLogger(__name__)

KEEP_CHANGES = 100  # rows kept when pruning; pruned once there are twice as many
HEARTBEAT = 0.25  # seconds between pings on the subscription
LOST_AFTER = 1.0  # seconds of silence on it: lost (not less: a busy worker answers late)
RECONNECT_SECONDS = 0.5
STAMP_LIMIT = 65536  # bytes; the stamp file then starts again as a new file


def read_from_database() -> str | None:
    """The current generation, from the database; None while there is no row at all."""
    row = (
        ContentChange.objects.annotate(total=Window(Count("id")))
        .order_by("-id")
        .values_list("token", "total")
        .first()
    )
    return None if row is None else f"{row[0]}.{row[1]}"


def uses_redis() -> bool:
    return settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def channel() -> str:
    return cache.make_key("content-generation")


MIRROR_KEY = "content-generation-mirror"


def read_mirror() -> str | None:
    try:
        return cache.get(MIRROR_KEY)
    except Exception:
        return None


def write_mirror(value: str | None) -> None:
    try:
        cache.set(MIRROR_KEY, value, None)
    except Exception as error:
        log.warning("Could not mirror the content generation: %s", type(error).__name__)


# --- the write side ------------------------------------------------------------------------


def content_changed(sender=None, using=None, **kwargs) -> None:
    """Signal receiver: record a change to the content, in the transaction that makes it.

    One row per transaction: the row is recorded together with an on-commit callback,
    and both share the savepoints they were made under, so while that callback is still
    queued the row still stands (a rolled-back savepoint drops both).
    """
    using = using or DEFAULT_DB_ALIAS
    connection = connections[using]
    if connection.in_atomic_block and any(
        func is announce for _savepoints, func, *_robust in connection.run_on_commit
    ):
        return
    ContentChange.objects.using(using).create()
    transaction.on_commit(announce, using=using)


def bump() -> None:
    """Make every cached page stale, everywhere (a restore, a bulk load without signals)."""
    with transaction.atomic():
        content_changed()


def announce() -> None:
    """After a change commits: re-read here, prune old rows, tell every other process."""
    generation.notify()
    try:
        prune()
        write_mirror(read_from_database())
    except Exception:
        log.exception("Could not prune old content changes")
    try:
        if uses_redis():
            # Tried even while this process's circuit breaker is open: Redis may be back.
            from django_redis import get_redis_connection

            get_redis_connection("default").publish(channel(), b"1")
        elif settings.CONTENT_GENERATION_STAMP:
            touch_stamp(Path(settings.CONTENT_GENERATION_STAMP))
    except Exception as error:
        # The change is committed and the generation with it: other processes find it
        # when their subscription comes back or at their next re-read.
        log.warning("Could not announce a content change: %s: %s", type(error).__name__, error)


def prune() -> None:
    if ContentChange.objects.count() <= 2 * KEEP_CHANGES:
        return
    with transaction.atomic():
        newest = ContentChange.objects.create()
        ContentChange.objects.filter(id__lte=newest.id - KEEP_CHANGES).delete()


def touch_stamp(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as stamp:  # appends are atomic: the size only ever grows
        stamp.write(b".")
        size = stamp.tell()
    if size > STAMP_LIMIT:
        fresh = path.with_name(f"{path.name}.{os.getpid()}")
        fresh.write_bytes(b".")
        os.replace(fresh, path)  # a new file: another inode, which readers see


def stamp_signature(path: Path):
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_ino, status.st_size, status.st_mtime_ns)


# --- the read side -------------------------------------------------------------------------


class DatabaseUnreadable(Exception):
    """The database did not answer; `fallback` is the generation to use meanwhile."""

    def __init__(self, error: Exception, fallback: str | None):
        super().__init__(str(error))
        self.error, self.fallback = error, fallback


class Generation:
    """This process's copy of the content generation, and when it must be read again."""

    def __init__(self):
        self.value: str | None = None
        self.read_at = -math.inf
        self.heard = 0  # notifications so far; a copy read before the last one is stale
        self.heard_at_read = -1
        self.watcher: Watcher | None = None
        self.revalidator: Revalidator | None = None
        self.stamp_seen = None
        self.mirrored: str | None = None  # what this process last put in the mirror
        self.lock = threading.Lock()

    def notify(self) -> None:
        self.heard += 1

    def forget(self) -> None:
        """Read the database next time, whatever the channel says (tests, a cache fault)."""
        self.value, self.read_at = None, -math.inf
        self.notify()

    def current(self) -> str | None:
        """The generation to serve and store pages under; None: do not use the cache.

        Raises DatabaseUnreadable when this call found the database away."""
        listening = self.listening()
        if (
            listening
            and self.heard == self.heard_at_read
            and time.monotonic() - self.read_at < self.trusted_for()
        ):
            return self.value
        heard = self.heard
        try:
            return self.refresh()
        except Exception as error:
            log.warning("Could not read the content generation: %s", type(error).__name__)
            if not (listening and heard == self.heard_at_read and self.value is not None):
                # Something may have changed since this process's copy: the mirror, which
                # holds what some process last read before the database went away.
                self.value = read_mirror()
            # Nothing can commit while the database is away; ask it again in a while.
            self.read_at, self.heard_at_read = time.monotonic(), heard
            raise DatabaseUnreadable(error, self.value) from error

    def refresh(self) -> str | None:
        """Read the generation from the database into this copy (raises if it cannot)."""
        heard = self.heard  # before the read: a change announced meanwhile is re-read
        value = read_from_database()
        self.value, self.read_at, self.heard_at_read = value, time.monotonic(), heard
        if value != self.mirrored:
            write_mirror(value)
            self.mirrored = value
        return value

    @staticmethod
    def trusted_for() -> float:
        """How long a copy is used without a re-read on the request path. The Revalidator
        re-reads it every PAGE_CACHE_REVALIDATE_SECONDS in the background, so a request
        re-reads it itself only if that thread could not (the database away)."""
        seconds = settings.PAGE_CACHE_REVALIDATE_SECONDS
        return 4 * seconds if seconds > 0 else math.inf

    def start(self) -> None:
        """Start this process's threads and read a first copy in the background."""
        if settings.PAGE_CACHE_SECONDS <= 0:
            return
        with self.lock:
            if uses_redis() and (self.watcher is None or not self.watcher.is_alive()):
                self.watcher = Watcher(self)
                self.watcher.start()
            if settings.PAGE_CACHE_REVALIDATE_SECONDS > 0 and (
                self.revalidator is None or not self.revalidator.is_alive()
            ):
                self.revalidator = Revalidator(self)
                self.revalidator.start()

    def listening(self) -> bool:
        """Whether a working channel will tell this process of the next change."""
        if uses_redis():
            if self.watcher is None or not self.watcher.is_alive():
                self.start()
            return self.watcher.live
        if settings.CONTENT_GENERATION_STAMP:
            try:
                signature = stamp_signature(Path(settings.CONTENT_GENERATION_STAMP))
            except OSError:
                return False
            if signature != self.stamp_seen:
                self.stamp_seen = signature
                self.notify()
            return True
        return False


class Watcher(threading.Thread):
    """Listens on Redis pub/sub for content changes, for the process's Generation."""

    def __init__(self, generation: Generation):
        super().__init__(name="content-generation-watcher", daemon=True)
        self.generation = generation
        self.live = False

    def run(self) -> None:
        while True:
            try:
                self.listen()
            except Exception as error:
                if self.live:
                    log.warning("Lost the content generation channel: %s", type(error).__name__)
            finally:
                self.live = False
                self.generation.notify()
            time.sleep(RECONNECT_SECONDS)

    def listen(self) -> None:
        from django_redis import get_redis_connection

        pubsub = get_redis_connection("default").pubsub()
        try:
            pubsub.subscribe(channel())
            last_heard = last_ping = time.monotonic()
            while True:
                message = pubsub.get_message(timeout=HEARTBEAT / 2)
                now = time.monotonic()
                if message is not None:
                    if now - last_heard > 1.5 * HEARTBEAT:
                        self.generation.notify()  # a silence: a message may have been lost
                    last_heard = now
                    if message["type"] == "subscribe":
                        self.generation.notify()  # read the database first, then trust us
                        self.live = True
                    elif message["type"] == "message":
                        self.generation.notify()
                elif now - last_heard > LOST_AFTER:
                    raise TimeoutError("no answer on the subscription")
                if now - last_ping >= HEARTBEAT:
                    pubsub.ping()
                    last_ping = now
        finally:
            pubsub.close()


class Revalidator(threading.Thread):
    """Re-reads the generation every PAGE_CACHE_REVALIDATE_SECONDS (and once at start), so
    a missed announcement is made good and no request waits for that read."""

    def __init__(self, generation: Generation):
        super().__init__(name="content-generation-revalidator", daemon=True)
        self.generation = generation

    def run(self) -> None:
        from django.db import connection

        while True:
            try:
                self.generation.refresh()
            except Exception as error:
                log.warning("Could not re-read the content generation: %s", type(error).__name__)
            finally:
                connection.close()  # this thread's own; opened again next time
            time.sleep(settings.PAGE_CACHE_REVALIDATE_SECONDS)


generation = Generation()


def current() -> str | None:
    """This process's content generation (None: none known); never raises."""
    try:
        return generation.current()
    except DatabaseUnreadable as unreadable:
        return unreadable.fallback
