"""The public JSON API (/api/v1/, causes/api/) and the open-data downloads: each endpoint's
content against the database, filters, pagination, drafts absent, look-ups with the
medicines check's limits, the same search as the site, errors as JSON with the right
status, the rate limit, ETag/304, Cache-Control and CORS. Runs on SQLite and PostgreSQL."""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from lxml import html as lxml_html

from causes import medicines
from causes.api import data
from causes.models import AliasKind, Category, Cause, Drug, Mechanism, Status
from causes.search import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db
API = "/api/v1"


def get(client, path: str, status: int = 200, **extra):
    response = client.get(API + path, **extra)
    assert response.status_code == status, (path, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(items) -> list[str]:
    return [item["slug"] for item in items]


# --- reference data -------------------------------------------------------------------------


def test_categories_are_the_published_ones_in_order(client, category):
    Category.objects.filter(slug="drugs").update(status=Status.DRAFT)
    answer = get(client, "/categories")
    assert slugs(answer) == list(Category.objects.published().values_list("slug", flat=True))
    assert "drugs" not in slugs(answer) and "test-category" in slugs(answer)


def test_mechanisms_with_their_numbered_sources(client):
    answer = get(client, "/mechanisms")
    assert slugs(answer) == list(Mechanism.objects.values_list("slug", flat=True))
    destruction = next(m for m in answer if m["slug"] == "destruction")
    assert "[" not in destruction["explanation"] or "[1]" in destruction["explanation"]
    assert [s["number"] for s in destruction["sources"]] == list(
        range(1, len(destruction["sources"]) + 1)
    )


# --- causes ---------------------------------------------------------------------------------


def test_causes_lists_every_published_cause_and_no_draft(client, cause):
    Cause.objects.filter(slug="lupus").update(status=Status.DRAFT)
    answer = get(client, "/causes?page_size=200")
    expected = list(Cause.objects.published().values_list("slug", flat=True))
    assert slugs(answer["results"]) == expected
    assert answer["count"] == len(expected)
    assert "lupus" not in expected and "zelbrix-syndrome" in expected


def test_causes_of_a_draft_category_are_not_published(client):
    Category.objects.filter(slug="infections").update(status=Status.DRAFT)
    answer = get(client, "/causes?page_size=200")
    assert not [c for c in answer["results"] if c["category"] == "infections"]
    get(client, "/causes/measles", 404)


@pytest.mark.parametrize("category", ["drugs", "infections"])
def test_causes_filter_by_category(client, category):
    answer = get(client, f"/causes?category={category}&page_size=200")
    expected = Cause.objects.published().filter(category__slug=category)
    assert slugs(answer["results"]) == list(expected.values_list("slug", flat=True))


def test_causes_filter_by_mechanism_and_category_together(client):
    answer = get(client, "/causes?mechanism=abnormal-storage&category=infections&page_size=200")
    expected = Cause.objects.published().filter(
        mechanisms__slug="abnormal-storage", category__slug="infections"
    )
    assert slugs(answer["results"]) == list(expected.values_list("slug", flat=True))
    assert all("abnormal-storage" in c["mechanisms"] for c in answer["results"])


def test_causes_filter_by_search_ranks_as_the_site(client):
    answer = get(client, "/causes?q=EBV")
    assert answer["results"][0]["slug"] == "epstein-barr-virus"


@pytest.mark.parametrize("size", [1, 5, 7])
def test_causes_pagination_covers_every_cause_once(client, size):
    first = get(client, f"/causes?page_size={size}")
    assert first["pages"] == -(-first["count"] // size)
    seen = []
    for page in range(1, first["pages"] + 1):
        answer = get(client, f"/causes?page_size={size}&page={page}")
        assert len(answer["results"]) <= size
        seen += slugs(answer["results"])
    assert seen == list(Cause.objects.published().values_list("slug", flat=True))
    get(client, f"/causes?page_size={size}&page={first['pages'] + 1}", 404)


@pytest.mark.parametrize(
    "query, message",
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=1000", "page_size"),
        ("q=" + "x" * (MAX_QUERY_LENGTH + 1), "q"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, query, message):
    answer = get(client, f"/causes?{query}", 400)
    assert message in answer["error"]


@pytest.mark.parametrize(
    "path, message",
    [
        ("/causes?category=no-such", "No published category"),
        ("/causes?mechanism=no-such", "No mechanism"),
        ("/drugs?cause=no-such", "No published cause"),
    ],
)
def test_a_filter_naming_nothing_published_is_a_404(client, path, message):
    assert message in get(client, path, 404)["error"]


def test_a_cause_with_everything_its_page_shows(client):
    cause = data.causes().get(slug="antipsychotic-medications")
    answer = get(client, "/causes/antipsychotic-medications")
    assert answer["name"] == cause.name and answer["kind"] == cause.kind
    assert answer["category"] == {"slug": "drugs", "name": "Drugs"}
    assert [m["slug"] for m in answer["mechanisms"]] == [m.slug for m in cause.mechanisms.all()]
    assert slugs(answer["drugs"]) == [d.slug for d in cause.drugs.all()]
    clozapine = next(d for d in answer["drugs"] if d["slug"] == "clozapine")
    fazaclo = next(b for b in clozapine["brand_names"] if b["name"] == "Fazaclo")
    assert fazaclo["market"] == "discontinued_us"
    assert fazaclo["market_label"].startswith("no longer sold in the US")
    assert all(a["kind"] != AliasKind.MISSPELLING for a in answer["aliases"])
    assert answer["last_reviewed"] == cause.last_reviewed.isoformat()
    assert answer["used_to_treat"] and answer["advice"]
    # Citations as the page numbers them; no raw markers.
    page = lxml_html.fromstring(client.get(cause.get_absolute_url()).content)
    listed = [a.get("href") for a in page.xpath('//ol[@class="source-list"]/li/a')]
    assert [s["url"] for s in answer["sources"]] == listed
    assert "[1]" in answer["summary"] and "[mayo-clinic-causes]" not in answer["summary"]


def test_a_draft_or_unknown_cause_is_a_json_404(client, cause):
    cause.status = Status.DRAFT
    cause.save()
    assert "No published cause" in get(client, "/causes/zelbrix-syndrome", 404)["error"]
    get(client, "/causes/no-such-cause", 404)


def test_a_cause_slug_that_is_not_a_slug_is_a_404_not_an_error(client):
    for slug in ["%3Cscript%3E", "a%27%20OR%201%3D1--", "%E2%9C%93", "x" * 300]:
        response = client.get(f"{API}/causes/{slug}")
        assert response.status_code == 404
        assert b"<script>" not in response.content  # escaped as \u003c, still the same JSON
        assert "No published cause" in response.json()["error"]


# --- drugs ----------------------------------------------------------------------------------


def test_drugs_lists_published_drugs_and_filters_by_cause(client, drug):
    Drug.objects.filter(slug="clozapine").update(status=Status.DRAFT)
    answer = get(client, "/drugs?page_size=200")
    assert slugs(answer["results"]) == list(Drug.objects.published().values_list("slug", flat=True))
    assert "clozapine" not in slugs(answer["results"]) and "quorvatide" in slugs(answer["results"])
    by_cause = get(client, "/drugs?cause=certain-antibiotics")
    assert all(d["cause"] == "certain-antibiotics" for d in by_cause["results"])
    assert (
        by_cause["count"]
        == Drug.objects.published().filter(cause__slug="certain-antibiotics").count()
    )


def test_a_drug_with_its_brands_class_cause_and_sources(client):
    drug = data.drugs().get(slug="clozapine")
    answer = get(client, "/drugs/clozapine")
    assert answer["drug_class"] == drug.drug_class
    assert [b["name"] for b in answer["brand_names"]] == [b.name for b in drug.brand_names.all()]
    assert answer["cause"] == {"slug": "antipsychotic-medications", "name": drug.cause.name}
    assert answer["category"]["slug"] == "drugs"
    assert len(answer["sources"]) == drug.sources.count()
    assert answer["on_source_page"] is True


# --- search and look-ups --------------------------------------------------------------------


@pytest.mark.parametrize(
    "q", ["clozaril", "methimazol", "does clozapine lower white blood cells", "EBV", "leukaemia"]
)
def test_search_gives_the_sites_results_in_the_sites_order(client, q):
    answer = get(client, f"/search?q={q}")
    page = lxml_html.fromstring(client.get("/search/", {"q": q}).content)
    site = page.xpath('//ol[@id="results"]//a[@class="result-title"]/@href')
    assert [r["url"] for r in answer["results"]][: len(site)] == site
    assert answer["count"] >= len(site) > 0


def test_search_names_a_medicine_it_does_not_list(client):
    answer = get(client, "/search?q=Lipitor")
    assert answer["unlisted_medicine"] == "atorvastatin"


@pytest.mark.parametrize("q", ["", "   ", "\x00\x01"])
def test_an_empty_search_is_a_400(client, q):
    assert get(client, "/search", 400, data={"q": q})["error"]


def test_looking_up_a_brand_names_its_drug_and_cause(client):
    answer = get(client, "/lookup?name=Fazaclo")
    assert answer["listed"] is True
    assert answer["drug"] == {"slug": "clozapine", "name": "Clozapine"}
    assert answer["cause"]["slug"] == "antipsychotic-medications"
    assert answer["reason"] == "brand name"
    assert answer["status"] == medicines.Status.DRUG_OTHER_NAME


def test_looking_up_a_list_answers_each_as_the_medicines_check_does(client):
    names = ["Clozaril", "Lipitor", "xyzzy", "lupus"]
    answer = get(client, "/lookup/list?" + "&".join(f"names={n}" for n in names))
    assert [a["name"] for a in answer] == names
    expected = medicines.check(names)
    assert [a["status"] for a in answer] == [e.status.value for e in expected]
    assert answer[1]["medicine_name"] == "atorvastatin" and answer[1]["listed"] is False
    assert answer[2]["status"] == medicines.Status.UNKNOWN
    assert answer[3]["cause"] == {"slug": "lupus", "name": "Lupus"} and answer[3]["drug"] is None


def test_the_list_look_up_has_the_medicines_checks_limits(client):
    too_many = "&".join(f"names=medicine{i}" for i in range(medicines.MAX_ITEMS + 1))
    assert "at most 30" in get(client, f"/lookup/list?{too_many}", 400)["error"]
    long_name = "x" * (medicines.MAX_ITEM_LENGTH + 1)
    assert "characters" in get(client, f"/lookup/list?names={long_name}", 400)["error"]
    assert (
        "at most 30"
        in get(client, f"/lookup/list?{too_many.replace('medicine', 'm')}", 400)["error"]
    )
    huge = "&".join(f"names={'y' * 99}{i}" for i in range(400))  # some 40 KB
    assert "too large" in get(client, f"/lookup/list?{huge}", 413)["error"]
    assert get(client, f"/lookup?name={long_name}", 400)["error"]
    assert get(client, "/lookup/list", 400)["error"]


# --- HTTP: errors, methods, caching, CORS, rate limit -----------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_anything_but_get_head_options_is_a_json_405(client, method):
    response = getattr(client, method)(API + "/causes", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "read only" in response.json()["error"]


def test_head_and_options_are_allowed(client):
    head = client.head(API + "/causes")
    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) == len(client.get(API + "/causes").content)
    response = client.options(API + "/causes")
    assert response.status_code == 204 and response["Allow"] == "GET, HEAD, OPTIONS"


def test_an_unknown_api_address_is_a_json_404(client):
    assert "No such API address" in get(client, "/no-such-thing", 404)["error"]


def test_a_server_error_is_json_and_says_nothing_inside(client, monkeypatch):
    monkeypatch.setattr(data, "categories", lambda: 1 / 0)
    client.raise_request_exception = False
    response = client.get(API + "/categories")
    assert response.status_code == 500
    assert response.json() == {"error": "Something went wrong on our side; it has been logged."}


def test_etag_and_a_conditional_get_answer_304(client):
    first = client.get(API + "/causes/lupus")
    etag = first["ETag"]
    again = client.get(API + "/causes/lupus", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    lupus = Cause.objects.get(slug="lupus")
    lupus.summary += " Changed."
    lupus.save()
    changed = client.get(API + "/causes/lupus", headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_public_answers_may_be_cached_and_look_ups_never(client, settings):
    assert client.get(API + "/drugs/clozapine")["Cache-Control"] == (
        f"public, max-age={settings.PUBLIC_MAX_AGE_SECONDS}"
    )
    for path in ["/lookup?name=Clozaril", "/lookup/list?names=Clozaril"]:
        cache_control = client.get(API + path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_cors_is_open_for_get_and_nothing_else(client):
    response = client.get(API + "/causes/lupus", headers={"origin": "https://clinic.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        API + "/causes",
        headers={"origin": "https://clinic.example", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    allowed = {m.strip() for m in preflight["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    site_page = client.get("/causes/lupus/", headers={"origin": "https://clinic.example"})
    assert "Access-Control-Allow-Origin" not in site_page


def test_the_rate_limit_answers_429_with_retry_after_per_client_address(settings):
    settings.API_RATE_LIMIT = "3/m"
    settings.PAGE_CACHE_SECONDS = 600  # cached answers count too
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert visitor.get(API + "/categories").status_code == 200
    refused = visitor.get(API + "/categories")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.json()["error"]
    # A forged X-Forwarded-For from an untrusted address changes nothing.
    forged = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.get(API + "/causes/lupus").status_code == 429
    # Another address has its own budget; the site's pages are not limited.
    assert Client(REMOTE_ADDR="203.0.113.8").get(API + "/categories").status_code == 200
    assert visitor.get("/causes/lupus/").status_code == 200


def test_behind_the_trusted_proxy_the_limit_counts_the_forwarded_client(settings):
    settings.API_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    a = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    b = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21")
    assert [a.get(API + "/mechanisms").status_code for _ in range(3)] == [200, 200, 429]
    assert b.get(API + "/mechanisms").status_code == 200


def test_with_the_cache_failing_the_api_still_answers(client, settings, monkeypatch):
    from site_config import api_guard

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(api_guard, "get_usage", broken)
    assert client.get(API + "/categories").status_code == 200


# --- open data ------------------------------------------------------------------------------


def test_the_json_download_is_the_apis_content_with_licence_and_date(client, settings):
    response = client.get(API + "/downloads/neutropenia-causes.json")
    assert response["Content-Disposition"] == 'attachment; filename="neutropenia-causes.json"'
    content = json.loads(response.content)
    assert content["about"]["licence"] == settings.OPEN_DATA_LICENCE
    assert content["about"]["attribution"] == settings.OPEN_DATA_ATTRIBUTION
    assert content["about"]["data_date"]
    assert slugs(content["causes"]) == list(
        Cause.objects.published().values_list("slug", flat=True)
    )
    assert content["causes"][0] == get(client, f"/causes/{content['causes'][0]['slug']}")
    assert content["drugs"][0] == get(client, f"/drugs/{content['drugs'][0]['slug']}")


def test_the_zip_holds_a_csv_per_kind_the_json_and_a_readme(client):
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(API + "/downloads/neutropenia-causes.zip").content)
    )
    assert set(archive.namelist()) == {
        "README.txt",
        "neutropenia-causes.json",
        "categories.csv",
        "mechanisms.csv",
        "causes.csv",
        "drugs.csv",
        "brand_names.csv",
        "sources.csv",
    }
    causes = list(csv.DictReader(io.StringIO(archive.read("causes.csv").decode())))
    assert [row["slug"] for row in causes] == list(
        Cause.objects.published().values_list("slug", flat=True)
    )
    brands = list(csv.DictReader(io.StringIO(archive.read("brand_names.csv").decode())))
    assert {(b["drug"], b["name"]) for b in brands} >= {("clozapine", "Fazaclo")}
    assert "Licence: CC BY 4.0" in archive.read("README.txt").decode()


def test_downloads_are_never_stale_with_the_page_cache_on(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    before = client.get(API + "/downloads/neutropenia-causes.json").content
    assert client.get(API + "/downloads/neutropenia-causes.json").content == before  # cached
    lupus = Cause.objects.get(slug="lupus")
    lupus.name = "Lupus (SLE)"
    lupus.save()
    after = json.loads(client.get(API + "/downloads/neutropenia-causes.json").content)
    assert "Lupus (SLE)" in [c["name"] for c in after["causes"]]


def test_the_open_data_page_links_downloads_docs_licence_and_date(client):
    page = lxml_html.fromstring(client.get("/data/").content)
    links = page.xpath("//main//a/@href")
    for href in [
        "/api/v1/downloads/neutropenia-causes.json",
        "/api/v1/downloads/neutropenia-causes.zip",
        "/api/v1/docs",
        "/api/v1/openapi.json",
        "https://creativecommons.org/licenses/by/4.0/",
    ]:
        assert href in links
    assert page.xpath("//main//time/@datetime")
    footer = lxml_html.fromstring(client.get("/").content).xpath("//footer//a/@href")
    assert "/data/" in footer


# --- schema and docs ----------------------------------------------------------------------


def test_the_openapi_schema_describes_every_endpoint(client):
    schema = get(client, "/openapi.json")
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/categories",
        "/api/v1/mechanisms",
        "/api/v1/causes",
        "/api/v1/causes/{slug}",
        "/api/v1/drugs",
        "/api/v1/drugs/{slug}",
        "/api/v1/search",
        "/api/v1/lookup",
        "/api/v1/lookup/list",
    }
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        assert "429" in operations["get"]["responses"], path


def test_the_docs_are_served_by_the_site_itself_under_the_strict_csp(client):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    assets = page.xpath("//script/@src | //link[@rel='stylesheet']/@href")
    assert assets and all(a.startswith("/static/") for a in assets)  # nothing from elsewhere
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


# --- fixed query counts, whatever the data size ----------------------------------------------

COUNTED = [
    "/categories",
    "/mechanisms",
    "/causes",
    "/causes?category=drugs&mechanism=destruction",
    "/causes?q=lupus",
    "/causes/antipsychotic-medications",
    "/drugs",
    "/drugs/clozapine",
    "/search?q=clozaril",
    "/lookup?name=Fazaclo",
    "/lookup/list?names=Clozaril&names=Lipitor&names=lupus",
    "/downloads/neutropenia-causes.json",
]


def queries_of(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(API + path).status_code == 200, path
    return len(captured)


def test_each_endpoint_runs_the_same_number_of_queries_with_more_data(client):
    from django.core.management import call_command

    before = {path: queries_of(client, path) for path in COUNTED}
    call_command("bench_data", entries=60, verbosity=0)
    after = {path: queries_of(client, path) for path in COUNTED}
    assert after == before
    downloads = before.pop("/downloads/neutropenia-causes.json")
    assert max(before.values()) <= 8 and downloads <= 20
