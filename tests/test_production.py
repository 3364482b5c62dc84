"""Production behaviour: secure settings and headers, lock-out, error pages, query counts,
gunicorn's settings. The page cache: tests/test_page_cache.py."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from pytest_django.asserts import assertContains, assertNotContains

from tests.servers import ROOT, Server, database_url, free_port  # noqa: F401

pytestmark = pytest.mark.django_db
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
    """No inline code, so the CSP needs no 'unsafe-inline': the one script element without
    a src is the JSON-LD data block, which browsers never run."""
    for url in ["/", "/causes/lupus/", "/search/?q=chemo"]:
        response = client.get(url)
        body = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        assert inline == ['<script type="application/ld+json">']
        assert "<style" not in body and " style=" not in body
        assert "unsafe-inline" not in response["Content-Security-Policy"]


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


# The client address behind proxies: tests/test_client_ip.py.


# --- error pages, logs ------------------------------------------------------------------------


def test_403_in_the_admin_stays_in_the_admin_and_elsewhere_is_the_sites_own(client, editor, rf):
    client.force_login(editor)
    response = client.get("/admin/auth/user/")
    assert response.status_code == 403
    assertContains(response, "Neutropenia causes: editors", status_code=403)
    assertContains(response, "Not allowed", status_code=403)
    assertNotContains(response, 'role="search"', status_code=403)

    from site_config.errors import permission_denied

    request = rf.get("/drugs/clozapine/")
    request.user = editor
    page = permission_denied(request)
    assert page.status_code == 403
    assertContains(page, "You do not have access to this page", status_code=403)
    assertContains(page, 'role="search"', status_code=403)


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


# The health check: tests/test_health.py; the 503 page and outages: tests/test_errors.py,
# tests/test_faults.py.


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


# Server, free_port and database_url: tests/servers.py (re-exported here for older
# imports). The page cache under gunicorn: tests/test_page_cache.py.


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
