"""The suggestions and the search page skip the session, CSRF, auth, messages, history and
lock-out middleware (site_config.middleware.LeanPathMiddleware), and still answer with
every header, every error page and every method rule they had."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

LEAN = ["/search/suggest?q=cloz", "/search/?q=clozaril"]


class RefuseMiddleware:
    """Placed last: any request that reaches it fails."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise AssertionError("the lean path should not reach the middleware below it")


@pytest.fixture
def refuse_below(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_lean_paths.RefuseMiddleware"]


@pytest.mark.parametrize("url", LEAN)
def test_a_lean_get_skips_the_middleware_below(client, refuse_below, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(response.content))


def test_other_pages_and_methods_go_down_the_whole_stack(client, refuse_below):
    client.raise_request_exception = False
    assert client.get("/causes/lupus/").status_code == 500
    assert client.post("/search/suggest", {"q": "lupus"}).status_code == 500
    assert client.get("/search/suggest/?q=lupus").status_code == 500  # not the same path


@pytest.mark.parametrize("url", LEAN)
def test_lean_answers_carry_every_security_header(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


@pytest.mark.parametrize("url", LEAN)
def test_a_lean_answer_is_the_whole_stacks_answer(settings, url):
    lean = Client().get(url)
    settings.LEAN_PATHS = []
    full = Client().get(url)  # a new client builds its middleware from the settings
    assert sorted(lean.headers.items()) == sorted(full.headers.items())
    assert lean.content == full.content


@pytest.mark.parametrize("url", LEAN)
def test_a_database_outage_on_a_lean_path_is_the_503_page(client, url):
    client.raise_request_exception = False
    with mock.patch("causes.views.search_entries", side_effect=OperationalError("down")):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"


def test_the_suggestions_still_answer_only_get(client):
    assert client.post("/search/suggest", {"q": "lupus"}).status_code == 405
    assert client.head("/search/suggest?q=lupus").status_code == 405
