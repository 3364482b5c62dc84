"""The JSON API's HTTP rules, the same for every response under /api/ (placed above the
page cache, so cached answers obey them too):

- read only: GET, HEAD and OPTIONS; anything else is a JSON 405 naming what is allowed;
  parameters past MAX_QUERY_STRING bytes are a JSON 413 before anything reads them;
- a rate limit per client address (API_RATE_LIMIT, e.g. "120/m"), counted in the shared
  cache by django-ratelimit, so every app server counts against the same budget; over it,
  a JSON 429 with Retry-After. The address is `client_ip()`, as the lock-out takes it (the
  TLS proxy's X-Forwarded-For, never a header anyone can send). When the cache fails, the
  page cache's circuit breaker is tripped and requests are let through (the limit protects
  the site; it must not take the API down with Redis);
- Cache-Control: public answers may be kept PUBLIC_MAX_AGE_SECONDS (then revalidated with
  their ETag); look-ups of medicine names, which may be someone's medicines, are never
  stored by anyone.

CORS (open for GET, nothing else) is django-cors-headers' work (settings.CORS_*), and
ETag/304 Django's ConditionalGetMiddleware's.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django_ratelimit.core import get_usage

from site_config.client_ip import client_ip
from site_config.page_cache.middleware import breaker

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
PRIVATE_PREFIXES = ("/api/v1/lookup",)
# Far more than the longest valid request (30 names of 100 characters, percent-encoded).
MAX_QUERY_STRING = 32_768


def _client(group, request) -> str:
    return client_ip(request)


class ApiGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method not in ALLOWED_METHODS:
            response = JsonResponse(
                {"error": f"{request.method[:20]} is not allowed: this API is read only (GET)."},
                status=405,
            )
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            too_large = f"The request is too large: over {MAX_QUERY_STRING} bytes of parameters."
            return JsonResponse({"error": too_large}, status=413)
        if request.method == "OPTIONS":  # a CORS preflight was answered above this
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if retry_after := self.limited(request):
            response = JsonResponse(
                {"error": f"Too many requests from your address. Try again in {retry_after} s."},
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        head = request.method == "HEAD"
        if head:  # answered as the GET would be (the API declares GET only), without a body
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        if request.path.startswith(PRIVATE_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200 and "Cache-Control" not in response:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE_SECONDS)
        return response

    @staticmethod
    def limited(request) -> int:
        """Seconds until this client may ask again, or 0 if it may now."""
        if not settings.API_RATE_LIMIT or not breaker.closed():
            return 0
        try:
            usage = get_usage(
                request, group="api", key=_client, rate=settings.API_RATE_LIMIT, increment=True
            )
        except Exception as error:  # the cache is failing: count nothing for a while
            breaker.trip(error)
            return 0
        if usage and usage["should_limit"]:
            return max(1, int(usage["time_left"]))
        return 0
