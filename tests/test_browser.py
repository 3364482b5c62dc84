"""End to end in headless Chromium: suggestions by keyboard, search without JavaScript, the
admin under the CSP (phones and whole journeys: tests/test_browser_journeys.py).

Needs Debian's chromium (/usr/bin/chromium) and the playwright package (which drives it;
nothing is downloaded). Skips without Chromium on a user's machine, fails in CI.
"""

import os
import shutil

import pytest
from django.core.management import call_command

from causes.models import Cause
from tests.conftest import need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    need(shutil.which(CHROMIUM) is not None, f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (not the live server's thread) are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def site(live_server):
    """The live server with the content (a transactional test may follow one that flushed)."""
    call_command("load_content", verbosity=0)
    return live_server.url


def test_suggestions_work_by_keyboard_with_combobox_semantics(browser, site):
    page = browser.new_page()
    page.goto(site + "/")
    box = page.locator("#search-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("Clozar", delay=20)
    page.wait_for_selector("#search-q-suggestions [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    first = page.locator("#search-q-suggestions [role=option]").first
    assert "Clozaril" in first.inner_text()
    assert "brand name of Clozapine" in first.inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "search-q-suggestions-0"
    assert first.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/drugs/clozapine/")
    page.close()


def test_escape_closes_suggestions_and_enter_submits_the_form(browser, site):
    page = browser.new_page()
    page.goto(site + "/")
    box = page.locator("#search-q")
    box.press_sequentially("lupus", delay=20)
    page.wait_for_selector("#search-q-suggestions [role=option]")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/?q=lupus" in page.url
    assert page.locator("#results a").first.get_attribute("href") == "/causes/lupus/"
    page.close()


def test_search_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.fill("#search-q", "Tapazole")
    with page.expect_navigation():
        page.press("#search-q", "Enter")
    assert page.locator("#results a").first.get_attribute("href") == "/drugs/methimazole/"
    context.close()


def test_admin_pages_work_under_the_content_security_policy(browser, site):
    """The admin's own scripts and styles are static files too: nothing is blocked."""
    from django.contrib.auth.models import User

    User.objects.create_superuser("csp-admin", "a@example.org", "csp-admin-pass-123")
    page = browser.new_page()
    violations = []
    page.on(
        "console",
        lambda m: violations.append((page.url, m.text)) if "Content Security" in m.text else None,
    )
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", "csp-admin-pass-123")
    with page.expect_navigation():
        page.click("input[type=submit]")
    cause_id = Cause.objects.get(slug="lupus").pk
    for path in [
        "/admin/",
        "/admin/causes/cause/",
        f"/admin/causes/cause/{cause_id}/change/",
        f"/admin/causes/cause/{cause_id}/history/",
        "/admin/causes/cause/import/",
        "/admin/causes/cause/export/",
        "/admin/causes/drug/deleted/",
    ]:
        response = page.goto(site + path)
        assert response.status == 200, path
    # The autocomplete widget (select2) is script-driven: it must have started.
    page.goto(site + f"/admin/causes/cause/{cause_id}/change/")
    assert page.locator(".select2-container").count() > 0
    assert violations == []
    page.close()


def test_the_api_docs_work_in_a_browser_under_the_content_security_policy(browser, site):
    """Swagger UI, from the site's own static files: it renders every operation and the
    browser reports no CSP refusal and no failed load."""
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("request", lambda r: None if r.url.startswith(site) else problems.append(r.url))
    page.goto(site + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/causes/{slug}" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) >= 11
    assert problems == []
    page.close()
