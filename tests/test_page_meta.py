"""What pages say about themselves (causes/page_meta.py): JSON-LD read by a real JSON-LD
parser (extruct) and checked against the content, breadcrumbs that match the visible ones,
canonical, Open Graph and Twitter tags, a unique title and description on every page, and
the sitemap with every published page and its last change."""

import xml.etree.ElementTree as ET
from datetime import date

import extruct
import pytest
from django.urls import reverse
from lxml import html as lxml_html

from causes import page_meta
from causes.models import Article, Category, Cause, CauseKind, Drug, Mechanism, Status

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


def parsed(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, url
    text = response.content.decode()
    data = extruct.extract(text, base_url=BASE + url, syntaxes=["json-ld", "opengraph"])
    return {"html": text, "tree": lxml_html.fromstring(text), **data}


def page_node(client, url: str) -> dict:
    """The page's one JSON-LD block (schema.org context, one page object)."""
    data = parsed(client, url)
    assert len(data["json-ld"]) == 1, url
    node = data["json-ld"][0]
    assert node["@context"] == "https://schema.org"
    return node


def types(node) -> set[str]:
    kind = node["@type"]
    return set(kind) if isinstance(kind, list) else {kind}


def visible_breadcrumbs(tree) -> list[tuple[str, str | None]]:
    nav = tree.xpath('//nav[@aria-label="Breadcrumb"]')
    if not nav:
        return []
    return [(element.text_content().strip(), element.get("href")) for element in nav[0]]


def assert_breadcrumbs_match(client, url: str, expected_names: list[str]):
    data = parsed(client, url)
    node = data["json-ld"][0]
    listed = node["breadcrumb"]["itemListElement"]
    assert [item["position"] for item in listed] == list(range(1, len(listed) + 1))
    assert [item["name"] for item in listed] == expected_names
    shown = visible_breadcrumbs(data["tree"])
    assert [name for name, _ in shown] == expected_names
    # Every linked crumb points where its JSON-LD item does; the last is this page.
    for (name, href), item in zip(shown[:-1], listed[:-1], strict=True):
        assert BASE + href == item["item"], name
    assert listed[-1]["item"] == BASE + url
    assert shown[-1][1] is None  # the current page is not a link


# --- JSON-LD, per kind of page ---------------------------------------------------------


def test_home_is_a_medical_web_page_about_neutropenia_listing_every_published_cause(client):
    node = page_node(client, "/")
    assert types(node) == {"MedicalWebPage"}
    about = node["about"]
    assert about["@type"] == "MedicalCondition"
    assert about["name"] == "Neutropenia"
    published = Cause.objects.published().order_by("category__order", "order", "name")
    assert [c["name"] for c in about["cause"]] == [c.name for c in published]
    assert [c["url"] for c in about["cause"]] == [BASE + c.get_absolute_url() for c in published]
    newest = max(
        d
        for d in [
            *published.values_list("last_reviewed", flat=True),
            *Article.objects.published().values_list("last_reviewed", flat=True),
        ]
        if d
    )
    assert node["lastReviewed"] == newest.isoformat()
    website = node["isPartOf"][0]
    assert website["@type"] == "WebSite"
    target = website["potentialAction"]["target"]["urlTemplate"]
    assert target == BASE + "/search/?q={search_term_string}"


def test_a_draft_cause_is_in_no_structured_data(client, cause):
    cause.status = Status.DRAFT
    cause.save()
    for url in ["/", cause.category.get_absolute_url(), "/mechanisms/", "/mechanisms/destruction/"]:
        response = client.get(url)
        assert "Zelbrix" not in response.content.decode(), url


@pytest.mark.parametrize("kind", CauseKind.values)
def test_each_cause_is_a_medical_cause_of_the_type_its_kind_says(client, kind):
    cause = Cause.objects.published().filter(kind=kind).first()
    assert cause is not None, f"the content has no cause of kind {kind}"
    node = page_node(client, cause.get_absolute_url())
    assert types(node) == {"MedicalWebPage"}
    entity = node["about"]
    assert types(entity) == {"MedicalCause", page_meta.SCHEMA_TYPE[kind]}
    assert entity["name"] == cause.name
    assert entity["url"] == BASE + cause.get_absolute_url()
    assert node["lastReviewed"] == cause.last_reviewed.isoformat()
    # Its mechanisms, on the neutropenia it causes; its category, the collection it is in.
    mechanisms = [m.name for m in cause.mechanisms.all()]
    expected = "; ".join(mechanisms) if mechanisms else page_meta.NOT_ESTABLISHED
    assert entity["causeOf"]["name"] == "Neutropenia"
    assert entity["causeOf"]["pathophysiology"] == expected
    category = node["isPartOf"][1]
    assert category == {
        "@type": "CollectionPage",
        "name": cause.category.name,
        "url": BASE + cause.category.get_absolute_url(),
    }


def test_a_group_of_medicines_lists_its_published_drugs(client):
    cause = Cause.objects.get(slug="antipsychotic-medications")
    entity = page_node(client, cause.get_absolute_url())["about"]
    assert [d["name"] for d in entity["drug"]] == [
        d.name for d in cause.drugs.published().order_by("order", "name")
    ]
    assert all(d["@type"] == "Drug" for d in entity["drug"])


def test_a_cause_without_an_established_mechanism_says_so(client, cause):
    cause.mechanisms.clear()
    entity = page_node(client, cause.get_absolute_url())["about"]
    assert entity["causeOf"]["pathophysiology"] == page_meta.NOT_ESTABLISHED


def test_a_cause_lists_its_sources_as_its_page_numbers_them(client):
    cause = Cause.objects.get(slug="lupus")
    data = parsed(client, cause.get_absolute_url())
    cited = data["json-ld"][0]["citation"]
    listed = data["tree"].xpath('//ol[@class="source-list"]/li/a')
    assert [c["url"] for c in cited] == [a.get("href") for a in listed]
    assert [c["name"] for c in cited] == [a.text_content() for a in listed]
    assert len(cited) == cause.sources.count()


def test_a_drug_is_a_drug_with_every_brand_and_its_class(client):
    drug = Drug.objects.get(slug="clozapine")
    node = page_node(client, drug.get_absolute_url())
    entity = node["about"]
    assert entity["@type"] == "Drug"
    assert entity["nonProprietaryName"] == drug.name
    assert sorted(entity["proprietaryName"]) == sorted(
        drug.brand_names.values_list("name", flat=True)
    )
    assert len(entity["proprietaryName"]) >= 2
    assert entity["drugClass"] == {"@type": "DrugClass", "name": drug.drug_class}
    mechanisms = "; ".join(m.name for m in drug.mechanisms.all())
    assert entity["adverseOutcome"]["name"] == "Neutropenia"
    assert entity["adverseOutcome"]["pathophysiology"] == mechanisms
    assert node["lastReviewed"] == drug.last_reviewed.isoformat()


def test_a_drug_without_brands_names_none(client, drug):
    drug.brand_names.all().delete()
    entity = page_node(client, drug.get_absolute_url())["about"]
    assert "proprietaryName" not in entity
    assert entity["nonProprietaryName"] == "Quorvatide"


def test_a_category_page_lists_its_causes(client):
    category = Category.objects.get(slug="infections")
    node = page_node(client, category.get_absolute_url())
    assert types(node) == {"MedicalWebPage", "CollectionPage"}
    assert [c["name"] for c in node["about"]["cause"]] == [
        c.name for c in category.causes.published()
    ]
    assert all("InfectiousDisease" in c["@type"] for c in node["about"]["cause"])


def test_mechanism_pages_and_the_table_are_about_neutropenia_and_its_causes(client):
    mechanism = Mechanism.objects.get(slug="destruction")
    node = page_node(client, mechanism.get_absolute_url())
    assert types(node) == {"MedicalWebPage"}
    assert {c["name"] for c in node["about"]["cause"]} == set(
        mechanism.causes.published().values_list("name", flat=True)
    )
    table = page_node(client, "/mechanisms/")
    assert len(table["about"]["cause"]) == Cause.objects.published().count()
    by_name = {c["name"]: c["description"] for c in table["about"]["cause"]}
    assert by_name["Chemotherapy"] == "Decreased production"


def test_articles_search_and_check_pages_have_their_types(client):
    article = Article.objects.published().first()
    node = page_node(client, article.get_absolute_url())
    assert types(node) == {"MedicalWebPage"}
    assert node["lastReviewed"] == article.last_reviewed.isoformat()
    assert node["about"]["name"] == "Neutropenia"
    search = page_node(client, "/search/?q=clozaril")
    assert types(search) == {"SearchResultsPage"}
    assert search["mainEntity"]["itemListElement"][0]["url"] == BASE + "/drugs/clozapine/"
    assert types(page_node(client, "/search/")) == {"SearchResultsPage"}
    assert types(page_node(client, "/check/")) == {"WebPage"}


@pytest.mark.parametrize(
    "url, names",
    [
        ("/categories/drugs/", ["Home", "Drugs"]),
        ("/causes/lupus/", ["Home", "Autoimmune diseases", "Lupus"]),
        (
            "/drugs/clozapine/",
            ["Home", "Drugs", "Some antipsychotic medications", "Clozapine"],
        ),
        ("/mechanisms/destruction/", ["Home", "Destruction"]),
        ("/mechanisms/", ["Home", "Causes by mechanism"]),
        ("/about/benign-neutropenia/", ["Home", "Benign neutropenia"]),
    ],
)
def test_breadcrumb_list_matches_the_visible_breadcrumbs(client, url, names):
    assert_breadcrumbs_match(client, url, names)


def test_text_an_editor_writes_cannot_break_out_of_the_json_ld(client, cause):
    hostile = 'Quoted "text" </script><script>alert(1)</script> & <b>bold</b>'
    cause.summary = hostile
    cause.name = "Zelbrix </script> syndrome"
    cause.save()
    data = parsed(client, cause.get_absolute_url())
    assert "<script>alert(1)" not in data["html"]
    node = data["json-ld"][0]
    assert node["about"]["name"] == "Zelbrix </script> syndrome"
    assert node["about"]["description"] == page_meta.describe(hostile)


# --- tags every page carries -------------------------------------------------------------


def public_pages() -> list[str]:
    """One URL per published page, and the pages without an entry."""
    urls = ["/", "/mechanisms/", "/search/", "/search/?q=lupus", "/check/", "/data/"]
    for model in (Category, Cause, Drug, Article):
        urls += [e.get_absolute_url() for e in model.objects.published()]
    urls += [m.get_absolute_url() for m in Mechanism.objects.all()]
    return urls


def test_every_page_has_canonical_open_graph_and_twitter_tags(client):
    for url in public_pages():
        data = parsed(client, url)
        tree = data["tree"]
        canonical = tree.xpath('//link[@rel="canonical"]/@href')
        assert canonical == [BASE + url], url
        og = dict(data["opengraph"][0]["properties"])
        title = tree.findtext(".//title")
        description = tree.xpath('//meta[@name="description"]/@content')[0]
        assert og["og:url"] == BASE + url
        assert og["og:title"] + " · Neutropenia causes" == title
        assert og["og:description"] == description
        assert og["og:site_name"] == "Neutropenia causes"
        assert og["og:type"] in {"website", "article"}
        assert tree.xpath('//meta[@name="twitter:card"]/@content') == ["summary"]
        assert tree.xpath('//meta[@name="twitter:title"]/@content') == [og["og:title"]]
        assert tree.xpath('//link[@rel="icon"]/@href'), url
        assert 0 < len(description) <= page_meta.DESCRIPTION_LENGTH, url


def test_every_page_has_its_own_title_and_description(client):
    titles, descriptions = {}, {}
    for url in public_pages():
        tree = parsed(client, url)["tree"]
        title = tree.findtext(".//title")
        description = tree.xpath('//meta[@name="description"]/@content')[0]
        assert title not in titles, f"{url} has the title of {titles.get(title)}"
        assert description not in descriptions, (
            f"{url} has the description of {descriptions.get(description)}"
        )
        titles[title], descriptions[description] = url, url


def test_a_search_page_is_canonical_with_only_what_the_search_read(client):
    tree = parsed(client, "/search/?q=+Lupus+&utm_source=x")["tree"]
    assert tree.xpath('//link[@rel="canonical"]/@href') == [BASE + "/search/?q=Lupus"]


def test_behind_the_tls_proxy_the_canonical_address_is_https(client, settings):
    settings.ALLOWED_HOSTS = ["neutropenia.example"]
    proxied = {"x-forwarded-proto": "https", "host": "neutropenia.example"}
    tree = lxml_html.fromstring(client.get("/causes/lupus/", headers=proxied).content)
    expected = "https://neutropenia.example/causes/lupus/"
    assert tree.xpath('//link[@rel="canonical"]/@href') == [expected]
    assert tree.xpath('//meta[@property="og:url"]/@content') == [expected]


# --- sitemap and robots.txt --------------------------------------------------------------

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap(client) -> dict[str, str | None]:
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 (our own page)
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_the_sitemap_lists_every_published_page_and_nothing_else(client, cause):
    draft = Cause.objects.get(slug="lupus")
    draft.status = Status.DRAFT
    draft.save()
    expected = {BASE + u for u in public_pages() if "search" not in u and u != "/check/"}
    assert set(sitemap(client)) == expected
    assert BASE + "/causes/lupus/" not in sitemap(client)


def test_the_sitemap_gives_each_entry_its_last_change(client):
    lupus = Cause.objects.get(slug="lupus")
    url = BASE + lupus.get_absolute_url()
    # Recorded long before its last review: the review is the last change.
    Cause.history.filter(id=lupus.pk).update(history_date="2020-01-01T00:00:00Z")
    assert sitemap(client)[url] == lupus.last_reviewed.isoformat()
    # Changed since: the change.
    Cause.history.filter(id=lupus.pk).update(history_date="2030-05-06T12:00:00Z")
    assert sitemap(client)[url] == "2030-05-06"
    lupus.name = "Lupus (SLE)"
    lupus.save()
    assert sitemap(client)[url] == "2030-05-06"  # the newest record wins
    Cause.history.filter(id=lupus.pk, history_date__year=2030).delete()
    assert sitemap(client)[url] == date.today().isoformat()


def test_robots_txt_points_at_the_sitemap(client):
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert reverse("sitemap") == "/sitemap.xml"
