"""/healthz: 200 when the database and the cache answer, else 503 naming the failing part,
and an answer within its time limit even when a part hangs."""

import threading
import time
from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_when_the_database_and_cache_do(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_a_failing_database(client):
    with mock.patch("site_config.health._database_answers", side_effect=OSError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "failing: OSError", "cache": "ok", "status": "error"}


def test_healthz_names_a_failing_cache(client):
    with mock.patch("site_config.health._cache_answers", side_effect=ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "cache": "failing: ConnectionError",
        "status": "error",
    }


def test_healthz_answers_in_time_when_both_parts_hang(client):
    """The parts are checked side by side: two hung services cost one time limit, not two."""
    release = threading.Event()
    with (
        mock.patch("site_config.health.CHECK_SECONDS", 0.3),
        mock.patch("site_config.health._database_answers", side_effect=release.wait),
        mock.patch("site_config.health._cache_answers", side_effect=release.wait),
    ):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
        release.set()
    assert response.status_code == 503
    assert response.json() == {
        "database": "failing: no answer within 0.3 s",
        "cache": "failing: no answer within 0.3 s",
        "status": "error",
    }
    assert elapsed < 0.6


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
