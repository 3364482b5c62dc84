"""Public pages: content, links, drafts hidden, helpful 404s, fixed query counts."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from causes.models import Article, Category, Cause, Drug, Mechanism, Status

pytestmark = pytest.mark.django_db

DISCLAIMER = "It is not medical advice"


def test_home_shows_every_category_with_its_causes_mechanisms_and_benign_neutropenia(client):
    response = client.get("/")
    assert response.status_code == 200
    for category in Category.objects.published():
        assertContains(response, f'href="{category.get_absolute_url()}"')
    for cause in Cause.objects.published():
        assertContains(response, f'href="{cause.get_absolute_url()}"')
    for mechanism in Mechanism.objects.all():
        assertContains(response, mechanism.name)
    assertContains(response, "Benign neutropenia")
    assertContains(response, 'role="search"')
    assertContains(response, DISCLAIMER)
    assertContains(response, "<title>Causes of neutropenia")
    assertContains(response, '<meta name="description"')
    assertContains(response, 'name="viewport"')


def test_category_page_lists_its_causes_in_order_with_drugs_and_brands(client):
    response = client.get("/categories/drugs/")
    assert response.status_code == 200
    content = response.content.decode()
    names = list(Cause.objects.filter(category__slug="drugs").values_list("name", flat=True))
    positions = [content.index(name) for name in names]
    assert positions == sorted(positions)
    assertContains(response, "Clozaril")
    assertContains(response, 'href="/drugs/clozapine/"')
    assertContains(response, 'href="/mechanisms/destruction/"')


def test_cause_page_shows_summary_mechanisms_drugs_aliases_sources_and_review(client):
    cause = Cause.objects.get(drugs__slug="clozapine")
    response = client.get(cause.get_absolute_url())
    assertContains(response, cause.summary[:40])
    assertContains(
        response, '<a href="/drugs/clozapine/"><strong>Clozapine</strong></a>', html=True
    )
    assertContains(response, "Clozaril")
    assertContains(response, "Fazaclo")
    assertContains(response, "Sources")
    assertContains(response, "Mayo Clinic")
    assertContains(response, "Last reviewed:")
    assertContains(response, 'href="/categories/drugs/"')
    assertContains(response, DISCLAIMER)


def test_epstein_barr_page_lists_its_aliases(client):
    response = client.get("/causes/epstein-barr-virus/")
    assertContains(response, "Also known as")
    assertContains(response, "EBV")
    assertContains(response, "glandular fever")


def test_cause_without_a_sourced_mechanism_says_so(client):
    response = client.get("/causes/chickenpox/")
    assertContains(response, "mechanism not established")
    assertContains(response, Cause.objects.get(slug="chickenpox").mechanism_note[:40])


def test_drug_page_shows_brands_class_cause_and_mechanisms(client):
    drug = Drug.objects.get(slug="clozapine")
    response = client.get("/drugs/clozapine/")
    assertContains(response, "<h1>Clozapine</h1>", html=True)
    assertContains(response, "Clozaril, Fazaclo")
    assertContains(response, drug.drug_class)
    assertContains(response, f'href="{drug.cause.get_absolute_url()}"')
    for mechanism in drug.mechanisms.all():
        assertContains(response, f'href="{mechanism.get_absolute_url()}"')
    assertContains(response, "Last reviewed:")


def test_mechanism_page_lists_every_published_cause_that_works_through_it(client):
    mechanism = Mechanism.objects.get(slug="abnormal-storage")
    response = client.get(mechanism.get_absolute_url())
    for cause in mechanism.causes.published():
        assertContains(response, f'href="{cause.get_absolute_url()}"')
    assertContains(response, mechanism.explanation[:40])


def test_article_page(client):
    article = Article.objects.get(slug="benign-neutropenia")
    response = client.get(article.get_absolute_url())
    assertContains(response, "<h1>Benign neutropenia</h1>", html=True)
    assertContains(response, "Sources")


def test_draft_cause_is_hidden_everywhere(client, cause):
    cause.status = Status.DRAFT
    cause.save()
    assert client.get(cause.get_absolute_url()).status_code == 404
    assertNotContains(client.get("/"), cause.name)
    assertNotContains(client.get(cause.category.get_absolute_url()), cause.name)
    assertNotContains(client.get("/mechanisms/destruction/"), cause.name)
    assertNotContains(client.get("/sitemap.xml"), cause.get_absolute_url())


def test_drug_under_a_draft_category_is_hidden(client, drug):
    drug.cause.category.status = Status.DRAFT
    drug.cause.category.save()
    assert client.get(drug.get_absolute_url()).status_code == 404
    assert client.get(drug.cause.get_absolute_url()).status_code == 404
    assert client.get(drug.cause.category.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/causes/no-such-cause/", "/drugs/nope/", "/categories/nope/", "/mechanisms/nope/", "/nope"],
)
def test_unknown_pages_give_a_helpful_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assertContains(response, "Page not found", status_code=404)
    assertContains(response, 'role="search"', status_code=404)
    assertContains(response, 'href="/categories/drugs/"', status_code=404)


@pytest.mark.parametrize(
    "url, queries",
    [
        ("/", 5),
        ("/categories/drugs/", 5),
        ("/causes/antipsychotic-medications/", 7),
        ("/drugs/clozapine/", 5),
        ("/mechanisms/destruction/", 7),
        ("/about/benign-neutropenia/", 2),
        # Search reads the candidates of the whole query and of its meaningful words in
        # one statement; a name only the drug dictionary knows looks for the listed drug
        # (one more), and a page without results lists the categories (one more).
        ("/search/?q=clozaril", 1),
        ("/search/?q=does+clozapine+lower+white+blood+cells", 1),
        ("/search/?q=low+white+count", 2),
        ("/search/?q=leponex", 2),
        ("/search/?q=lipitor", 3),
        ("/search/suggest?q=cloz", 1),
        ("/data/", 1),  # the date of the data
    ],
)
def test_each_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_sitemap_lists_published_pages(client):
    response = client.get("/sitemap.xml")
    assertContains(response, "/causes/lupus/")
    assertContains(response, "/drugs/clozapine/")
    assertContains(response, "/categories/infections/")


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assertContains(response, "Sitemap: http://testserver/sitemap.xml")
    assertContains(response, "Disallow: /admin/")


def test_every_page_links_the_stylesheet_and_a_title(client):
    for url in ["/", "/categories/drugs/", "/causes/lupus/", reverse("causes:search")]:
        response = client.get(url)
        assertContains(response, "causes/site.css")
        assertContains(response, "· Neutropenia causes</title>")


def test_every_page_names_its_icon_and_favicon_ico_finds_it(client):
    assertContains(client.get("/"), 'rel="icon" href="/static/causes/favicon.svg"')
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("causes/favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("causes/favicon.svg")
