"""Error pages: the site's own 404, 500 and, while the database is unavailable, a 503 page
with Retry-After, wherever the database error is raised (view, template, middleware)."""

import logging
from unittest import mock

import psycopg
import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.test import Client, RequestFactory
from pytest_django.asserts import assertContains

from site_config.errors import RETRY_AFTER_SECONDS, server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """A client that gets the error page, as a browser does, instead of the exception."""
    return Client(raise_request_exception=False)


def queries_fail():
    """Every query fails as it does when PostgreSQL refuses or does not answer."""
    error = OperationalError("connection timeout expired")
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error)


@pytest.fixture
def database_down():
    with queries_fail():
        yield


def assert_unavailable_page(response):
    assert response.status_code == 503
    assertContains(response, "try again in a few minutes", status_code=503)
    assertContains(response, "· Neutropenia causes</title>", status_code=503)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/",  # a template view: the queries run while the template renders
        "/causes/lupus/",
        "/search/?q=lupus",
        "/nope/",  # the 404 page lists the categories
        "/sitemap.xml",
    ],
)
def test_a_database_outage_is_a_503_page_not_a_500(visitor, database_down, url):
    assert_unavailable_page(visitor.get(url))


def test_an_admin_login_during_an_outage_is_a_503(visitor, database_down):
    response = visitor.post("/admin/login/", {"username": "nurse", "password": "some-pass-1234"})
    assert_unavailable_page(response)


def test_a_signed_in_editor_during_an_outage_gets_the_503(visitor, editor):
    """The session and the user are loaded (lazily, by middleware) before the admin runs."""
    visitor.force_login(editor)
    with queries_fail():
        assert_unavailable_page(visitor.get("/admin/causes/cause/"))


class DatabaseDownMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise InterfaceError("connection already closed")


def test_a_database_error_in_a_middleware_is_a_503_too(visitor, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_errors.DatabaseDownMiddleware"]
    assert_unavailable_page(visitor.get("/causes/lupus/"))


def test_the_outage_is_logged_with_its_cause(visitor, database_down, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        visitor.get("/causes/lupus/")
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.getMessage() == "Service Unavailable: /causes/lupus/"
    assert record.exc_info[0] is OperationalError


@pytest.mark.parametrize(
    "error, status",
    [
        (OperationalError("server closed the connection unexpectedly"), 503),
        (InterfaceError("connection already closed"), 503),
        (psycopg.OperationalError("raised outside Django's wrapper"), 503),
        (IntegrityError("a bug, not an outage"), 500),
        (DataError("a bug, not an outage"), 500),
        (RuntimeError("a bug"), 500),
    ],
)
def test_only_an_unavailable_database_turns_a_500_into_a_503(error, status):
    try:
        raise error
    except Exception:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == status
    assert ("Retry-After" in response) is (status == 503)


def test_the_503_page_still_goes_out_if_its_template_fails(visitor, database_down):
    with mock.patch("site_config.errors.loader.render_to_string", side_effect=ValueError):
        response = visitor.get("/causes/lupus/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert b"try again in a few minutes" in response.content
