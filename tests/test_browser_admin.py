"""The admin in headless Chromium at a phone's width (375 px): inline tables stack so every
field and delete box is on screen, history and diff views fit, list filters come before
the list, and a "Cite" button puts a source's marker into the text being written.
Screenshots go to screenshots/ (git-ignored)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from causes.models import Drug
from tests.test_browser import browser, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def publisher_page(browser, site):  # noqa: F811
    # A superuser: a transactional test's flushed database has no groups (migrations make them).
    User.objects.create_superuser("phone-pub", "p@example.org", "phone-pub-pass-123")
    page = browser.new_page(viewport=PHONE)
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "phone-pub")
    page.fill("#id_password", "phone-pub-pass-123")
    with page.expect_navigation():
        page.click("input[type=submit]")
    yield page
    page.close()


def on_screen(page, selector: str) -> list[str]:
    """The elements matching `selector` whose box is not wholly within the phone's width."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => { const r = el.getBoundingClientRect();
                              return r.left < 0 || r.right > window.innerWidth + 0.5; })
            .map((el) => el.name || el.id || el.className)""",
        selector,
    )


def test_inline_tables_stack_at_phone_width(publisher_page, site):  # noqa: F811
    page = publisher_page
    drug = Drug.objects.get(slug="clozapine")
    page.goto(f"{site}/admin/causes/drug/{drug.pk}/change/")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-drug-form-375.png"), full_page=True)
    fields = ", ".join(
        f"#{group}-group {tag}"
        for group in ("brand_names", "aliases")
        for tag in ("input", "select")
    )
    assert page.locator("#brand_names-group input[name$='-DELETE']").count() >= 2
    assert on_screen(page, fields) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("input[name='brand_names-0-DELETE']").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a tap target


def test_history_and_compare_fit_a_phone(publisher_page, site):  # noqa: F811
    page = publisher_page
    drug = Drug.objects.get(slug="clozapine")
    for view in ("history", "versions", "versions/compare/?a=now&b=now"):
        page.goto(f"{site}/admin/causes/drug/{drug.pk}/{view}/")
        name = view.split("/")[-2] if "/" in view else view
        page.screenshot(path=str(SHOTS / f"admin-{name}-375.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], view


def test_list_filters_come_before_the_list_on_a_phone(publisher_page, site):  # noqa: F811
    page = publisher_page
    page.goto(f"{site}/admin/causes/cause/")
    page.screenshot(path=str(SHOTS / "admin-cause-list-375.png"), full_page=True)
    filters = page.locator("#changelist-filter").bounding_box()
    results = page.locator("#result_list").bounding_box()
    assert filters["y"] < results["y"]


def test_a_cite_button_inserts_the_marker_where_the_editor_is_writing(publisher_page, site):  # noqa: F811
    page = publisher_page
    drug = Drug.objects.get(slug="clozapine")
    slug = drug.sources.order_by("title").first().slug
    page.goto(f"{site}/admin/causes/drug/{drug.pk}/change/")
    advice = page.locator("#id_advice")
    advice.fill("Call your doctor at once.")
    advice.press("End")
    page.locator(f".cite-button[data-marker='[{slug}]']").click()
    assert advice.input_value() == f"Call your doctor at once.[{slug}]"
