"""axe-core (WCAG 2.1 AA rules) on every kind of public page and on the admin pages editors
use, in headless Chromium.

axe-core comes from the npm registry (tests/axe/package.json, installed by `make test`),
never fetched at run time. Pages are checked as a logged-in editor sees them; the
browser context bypasses the CSP only to inject axe itself. Violations that Django's own
admin templates (and Swagger UI, on the API docs) cause are listed in DJANGO_ADMIN_KNOWN
with the reason."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from causes.models import Drug
from tests.conftest import need
from tests.test_browser import browser, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# (rule id, part of the element's selector): a violation of Django's admin templates.
# The autocomplete widgets (autocomplete_fields) are the select2 library Django vendors:
# its search box has no label and its selection list nests a <span> in a <ul>.
DJANGO_ADMIN_KNOWN = {
    ("label", ".select2-search__field"),
    ("list", ".select2-selection__rendered"),
    # The API's docs are Swagger UI (shipped in Django Ninja): each operation's summary is
    # a button holding the copy-path and expand buttons. Its colours and the page's
    # language are fixed in site_config/templates/ninja/swagger.html; this is its markup.
    ("nested-interactive", ".opblock-summary-control"),
}

RUN_AXE = """async ([type, values]) => {
  const result = await axe.run(document, {runOnly: {type: type, values: values}});
  return {
    passes: result.passes.length,
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")),
    })),
  };
}"""


@pytest.fixture
def axe_browser(browser):  # noqa: F811
    """test_browser.py's Chromium, once axe-core is installed."""
    need(AXE.exists(), "needs axe-core: npm ci --prefix tests/axe (make test does it)")
    return browser


@pytest.fixture
def admin_page(axe_browser, site):  # noqa: F811
    User.objects.create_superuser("axe-admin", "a@example.org", "axe-admin-pass-123")
    context = axe_browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "axe-admin")
    page.fill("#id_password", "axe-admin-pass-123")
    with page.expect_navigation():
        page.click("input[type=submit]")
    yield page
    context.close()


def violations(page, rules: list[str] | None = None) -> tuple[int, list[dict]]:
    """axe's WCAG 2.1 AA rules, or only the `rules` named."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN_AXE, ["rule", rules] if rules else ["tag", WCAG_21_AA])
    found = [
        v
        for v in result["violations"]
        if not all(
            any(part in t for rule, part in DJANGO_ADMIN_KNOWN if rule == v["id"])
            for t in v["targets"]
        )
    ]
    return result["passes"], found


def test_the_admin_pages_editors_use_have_no_wcag_21_aa_violations(admin_page, site, tmp_path):  # noqa: F811
    page = admin_page
    drug = Drug.objects.get(slug="clozapine")
    pages = [
        "/admin/",
        "/admin/causes/cause/",
        f"/admin/causes/drug/{drug.pk}/change/",
        f"/admin/causes/drug/{drug.pk}/history/",
        f"/admin/causes/drug/{drug.pk}/versions/",
        f"/admin/causes/drug/{drug.pk}/versions/compare/?a=now&b=now",
        "/admin/search/?q=clozaril",
        "/admin/causes/source/import/",
    ]
    checked = {}
    for path in pages:
        page.goto(site + path)
        passes, found = violations(page)
        assert passes > 10, path  # axe ran and checked something
        checked[path] = found
    # The import preview, after a file is chosen.
    page.goto(site + "/admin/causes/source/import/")
    csv = tmp_path / "axe-sources.csv"
    csv.write_text(
        "slug,title,publisher,url,accessed\n"
        "axe-new,An axe test source,Journal,https://example.org/axe,2026-11-25\n"
    )
    page.set_input_files("#id_import_file", str(csv))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "What this file changes" in page.content()
    checked["import preview"] = violations(page)[1]
    assert {path: found for path, found in checked.items() if found} == {}


def test_axe_finds_a_violation_when_there_is_one(admin_page, site):  # noqa: F811
    page = admin_page
    page.goto(site + "/admin/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    _, found = violations(page)
    assert "image-alt" in {v["id"] for v in found}


PUBLIC_PAGES = [
    "/",
    "/categories/drugs/",
    "/causes/chemotherapy/",
    "/drugs/clozapine/",
    "/mechanisms/destruction/",
    "/mechanisms/",
    "/about/what-is-neutropenia/",
    "/about/when-to-get-help/",
    "/search/?q=clozaril",  # results
    "/search/?q=zzzzqq",  # none
    "/search/?q=lipitor",  # a medicine this reference does not list
    "/check/",
    "/data/",
    "/api/v1/docs",  # the API's interactive docs (Swagger UI, served by the site)
    "/no-such-page/",  # the 404
]


def test_every_kind_of_public_page_has_no_wcag_21_aa_violations(axe_browser, site):  # noqa: F811
    context = axe_browser.new_context(bypass_csp=True)
    page = context.new_page()
    checked = {}
    for path in PUBLIC_PAGES:
        page.goto(site + path)
        if path.endswith("/docs"):
            page.wait_for_selector(".opblock-summary-path")  # Swagger UI has drawn
        passes, found = violations(page)
        assert passes > 5, path
        checked[path] = found
    page.goto(site + "/check/")
    page.fill("textarea", "Clozaril\nLipitor\nxyzzy")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert "Lipitor" in page.content()
    checked["check results"] = violations(page)[1]
    context.close()
    assert {path: found for path, found in checked.items() if found} == {}
