"""Public pages for anonymous visitors, served from the shared cache.

Every stored page carries the *content generation* it was rendered under, a counter kept
in the same cache. Any change to the content, on any app server, bumps the counter after
its transaction commits (and announces it over Redis pub/sub), so every page stored
before the change stops matching at once, everywhere: no list of affected pages to get
wrong.

A hit costs no round trip when it can: each process keeps its recent pages and learns of
bumps from the announcement (GenerationWatcher); without Redis pub/sub it asks the cache.

Responses carry `Cache-Control: public, max-age=...` and an ETag; ConditionalGetMiddleware
answers a matching If-None-Match with 304, so browsers and a CDN revalidate cheaply.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

log = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
RECENT_PAGES = 256  # per worker process; ~15 KB each
NEVER_CACHED = ("/admin/", "/healthz", "/static/")


class GenerationWatcher:
    """This process's copy of the content generation, kept current by Redis pub/sub.

    Asking Redis for the generation on every hit costs a round trip, a third of a cached
    page's time. Instead each process subscribes once: a bump is published the moment it
    is made, so every process learns of it within a millisecond or so, and a hit needs no
    round trip at all. While not subscribed (starting, Redis lost, or a cache without
    pub/sub such as local memory) it asks the cache every time, as before.
    """

    def __init__(self):
        self.value: int | None = None  # None: not subscribed, ask the cache
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def current(self) -> int:
        if self.value is None:
            self.start()
            return cache.get(GENERATION_KEY) or 0
        return self.value

    def start(self) -> None:
        client_of = getattr(cache, "redis_client", None)
        if client_of is None or settings.PAGE_CACHE_SECONDS <= 0:
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.listen, args=(client_of,), name="page-cache-watcher", daemon=True
                )
                self.thread.start()

    def listen(self, client_of) -> None:
        while True:
            try:
                pubsub = client_of().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel())
                # Subscribed first, then read: no bump can fall between the two.
                self.value = cache.get(GENERATION_KEY) or 0
                for message in pubsub.listen():
                    if message["type"] == "message":
                        self.value = int(message["data"])
            except Exception:
                log.warning("Page cache watcher lost Redis; asking it on every request")
            finally:
                self.value = None
            time.sleep(1)


def channel() -> str:
    return cache.make_key("content-generation-bumps")


watcher = GenerationWatcher()


def content_generation() -> int:
    return watcher.current()


def invalidate_all_pages() -> None:
    """Make every cached page stale, on every app server that shares this cache."""
    try:
        try:
            generation = cache.incr(GENERATION_KEY)
        except ValueError:
            # No counter (a new or flushed cache). Start from the clock, not from 1, so a
            # page some process stored under an old number can never match the new one.
            start = time.time_ns() // 1_000_000
            added = cache.add(GENERATION_KEY, start, timeout=None)
            generation = start if added else cache.incr(GENERATION_KEY)
        client_of = getattr(cache, "redis_client", None)
        if client_of is not None:
            client_of().publish(channel(), generation)
        if watcher.value is not None:
            watcher.value = generation  # this process need not wait for its own message
    except Exception:  # the cache is down: nothing cached can be served either
        log.exception("Could not invalidate cached pages")


def content_changed(**kwargs) -> None:
    """Signal receiver: the content changed, so cached pages are stale once it commits."""
    transaction.on_commit(invalidate_all_pages)


def is_anonymous(request) -> bool:
    # Decided from the cookie alone, so a cache hit never touches the session store.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def is_cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and is_anonymous(request)
        and not request.path.startswith(NEVER_CACHED)
    )


def page_key(request) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "page:" + hashlib.sha256(url.encode()).hexdigest()


def is_cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-cache" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Sits outside CSP and the other header middleware, so a hit skips them: the stored
    response already carries their headers. A page stored under another generation than
    the current one is a miss."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Pages this process served lately, so a hit need not fetch the page from the
        # shared cache; a stale copy fails the generation check like any other.
        self.recent: OrderedDict = OrderedDict()
        self.recent_lock = threading.Lock()

    def remember(self, key, entry) -> None:
        with self.recent_lock:  # threaded servers (runserver, gthread) share this
            self.recent[key] = entry
            self.recent.move_to_end(key)
            while len(self.recent) > RECENT_PAGES:
                self.recent.popitem(last=False)

    def __call__(self, request):
        if not is_cacheable_request(request):
            response = self.get_response(request)
            if not is_anonymous(request):
                # Pages seen with a session may differ (draft previews): never shared.
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = page_key(request)
        try:
            generation = content_generation()
            stored = self.recent.get(key)
            if stored is None or stored[0] != generation:
                stored = cache.get(key)
        except Exception:
            log.exception("Page cache unavailable; serving uncached")
            return self.get_response(request)
        if stored is not None and stored[0] == generation:
            self.remember(key, stored)
            _, status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if is_cacheable_response(response):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE_SECONDS)
            patch_vary_headers(response, ["Cookie"])
            set_response_etag(response)
            entry = (generation, response.status_code, list(response.items()), response.content)
            try:
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                self.remember(key, entry)
            except Exception:
                log.exception("Could not store a page in the cache")
            response["X-Page-Cache"] = "miss"
        return response
