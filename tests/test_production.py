"""Production behaviour: secure settings and headers, lock-out, error pages, health check,
cached pages with ETag and 304, invalidation, and two app servers sharing PostgreSQL and
Redis."""

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from pytest_django.asserts import assertContains

from causes.models import Cause
from tests.conftest import need

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LONG_KEY = "production-like-secret-key-" + "x" * 40


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        DJANGO_SECRET_KEY=LONG_KEY,
        DJANGO_ALLOWED_HOSTS="example.org,127.0.0.1",
        **extra,
    )
    return env


# --- secure by default ------------------------------------------------------------------


def test_check_deploy_reports_no_issues_and_silences_none():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "SILENCED_SYSTEM_CHECKS" not in (ROOT / "site_config" / "settings.py").read_text()


def test_production_settings_are_secure_without_being_asked():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == (
        "False True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), result.stderr


@pytest.mark.parametrize(
    "url", ["/", "/causes/lupus/", "/search/?q=lupus", "/nope/", "/admin/login/"]
)
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_have_no_inline_script_or_style(client):
    for url in ["/", "/causes/lupus/", "/search/?q=chemo"]:
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        assert "<style" not in body and " style=" not in body


def test_plain_http_is_redirected_to_https_but_healthz_is_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/causes/lupus/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/causes/lupus/"
    assert client.get("/healthz").status_code == 200


def test_the_tls_proxy_header_is_trusted_and_hsts_sent(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/causes/lupus/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- lock-out -----------------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    return User.objects.create_user("nurse", password="right-pass-1234", is_staff=True)


def login(client, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "nurse", "password": password},
        REMOTE_ADDR=ip,
    )


def test_password_guesser_is_locked_out_and_logged(staff_user, caplog):
    client = Client()
    with caplog.at_level(logging.INFO, logger="axes"):
        for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
            assert login(client, "wrong").status_code == 200  # the form again, with an error
        locked = login(client, "wrong")
    assert locked.status_code == 429
    assertContains(locked, "locked", status_code=429)
    assert login(client, "right-pass-1234").status_code == 429  # even the right password
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "AXES: Repeated login failure" in messages
    assert "AXES: Locking out" in messages


def test_lock_out_is_per_user_and_address(staff_user):
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "wrong")
    assert login(Client(), "right-pass-1234", ip="198.51.100.9").status_code == 302


