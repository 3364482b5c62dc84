"""Public pages for anonymous visitors, served from the shared cache.

Every cache key carries the current *content generation*, a counter kept in the same
cache. Any change to the content (on any app server) bumps the counter after its
transaction commits, so every page cached before the change is ignored at once,
everywhere: no list of affected pages to get wrong.

Responses also carry `Cache-Control: public, max-age=...`; ConditionalGetMiddleware adds
an ETag and answers a matching If-None-Match with 304, so browsers and a CDN revalidate
cheaply once max-age has passed.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

log = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
NEVER_CACHED = ("/admin/", "/healthz", "/static/")


def content_generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def invalidate_all_pages() -> None:
    """Make every cached page stale, on every app server that shares this cache."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # first change since the cache started: no counter yet
        cache.add(GENERATION_KEY, 1, timeout=None) or cache.incr(GENERATION_KEY)
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
    response already carries their headers. One cache round trip per hit (MGET of the
    generation and the page); a page stored under an older generation is a miss."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            response = self.get_response(request)
            if not is_anonymous(request):
                # Pages seen with a session may differ (draft previews): never shared.
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = page_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, key])
        except Exception:
            log.exception("Page cache unavailable; serving uncached")
            return self.get_response(request)
        generation = found.get(GENERATION_KEY, 0)
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
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
            except Exception:
                log.exception("Could not store a page in the cache")
            response["X-Page-Cache"] = "miss"
        return response
