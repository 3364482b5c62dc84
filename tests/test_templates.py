"""Templates written once: the brand-name list (with market status) is one partial on every
page that lists brands, sources one partial wherever they are listed, and the search box is
rendered from SearchForm, so its label and length limit are the ones the search enforces."""

import pytest
from lxml import html as lxml_html

from causes.forms import SearchForm
from causes.models import BrandName, Drug, Mechanism
from causes.search import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db


def tree(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status
    return lxml_html.fromstring(response.content)


@pytest.mark.parametrize(
    "url, field_id, status",
    [
        ("/", "search-q", 200),
        ("/causes/lupus/", "search-q", 200),
        ("/no-such-page/", "search-q-404", 404),
    ],
)
def test_the_search_box_is_rendered_from_search_form(client, url, field_id, status):
    page = tree(client, url, status)
    box = page.get_element_by_id(field_id)
    field = SearchForm.base_fields["q"]
    assert box.get("maxlength") == str(MAX_QUERY_LENGTH) == str(field.max_length)
    assert box.get("name") == "q" and box.get("type") == "search"
    label = page.xpath(f'//label[@for="{field_id}"]')[0]
    assert label.text_content() == field.label


def test_the_search_box_holds_what_was_searched_escaped(client):
    page = tree(client, "/search/?q=%22%3E%3Cb%3Elupus")
    assert page.get_element_by_id("search-q").get("value") == '"><b>lupus'
    assert not page.xpath("//header//b")


def test_a_longer_query_than_the_box_allows_is_refused_with_the_forms_message(client):
    response = client.get("/search/", {"q": "x" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 400
    assert f"at most {MAX_QUERY_LENGTH} characters" in response.content.decode()


def test_brand_names_show_their_market_status_wherever_they_are_listed(client):
    brand = BrandName.objects.get(name="Fazaclo")
    label = brand.market_label.split(":")[0]
    drug = brand.drug
    for url in [
        drug.get_absolute_url(),
        drug.cause.get_absolute_url(),
        drug.cause.category.get_absolute_url(),
    ]:
        page = tree(client, url)
        statuses = [s.text_content() for s in page.xpath('//*[@class="brand-status"]')]
        assert any(label in status for status in statuses), url


def test_sources_are_one_partial_on_every_page_that_lists_them(client):
    mechanism = Mechanism.objects.get(slug="destruction")
    drug = Drug.objects.get(slug="clozapine")
    for entry in [mechanism, drug, drug.cause]:
        page = tree(client, entry.get_absolute_url())
        items = page.xpath('//section[@class="sources"]/ol[@class="source-list"]/li')
        assert len(items) == entry.sources.count() > 0
        assert all(item.get("id", "").startswith("source-") for item in items)
