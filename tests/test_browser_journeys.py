"""The journeys that matter, in headless Chromium (Playwright driving Debian's chromium):
a visitor browsing down to a drug and back by the breadcrumbs; an editor adding a drug with
two brand names as a draft, a publisher publishing it and a visitor finding it at once by a
brand name with the page cache on; phones at 320 and 375 px (no sideways scrolling, tap
targets of 24 px, a search that works); and a cause page as it prints.

Screenshots of each journey go to screenshots/ (git-ignored)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from tests.conftest import make_roles
from tests.test_browser import browser, site  # noqa: F401 (fixtures)
from tests.test_browser_axe import axe_browser, violations  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PHONES = [{"width": 320, "height": 640}, {"width": 375, "height": 812}]


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def breadcrumb_names(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.breadcrumbs > *").all_inner_texts()]


# --- a visitor browsing ------------------------------------------------------------------


def test_home_to_category_to_cause_to_drug_and_back_by_the_breadcrumbs(browser, site):  # noqa: F811
    page = browser.new_page()
    # What the browser's console would show: errors (CSP refusals too) and failed loads,
    # the favicon included.
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: console.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(site + "/")
    page.locator(".category-card h3 a", has_text="Drugs").click()
    assert page.url == site + "/categories/drugs/"
    assert page.locator("h1").inner_text() == "Drugs"
    page.locator(".cause-item > a", has_text="Some antipsychotic medications").click()
    assert page.url == site + "/causes/antipsychotic-medications/"
    page.locator(".drug-cards a", has_text="Clozapine").click()
    assert page.url == site + "/drugs/clozapine/"
    assert breadcrumb_names(page) == [
        "Home",
        "Drugs",
        "Some antipsychotic medications",
        "Clozapine",
    ]
    shot(page, "journey-browse-drug")
    page.locator("nav.breadcrumbs a", has_text="Some antipsychotic medications").click()
    assert page.url == site + "/causes/antipsychotic-medications/"
    page.locator("nav.breadcrumbs a", has_text="Drugs").click()
    assert page.url == site + "/categories/drugs/"
    page.locator("nav.breadcrumbs a", has_text="Home").click()
    assert page.url == site + "/"
    assert page.locator("h1").inner_text() == "What can cause neutropenia?"
    page.goto(site + "/favicon.ico")  # what browsers ask for whatever the page says
    assert page.url.endswith(".svg")
    assert console == []
    page.close()


# --- editor, publisher, visitor ----------------------------------------------------------


def account(name: str, group: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", f"{name}-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(browser, site, user: User):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", f"{user.username}-pass-123")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator("#user-tools").is_visible(), "login failed"
    return page


def choose(page, select_id: str, typed: str, option: str) -> None:
    """Pick `option` in Django's autocomplete (select2) widget by typing, as an editor does."""
    page.locator(f"#{select_id} + .select2").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    page.locator(".select2-results__option", has_text=option).first.click()


def visitor_search(browser, site, query: str) -> list[str]:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/")
    page.fill("#search-q", query)
    with page.expect_navigation():
        page.press("#search-q", "Enter")
    hrefs = page.locator("#results a.result-title").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    shot(page, f"journey-visitor-search-{query.lower()}-{len(hrefs)}")
    context.close()
    return hrefs


def test_an_editors_draft_published_by_a_publisher_is_found_at_once_by_its_brand(
    browser,  # noqa: F811
    site,  # noqa: F811
    settings,
):
    settings.PAGE_CACHE_SECONDS = 600  # the page cache as in production
    make_roles()  # the real Editors and Publishers groups
    editor = account("journey-editor", "Editors")
    publisher = account("journey-publisher", "Publishers")
    # A visitor looks first: nothing, and that answer is now in the page cache.
    assert visitor_search(browser, site, "Plorvix") == []

    page = logged_in(browser, site, editor)
    page.goto(site + "/admin/causes/drug/add/")
    page.locator("#id_name").press_sequentially("Plorvastine")  # typed: the slug follows
    assert page.input_value("#id_slug") == "plorvastine"  # filled in from the name
    choose(page, "id_cause", "Other med", "Other medicines")
    page.fill("#id_drug_class", "made-up medicine for a test")
    page.fill("#id_summary", "A made-up medicine that a test adds.[mayo-clinic-causes]")
    choose(
        page,
        "id_sources",
        "low neutrophil count",
        "Neutropenia (low neutrophil count): Causes (Mayo Clinic)",
    )
    page.fill("input[name='brand_names-0-name']", "Plorvix")
    page.fill("input[name='brand_names-1-name']", "Zenoplor")
    with page.expect_navigation():
        page.click("input[name='_save']")
    assert (
        "“Plorvastine” is saved as a draft: not public yet."
        in page.locator(".messagelist").inner_text()
    )
    shot(page, "journey-editor-saved-draft")
    page.context.close()
    assert visitor_search(browser, site, "Plorvix") == []  # a draft stays unseen

    page = logged_in(browser, site, publisher)
    page.goto(site + "/admin/causes/drug/?q=Plorvastine")
    row = page.locator("#result_list tbody tr", has_text="Plorvastine")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "published" in page.locator(".messagelist").inner_text().lower()
    shot(page, "journey-publisher-published")
    page.context.close()

    for brand in ("Plorvix", "zenoplor"):
        assert visitor_search(browser, site, brand)[0] == "/drugs/plorvastine/"
    context = browser.new_context()
    visitor = context.new_page()
    visitor.goto(site + "/drugs/plorvastine/")
    assert "Plorvix" in visitor.locator("dl.facts").inner_text()
    assert "Zenoplor" in visitor.locator("dl.facts").inner_text()
    shot(visitor, "journey-visitor-drug-page")
    context.close()


