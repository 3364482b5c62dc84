"""The lean path (site_config/middleware.py): a GET of the search page or the suggestions
skips the middleware below the page cache (sessions, CSRF, auth, messages, history, lock-out),
which those views never read, and still carries every header the full stack adds."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

LEAN_URLS = ["/search/?q=clozaril", "/search/suggest?q=cloz"]


@pytest.mark.parametrize("url", LEAN_URLS)
def test_a_lean_answer_has_the_headers_of_the_full_stack(client, url):
    lean = client.get(url)
    full = client.get("/causes/lupus/")
    assert lean.status_code == 200
    for header in [
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ]:
        assert lean.headers.get(header) == full.headers.get(header), header
    assert int(lean.headers["Content-Length"]) == len(lean.content)


@pytest.mark.parametrize("url", LEAN_URLS)
def test_a_lean_answer_runs_none_of_the_middleware_below_it(client, url):
    """No session is read and no CSRF cookie set: the page is the same for everyone."""
    response = client.get(url)
    assert "Cookie" not in response.headers.get("Vary", "")
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_other_methods_on_a_lean_path_go_down_the_whole_stack(client):
    """A POST to the suggestions meets CSRF and the view's own 405, as before."""
    assert client.post("/search/suggest", {"q": "cloz"}).status_code in (403, 405)


def test_a_logged_in_editor_gets_the_same_search_page(client, editor):
    client.force_login(editor)
    response = client.get("/search/", {"q": "clozaril"})
    assert response.status_code == 200
    assert 'href="/drugs/clozapine/"' in response.content.decode()