def test_lock_out_ends_after_the_cool_off(staff_user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        login(client, "wrong")
    assert login(client, "right-pass-1234").status_code == 429
    cool_off = timedelta(hours=django_settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=django_settings_now() - cool_off * 2)
    assert login(client, "right-pass-1234").status_code == 302


def django_settings_now():
    from django.utils import timezone

    return timezone.now()


def test_client_address_comes_from_the_trusted_proxy_hop(rf, settings):
    from site_config.client_ip import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the forged 1.1.1.1 is ignored


# --- error pages, logs ------------------------------------------------------------------------


def test_403_page_is_the_sites_own(client, editor):
    client.force_login(editor)
    response = client.get("/admin/auth/user/")
    assert response.status_code == 403
    assertContains(response, "You do not have access to this page", status_code=403)
    assertContains(response, 'role="search"', status_code=403)


def test_400_page_for_a_bad_host_is_the_sites_own(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assertContains(response, "We could not understand that request", status_code=400)
    assertContains(response, 'role="search"', status_code=400)


def test_500_page_is_the_sites_own_and_leaks_nothing():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert 'role="search"' in body
    assert "Traceback" not in body and "SECRET" not in body


def test_a_request_error_is_logged_in_one_line_with_method_and_path(client, caplog):
    with mock.patch("causes.views.search_entries", side_effect=RuntimeError("boom")):
        client.raise_request_exception = False
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = client.get("/search/", {"q": "lupus"})
    assert response.status_code == 500
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.getMessage() == "Internal Server Error: /search/"
    assert record.exc_info[0] is RuntimeError
    from site_config.log_format import OneLineFormatter

    line = OneLineFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "\n" not in line
    assert line.startswith("ERROR django.request Internal Server Error: /search/ | ")
    assert "RuntimeError: boom | at " in line
    assert "causes/views.py:" in line and "in search" in line


# --- health check ----------------------------------------------------------------------------


def test_healthz_names_a_failing_database(client):
    with mock.patch("causes.views._database_answers", side_effect=OSError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "failing: OSError",
        "cache": "ok",
        "status": "error",
    }


def test_healthz_names_a_failing_cache(client):
    with mock.patch("causes.views.cache.set", side_effect=ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "failing: ConnectionError"
    assert response.json()["database"] == "ok"


# --- caching ---------------------------------------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    return settings


def test_anonymous_pages_are_served_from_the_cache(
    client, page_cache_on, django_assert_num_queries
):
    first = client.get("/causes/lupus/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/causes/lupus/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


def test_etag_and_conditional_get_answer_304(client, page_cache_on):
    etag = client.get("/causes/lupus/")["ETag"]
    assert etag
    response = client.get("/causes/lupus/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_staff_never_get_or_fill_the_shared_cache(client, editor, page_cache_on):
    client.force_login(editor)
    response = client.get("/causes/lupus/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_an_edit_invalidates_cached_pages_once_committed(
    client, page_cache_on, django_capture_on_commit_callbacks
):
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        cause = Cause.objects.get(slug="lupus")
        cause.summary = "Changed by an editor just now."
        cause.save()
    response = client.get("/causes/lupus/")
    assert response["X-Page-Cache"] == "miss"
    assertContains(response, "Changed by an editor just now.")
    assert client.get("/")["X-Page-Cache"] == "miss"  # every page, not just that one


def test_search_results_are_cached_too(client, page_cache_on):
    assert client.get("/search/", {"q": "lupus"})["X-Page-Cache"] == "miss"
    assert client.get("/search/", {"q": "lupus"})["X-Page-Cache"] == "hit"
    assert client.get("/search/", {"q": "sepsis"})["X-Page-Cache"] == "miss"


def test_errors_are_not_cached(client, page_cache_on):
    assert "X-Page-Cache" not in client.get("/causes/nope/")
    assert "X-Page-Cache" not in client.get("/search/", {"q": "x" * 300})


# --- query counts do not grow with the data ----------------------------------------------------

PAGES = [
    "/",
    "/categories/drugs/",
    "/causes/antipsychotic-medications/",
    "/drugs/clozapine/",
    "/mechanisms/destruction/",
    "/search/?q=clozaril",
]


def count_queries(client, url) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_are_the_same_at_two_data_sizes(client):
    before = {url: count_queries(client, url) for url in PAGES}
    call_command("bench_data", entries=300, verbosity=0)
    after = {url: count_queries(client, url) for url in PAGES}
    assert after == before


# --- running it: gunicorn, WhiteNoise, two app servers --------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The site under gunicorn with the production settings, on a port of its own."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "site_config/gunicorn.py",
                "site_config.wsgi:application",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "2"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.cookies: dict[str, str] = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "X-Forwarded-Proto": "https",  # as the TLS proxy would send
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return (
            response.status,
            dict(response.getheaders()),
            response.read().decode(errors="replace"),
        )

    def form_post(self, path, fields: dict):
        from urllib.parse import urlencode

        body = urlencode(fields, doseq=True)
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def login(self, username, password):
        self.request("GET", "/admin/login/")
        status, headers, _body = self.form_post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "username": username,
                "password": password,
            },
        )
        assert status == 302, re.findall(r"errornote.*?</p>|errorlist.*?</ul>", _body, re.S)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_an_edit_on_one_app_server_is_seen_on_the_other_at_once(tmp_path, settings):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    need(bool(os.environ.get("REDIS_URL")), "needs Redis (set REDIS_URL)")
    call_command("load_content", verbosity=0)
    # The servers run production settings, which do not know the tests' fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    User.objects.create_superuser("ops", "ops@example.org", "ops-pass-12345678")
    env = production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PAGE_CACHE_SECONDS="600",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    one, two = Server(env), Server(env)
    try:
        assert two.request("GET", "/causes/lupus/")[1]["X-Page-Cache"] in {"hit", "miss"}
        status, headers, body = two.request("GET", "/causes/lupus/")
        assert headers["X-Page-Cache"] == "hit"
        assert "Edited on server one." not in body

        one.login("ops", "ops-pass-12345678")
        cause = Cause.objects.get(slug="lupus")
        status, _, form = one.request("GET", f"/admin/causes/cause/{cause.pk}/change/")
        assert status == 200
        fields = {
            "csrfmiddlewaretoken": one.cookies["csrftoken"],
            "name": cause.name,
            "slug": cause.slug,
            "category": cause.category_id,
            "status": cause.status,
            "order": cause.order,
            "summary": "Edited on server one.",
            "source_wording": cause.source_wording,
            "mechanisms": [m.pk for m in cause.mechanisms.all()],
            "mechanism_note": cause.mechanism_note,
            "sources": [s.pk for s in cause.sources.all()],
            "last_reviewed": cause.last_reviewed.isoformat(),
            "seen_version": cause.version,
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "drugs-TOTAL_FORMS": "0",
            "drugs-INITIAL_FORMS": "0",
        }
        status, _, _ = one.form_post(f"/admin/causes/cause/{cause.pk}/change/", fields)
        assert status == 302

        status, headers, body = two.request("GET", "/causes/lupus/")
        assert status == 200
        assert "Edited on server one." in body
        assert headers["X-Page-Cache"] == "miss"

        # WhiteNoise serves the hashed stylesheet with far-future caching.
        css = re.search(r'href="(/static/causes/site\.[0-9a-f]+\.css)"', body).group(1)
        status, headers, _ = two.request("GET", css, headers={"Accept-Encoding": "gzip"})
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]
        assert "immutable" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"
    finally:
        one.stop()
        two.stop()


def test_gunicorn_config_reads_bind_and_workers_from_the_environment():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "site_config/gunicorn.py",
            "--print-config",
            "site_config.wsgi:application",
        ],
        cwd=ROOT,
        env=production_env(GUNICORN_BIND="127.0.0.1:9123", GUNICORN_WORKERS="3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert re.search(r"^bind\s+= \['127.0.0.1:9123'\]$", result.stdout, re.M), result.stdout
    assert re.search(r"^workers\s+= 3$", result.stdout, re.M)


def test_cached_hits_carry_every_security_header(client, page_cache_on):
    client.get("/causes/lupus/")
    hit = client.get("/causes/lupus/")
    assert hit["X-Page-Cache"] == "hit"
    for header in [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "ETag",
    ]:
        assert hit[header], header


def settle_watcher():
    """With Redis, wait until this process has subscribed to generation bumps (it starts on
    the first cached request); a bump is seen at once from then on."""
    from causes import page_cache

    deadline = time.time() + 5
    while os.environ.get("REDIS_URL") and page_cache.watcher.value is None:
        assert time.time() < deadline, "the page cache watcher did not subscribe"
        time.sleep(0.01)


def test_a_page_stored_under_an_older_generation_is_not_served(client, page_cache_on):
    from causes import page_cache

    client.get("/causes/lupus/")
    settle_watcher()
    page_cache.invalidate_all_pages()
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "hit"
