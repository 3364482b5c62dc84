"""The page cache's two halves, in one middleware placed before everything it can skip:
`fetch` answers a request from the cache before the session, CSP and the view run;
`store` keeps what they produced.

Only requests without a logged-in user use the cache. A request carrying a session
cookie costs one lookup of that session: a junk or expired cookie is served from the
cache like any visitor, and a logged-in editor (who may see drafts) neither gets nor
fills it.

The key is the URL with only the query parameters the page reads
(PAGE_CACHE_QUERY_PARAMETERS), normalised; tracking parameters (utm_*, fbclid...) are
dropped, and a request with any other parameter is served fresh and never stored, so
junk query strings cannot grow the cache. Pages keyed by parameters (search) are
counted per generation and stop being stored past PAGE_CACHE_QUERY_PAGES.

A stored page carries the content generation it was rendered under and its expiry
time; it is served only while both hold. Each process keeps its recent pages, so a
hit usually costs no round trip at all.

When the cache fails (Redis down or hung: its timeouts are well under a second), a
circuit breaker sends every request straight to the site for CACHE_BREAKER_SECONDS,
then lets one try the cache again; pages are served fresh from the database meanwhile.
"""

import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from site_config.page_cache import generation

log = logging.getLogger(__name__)

RECENT_PAGES = 256  # per process; ~15 KB each
NEVER_CACHED = ("/admin/", "/healthz", "/static/")
# Parameters that only say where a visitor came from; no page reads them.
TRACKING_PARAMETER = re.compile(
    r"utm_[a-z_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_[ce]id|_ga"
)


class Breaker:
    """Per process: after a cache failure, leave the cache alone for a while."""

    def __init__(self):
        self.open_until = 0.0

    def closed(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self, error: Exception) -> None:
        if self.closed():
            log.warning(
                "Page cache failing (%s: %s); serving from the database for %s s",
                type(error).__name__,
                error,
                settings.CACHE_BREAKER_SECONDS,
            )
        self.open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS
        generation.generation.forget()  # an announcement may have been missed meanwhile


breaker = Breaker()


def normalised(value: str) -> str:
    """As the site's forms clean what they read: no surrounding space, no control codes."""
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return str(int(value)) if value.isdigit() and len(value) < 10 else value


@functools.lru_cache(maxsize=4096)  # a hit on a search page skips parsing its query string
def normalised_query(path: str, query_string: str) -> str | None:
    """The parameters `path` reads, normalised and sorted; None: not to be cached."""
    read = settings.PAGE_CACHE_QUERY_PARAMETERS.get(path, ())
    kept = []
    for name, values in QueryDict(query_string).lists():
        if name in read:
            if len(values) != 1:
                return None
            if value := normalised(values[0]):
                kept.append((name, value))
        elif not TRACKING_PARAMETER.fullmatch(name):
            return None  # a parameter this page does not read: not worth a key
    return urlencode(sorted(kept))


def page_key(request) -> str | None:
    """The cache key for this request's page, or None if it must not be cached."""
    if (
        settings.PAGE_CACHE_SECONDS <= 0
        or request.method not in ("GET", "HEAD")
        or request.path.startswith(NEVER_CACHED)
    ):
        return None
    query = ""
    if query_string := request.META.get("QUERY_STRING"):
        query = normalised_query(request.path, query_string)
        if query is None:
            return None
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    # Pages keyed by parameters are counted against PAGE_CACHE_QUERY_PAGES: their prefix.
    return ("query-page:" if query else "page:") + hashlib.sha256(url.encode()).hexdigest()


def has_logged_in_session(request) -> bool:
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    try:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        return SESSION_KEY in session
    except Exception:
        return True  # cannot tell: treat as an editor, who never shares the cache


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
    response already carries their headers."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Pages this process served lately, so a hit need not fetch the page from the
        # shared cache; a copy is checked exactly like one from the shared cache.
        self.recent: OrderedDict = OrderedDict()
        self.recent_lock = threading.Lock()
        generation.generation.start()  # at the worker's start, not at its first request

    def __call__(self, request):
        key = page_key(request)
        if key is not None and has_logged_in_session(request):
            response = self.get_response(request)
            # Pages seen by a logged-in user may differ (draft previews): never shared.
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if key is None or not breaker.closed():
            return self.get_response(request)
        database_error = None
        try:
            current = generation.generation.current()
        except generation.DatabaseUnreadable as unreadable:
            # Cached pages are still served; anything else needs the database, which just
            # failed: its error now (the 503 page) rather than after a second wait.
            current, database_error = unreadable.fallback, unreadable.error
        stored = None
        if current is not None:
            try:
                stored = self.fetch(key, current)
            except Exception as error:
                breaker.trip(error)
                current = None
        if stored is not None:
            _, _, status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        if database_error is not None:
            raise database_error
        if current is None:
            return self.get_response(request)
        response = self.get_response(request)
        if is_cacheable_response(response):
            self.store(key, current, response)
        return response

    def fetch(self, key: str, current: str):
        """The stored page for this key if it was rendered under `current` and is in date."""
        stored = self.recent.get(key)
        if not self.usable(stored, current):
            stored = cache.get(key)
            if not self.usable(stored, current):
                return None
        self.remember(key, stored)
        return stored

    @staticmethod
    def usable(stored, current: str) -> bool:
        return stored is not None and stored[0] == current and stored[1] > time.time()

    def store(self, key: str, current: str, response) -> None:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
        set_response_etag(response)
        seconds = settings.PAGE_CACHE_SECONDS
        entry = (current, time.time() + seconds, response.status_code, list(response.items()))
        entry += (response.content,)
        try:
            if key.startswith("query-page:") and not self.counted_in(current):
                return
            cache.set(key, entry, seconds)
        except Exception as error:
            breaker.trip(error)
            return
        self.remember(key, entry)
        response["X-Page-Cache"] = "miss"

    @staticmethod
    def counted_in(current: str) -> bool:
        """Count a page keyed by query parameters; False once this generation has its fill."""
        counter = f"query-pages:{current}"
        cache.add(counter, 0, settings.PAGE_CACHE_SECONDS)
        try:
            return cache.incr(counter) <= settings.PAGE_CACHE_QUERY_PAGES
        except ValueError:  # the counter was evicted just now: count afresh next time
            return True

    def remember(self, key, entry) -> None:
        with self.recent_lock:  # threaded servers (runserver, gthread) share this
            self.recent[key] = entry
            self.recent.move_to_end(key)
            while len(self.recent) > RECENT_PAGES:
                self.recent.popitem(last=False)