# --- phones --------------------------------------------------------------------------------

PHONE_PAGES = [
    "/",
    "/categories/drugs/",
    "/causes/antipsychotic-medications/",
    "/drugs/clozapine/",
    "/mechanisms/",
    "/mechanisms/destruction/",
    "/about/when-to-get-help/",
    "/search/?q=chemo",
    "/check/",
]


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}px")
def test_phones_scroll_no_sideways_and_every_tap_target_is_24_px(axe_browser, site, viewport):  # noqa: F811
    """Tap targets by axe-core's target-size rule: WCAG 2.2's 24 px minimum, with its
    exceptions for links inside a sentence and for targets spaced 24 px apart."""
    context = axe_browser.new_context(viewport=viewport, bypass_csp=True)  # to inject axe
    page = context.new_page()
    problems = {}
    for path in PHONE_PAGES:
        page.goto(site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        passes, small = violations(page, rules=["target-size"])
        assert passes, path  # the rule ran and found targets to check
        if width > viewport["width"] or small:
            problems[path] = {"scroll width": width, "small targets": small}
        shot(page, f"phone-{viewport['width']}{path.replace('/', '-').replace('?', '-')}")
    assert problems == {}
    context.close()


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}px")
def test_search_is_usable_on_a_phone(browser, site, viewport):  # noqa: F811
    page = browser.new_page(viewport=viewport)
    page.goto(site + "/")
    box = page.locator("#search-q").bounding_box()
    button = page.locator(".site-header button[type=submit]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert button["x"] + button["width"] <= viewport["width"]
    assert box["height"] >= 24 and button["height"] >= 24
    # The placeholder shows whole: its text is narrower than the box's content area.
    room = page.evaluate(
        """() => { const box = document.querySelector('#search-q');
                   const style = getComputedStyle(box);
                   const context = document.createElement('canvas').getContext('2d');
                   context.font = style.font;
                   const inner = box.clientWidth - parseFloat(style.paddingLeft)
                                 - parseFloat(style.paddingRight);
                   return inner - context.measureText(box.placeholder).width; }"""
    )
    assert room >= 0, f"the placeholder is cut by {-room:.0f} px"
    page.locator("#search-q").press_sequentially("Fazac", delay=20)
    page.wait_for_selector("#search-q-suggestions [role=option]")
    suggestions = page.locator("#search-q-suggestions").bounding_box()
    assert suggestions["x"] >= 0 and suggestions["x"] + suggestions["width"] <= viewport["width"]
    shot(page, f"phone-{viewport['width']}-suggestions")
    page.locator("#search-q-suggestions [role=option]").first.click()
    page.wait_for_url("**/drugs/clozapine/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.close()


# --- print ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/causes/antipsychotic-medications/", "/drugs/clozapine/"])
def test_a_page_prints_its_text_advice_and_sources_with_their_urls_and_no_navigation(
    browser,  # noqa: F811
    site,  # noqa: F811
    path,
):
    page = browser.new_page()
    page.goto(site + path)
    page.emulate_media(media="print")
    for hidden in [
        ".site-header",
        ".search-form",
        "nav.breadcrumbs",
        ".skip-link",
        ".site-footer .nav-links",
    ]:
        assert page.locator(hidden).first.is_hidden(), hidden
    for shown in ["h1", "article > p", ".advice", ".source-list", ".disclaimer"]:
        assert page.locator(shown).first.is_visible(), shown
    sources = page.locator(".source-list > li")
    assert sources.count() > 0
    for i in range(sources.count()):
        item = sources.nth(i)
        url = item.locator("a").first.get_attribute("href")
        assert item.locator(".source-url").is_visible()
        assert item.locator(".source-url").inner_text() == url
    # Numbered: the list keeps its numbers in print.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.source-list')).listStyleType")
        == "decimal"
    )
    SHOTS.mkdir(exist_ok=True)
    page.pdf(path=str(SHOTS / f"print{path.strip('/').replace('/', '-')}.pdf"), format="A4")
    page.close()
