"""/healthz for the load balancer: 200 when the database and the cache answer, else 503
naming the failing part.

Each part is checked in a thread of its own, at the same time, and a part that has not
answered within CHECK_SECONDS is failing: the answer comes within that time whatever the
clients' own timeouts, with either service down or hung. The database is checked on a
new connection, closed afterwards, so the check also proves new connections can be made.
"""

import logging
import secrets
import threading
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.5


def _database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def _cache_answers() -> None:
    token = secrets.token_hex(8)
    cache.set("healthz", token, 10)
    if cache.get("healthz") != token:
        raise RuntimeError("cache did not return what was stored")


class Check(threading.Thread):
    def __init__(self, part: str, answers):
        super().__init__(name=f"healthz-{part}", daemon=True)
        self.part, self.answers = part, answers
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.answers()
        except Exception as error:  # any failure means: take this server out of rotation
            self.error = error

    def result(self) -> str:
        if self.is_alive():
            return f"failing: no answer within {CHECK_SECONDS:g} s"
        if self.error is not None:
            return f"failing: {type(self.error).__name__}"
        return "ok"


@require_GET
@never_cache
def healthz(request):
    """200 when the database and the cache answer, else 503 naming the failing part."""
    checks = [Check("database", _database_answers), Check("cache", _cache_answers)]
    for check in checks:
        check.start()
    deadline = time.monotonic() + CHECK_SECONDS
    for check in checks:
        check.join(max(0.0, deadline - time.monotonic()))
    report = {check.part: check.result() for check in checks}
    for part, result in report.items():
        if result != "ok":
            error = next(c.error for c in checks if c.part == part)
            log.error("healthz: %s %s (%s)", part, result, error)
    healthy = all(result == "ok" for result in report.values())
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)
