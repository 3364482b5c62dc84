"""Faults: a real gunicorn on PostgreSQL and Redis, each reached through a FaultProxy that
can refuse connections or swallow them (accept, then never answer), as an outage or a
hung server does. With the database down or hung, cached pages are still served, every
other request gets the 503 page within a few seconds, and /healthz says "database"; with
Redis down or hung, pages are served fresh from the database within 2 s each and /healthz
says "cache". When the service comes back, the site recovers by itself.

The server under test gets short timeouts (FAST_TIMEOUTS), so the whole file runs in
well under a minute; production's defaults are in docs/deploy.md.
"""

import http.client
import os
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from tests.conftest import need
from tests.fault_proxy import FaultProxy
from tests.servers import collected_static
from tests.test_production import Server, production_env

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ["refuse", "hang"]
# The production variables, made short: libpq's shortest connect timeout is 2 s; the
# read timeout follows the statement timeout (+1 s).
FAST_TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": "2",
    "DATABASE_STATEMENT_TIMEOUT_MS": "1000",
}
CACHED = "/causes/leukemia/"
UNCACHED = ["/drugs/methimazole/", "/categories/infections/", "/search/?q=fever", "/"]


class Answer:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def __repr__(self):
        return f"<{self.status} in {self.seconds:.2f} s>"


