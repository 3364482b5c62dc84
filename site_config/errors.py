"""The site's own error pages, and the 503 page while the database is unavailable.

Django calls the 500 handler from inside its `except` block wherever the error was raised:
in a view, while rendering a template, or in a middleware such as sessions,
authentication or the lock-out. So `server_error` sees every database failure, and when
the database is unreachable, hung (our read timeout) or refusing, it answers 503 with
`Retry-After` instead of 500: the visitor is told to come back, and the load balancer and
monitoring see an outage rather than a bug. The page needs no database to render.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from causes.models import Category

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120


def _database_errors() -> tuple[type[Exception], ...]:
    errors: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
    try:
        import psycopg
    except ImportError:
        return errors
    return errors + (psycopg.OperationalError, psycopg.InterfaceError)


DATABASE_UNAVAILABLE = _database_errors()


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, message: str) -> JsonResponse:
    """The JSON API's errors are JSON too, wherever they were raised."""
    return JsonResponse({"error": message}, status=status)


def page_not_found(request, exception=None):
    """A 404 that helps: the search box and the categories (JSON under /api/)."""
    if is_api(request):
        return api_error(404, "No such API address: see /api/v1/docs.")
    return render(
        request,
        "404.html",
        {"categories": Category.objects.published()},
        status=404,
    )


def permission_denied(request, exception=None):
    """403. Staff refused something in the admin stay in the admin, and read why (the
    refusal names the right and the role that has it); anyone else gets the site's page."""
    user = getattr(request, "user", None)
    if request.path.startswith("/admin/") and user is not None and user.is_staff:
        from django.contrib import admin

        reason = str(exception or "") or (
            "Your account does not have the right for this. Ask a publisher, or an "
            "administrator to add you to the group that has it."
        )
        context = {**admin.site.each_context(request), "title": "Not allowed", "reason": reason}
        return render(request, "admin/refused.html", context, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """500, or 503 when the error is the database being unavailable."""
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if is_api(request):
        return api_error(500, "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)


def database_unavailable(request) -> HttpResponse:
    """503 with the site's own page, rendered without a request so nothing can query."""
    if request is not None and is_api(request):
        response = api_error(503, "The database is unavailable just now. Please try again.")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
    try:
        content = loader.render_to_string("503.html")
    except Exception:  # the page must go out even if the template cannot be rendered
        log.exception("Could not render 503.html")
        content = "The site is unavailable just now. Please try again in a few minutes.\n"
        response = HttpResponse(content, status=503, content_type="text/plain")
    else:
        response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