def get(port: int, path: str, *, method="GET", body=None, headers=None, timeout=10) -> Answer:
    """One request on a new connection, timed; no answer within `timeout` is status None."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})}
        )
        response = conn.getresponse()
        answer = Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read().decode(errors="replace"),
            time.monotonic() - started,
        )
    except TimeoutError:
        answer = Answer(None, {}, "", time.monotonic() - started)
    finally:
        conn.close()
    return answer


class Site:
    """gunicorn with its database and cache behind fault proxies."""

    def __init__(self, static_root: Path):
        db = connection.settings_dict
        self.db = FaultProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).__enter__()
        redis = urlsplit(os.environ["REDIS_URL"])
        self.redis = FaultProxy(redis.hostname, redis.port or 6379).__enter__()
        env = production_env(
            DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{self.db.port}/{db['NAME']}",
            REDIS_URL=f"redis://127.0.0.1:{self.redis.port}{redis.path}",
            DJANGO_STATIC_ROOT=str(static_root),
            PAGE_CACHE_SECONDS="600",
            **FAST_TIMEOUTS,
        )
        self.server = Server(env)

    def get(self, path, **kwargs) -> Answer:
        return get(self.server.port, path, **kwargs)

    def until(self, check, seconds=10) -> float:
        """Seconds until `check()` holds, asked every 0.1 s; fails after `seconds`."""
        started = time.monotonic()
        while not check():
            assert time.monotonic() - started < seconds, "the site did not recover by itself"
            time.sleep(0.1)
        return time.monotonic() - started

    def close(self):
        self.server.stop()
        self.db.close()
        self.redis.close()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    need(bool(os.environ.get("REDIS_URL")), "needs Redis (set REDIS_URL)")
    return collected_static(tmp_path_factory.mktemp("static"), production_env())


@pytest.fixture
def site(static_root, transactional_db):
    call_command("load_content", verbosity=0)
    site = Site(static_root)
    try:
        cached = site.get(CACHED)
        assert cached.status == 200
        # Stored in Redis: served from there by either worker from now on.
        assert site.until(lambda: site.get(CACHED).headers.get("x-page-cache") == "hit", 5) < 5
        yield site
    finally:
        site.close()


def login_form(site) -> tuple[str, dict]:
    """A login POST with a valid CSRF token, taken while the database still answers."""
    answer = site.get("/admin/login/")
    cookie = answer.headers["set-cookie"].split(";")[0]
    body = urlencode(
        {
            "csrfmiddlewaretoken": cookie.split("=", 1)[1],
            "username": "ops",
            "password": "not-the-password-1234",
        }
    )
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://127.0.0.1:{site.server.port}/admin/login/",
    }
    return body, headers


def assert_unavailable_page(answer: Answer, within: float):
    assert answer.status == 503, answer
    assert answer.seconds < within, answer
    assert "try again in a few minutes" in answer.body
    assert answer.headers["retry-after"] == "120"


@pytest.mark.parametrize("fault", FAULTS)
def test_a_database_outage_serves_cached_pages_and_503s_then_recovers(site, fault):
    body, headers = login_form(site)
    site.db.set_mode(fault)

    # A hung server costs at most the health check of a reused connection (1 s) and a new
    # connection's timeout (2 s); a refusing one, nothing.
    within = 4.0 if fault == "hang" else 1.0
    figures = {}
    for path in UNCACHED:
        answer = site.get(path)
        assert_unavailable_page(answer, within)
        figures[path] = answer.seconds
    admin = site.get("/admin/login/", method="POST", body=body, headers=headers)
    assert_unavailable_page(admin, within)
    figures["admin login"] = admin.seconds

    cached = site.get(CACHED)
    assert cached.status == 200 and cached.headers["x-page-cache"] == "hit", cached
    assert cached.seconds < 0.5, cached
    figures["cached page"] = cached.seconds

    health = site.get("/healthz")
    assert health.status == 503 and health.seconds < 3, health
    assert '"database": "failing' in health.body and '"cache": "ok"' in health.body
    figures["healthz"] = health.seconds

    site.db.set_mode("pass")
    figures["recovery"] = site.until(
        lambda: (
            site.get("/healthz").status == 200
            and all(site.get(path).status == 200 for path in UNCACHED)
        )
    )
    print(f"\nPostgreSQL {fault}: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_cache_outage_serves_pages_fresh_then_recovers(site, fault):
    site.redis.set_mode(fault)

    figures = {}
    health = site.get("/healthz")
    assert health.status == 503 and health.seconds < 3, health
    assert '"cache": "failing' in health.body and '"database": "ok"' in health.body
    figures["healthz"] = health.seconds

    for path in [CACHED, *UNCACHED, CACHED]:
        answer = site.get(path)
        assert answer.status == 200 and answer.seconds < 2, (path, answer)
        figures[path] = answer.seconds
    assert "Leukemia" in site.get(CACHED).body

    site.redis.set_mode("pass")
    figures["recovery"] = site.until(
        lambda: site.get("/healthz").status == 200 and site.get(CACHED).status == 200
    )
    print(f"\nRedis {fault}: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()))


def test_a_hung_connection_fails_within_the_read_timeout(postgresql):
    """libpq waits for ever on a server that accepted and never answers; ours does not."""
    from site_config.postgresql.base import DatabaseWrapper

    settings = connection.settings_dict
    with FaultProxy(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)) as proxy:
        options = {**settings["OPTIONS"], "read_timeout": 1.0, "connect_timeout": 2}
        wrapper = DatabaseWrapper({**settings, "PORT": proxy.port, "OPTIONS": options})
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
            proxy.set_mode("hang")
            usable, seconds = timed(wrapper.is_usable)  # Django's check of a reused connection
            assert not usable and seconds == pytest.approx(1.0, abs=0.3)
            wrapper.close()
            started = time.monotonic()
            with pytest.raises(OperationalError, match="connection timeout expired"):
                wrapper.ensure_connection()
            assert time.monotonic() - started == pytest.approx(2.0, abs=0.3)
            with pytest.raises(OperationalError, match="less than 1 s ago"):
                wrapper.ensure_connection()  # no second wait within the pause
            proxy.set_mode("pass")
            time.sleep(1)
            with wrapper.cursor() as cursor:  # and back, on a new connection
                cursor.execute("SELECT 1")
            with wrapper.cursor() as cursor:
                proxy.set_mode("hang")
                started = time.monotonic()
                with pytest.raises(OperationalError, match="did not answer within 1 s"):
                    cursor.execute("SELECT 1")
            assert time.monotonic() - started == pytest.approx(1.0, abs=0.3)
        finally:
            wrapper.close()


def test_a_slow_statement_is_cancelled_by_the_server(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("5s",)
        cursor.execute("SET LOCAL statement_timeout = 200")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(2)")
    assert time.monotonic() - started < 1


def timed(call):
    started = time.monotonic()
    return call(), time.monotonic() - started
