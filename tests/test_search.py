"""Search: what it finds, in what order, and that no input can break it."""

import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from causes.models import BrandName, CauseAlias, SearchEntry, Status
from causes.search import search_entries

pytestmark = pytest.mark.django_db


def result_urls(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    block = re.search(r'<ol id="results".*?</ol>', response.content.decode(), re.S)
    return re.findall(r'class="result-title" href="([^"]+)"', block.group()) if block else []


def top(q, n=3):
    return [r.url for r in search_entries(q).results[:n]]


@pytest.mark.parametrize(
    "q, first",
    [
        ("Clozaril", "/drugs/clozapine/"),
        ("clozaril", "/drugs/clozapine/"),
        ("CLOZARIL", "/drugs/clozapine/"),
        ("Tapazole", "/drugs/methimazole/"),
        ("PTU", "/drugs/propylthiouracil/"),
        ("EBV", "/causes/epstein-barr-virus/"),
        ("SLE", "/causes/lupus/"),
        ("Lupus", "/causes/lupus/"),
        ("sepsis", "/causes/sepsis/"),
        ("leukaemia", "/causes/leukemia/"),
        ("chemo", "/causes/chemotherapy/"),
        ("clozap", "/drugs/clozapine/"),
    ],
)
def test_finds_by_name_alias_brand_and_partial_word(q, first):
    assert top(q, 1) == [first]


def test_exact_name_ranks_before_partial_matches():
    urls = top("hepatitis b", 3)
    assert urls[0] == "/causes/hepatitis-b/"


def test_results_are_links_inside_the_results_element(client):
    assert result_urls(client, "Clozaril")[0] == "/drugs/clozapine/"


def test_a_brand_result_says_what_it_is_and_why_it_matched(client):
    response = client.get("/search/", {"q": "Clozaril"})
    assertContains(response, "<mark>Clozaril</mark>")
    assertContains(response, "brand name of Clozapine")
    assertContains(response, "mechanism:")
    assertContains(response, "results for “Clozaril”")


def test_empty_query_shows_help_and_categories(client):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assertContains(response, "Type a drug")
    assertContains(response, 'href="/categories/drugs/"')
    assertNotContains(response, 'id="results"')


def test_no_match_gives_a_helpful_empty_state(client):
    response = client.get("/search/", {"q": "qqqxxzzv"})
    assert response.status_code == 200
    assertContains(response, "0 results for “qqqxxzzv”")
    assertContains(response, "Browse by category")
    assertContains(response, 'href="/categories/infections/"')


def test_too_long_query_is_refused_with_a_clear_message(client):
    response = client.get("/search/", {"q": "a" * 201})
    assert response.status_code == 400
    assertContains(response, "Your search is too long (201 characters)", status_code=400)


def test_bad_page_number_is_a_400_not_a_500(client):
    response = client.get("/search/", {"q": "lupus", "page": "abc"})
    assert response.status_code == 400


def test_page_beyond_the_end_shows_the_last_page(client):
    response = client.get("/search/", {"q": "a", "page": "999"})
    assert response.status_code == 200


HOSTILE = [
    "'; DROP TABLE causes_cause; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "NEAR(a b)",
    "lupus AND sepsis",
    "lupus OR",
    '"unterminated',
    "clozapine*",
    "^*()[]{}\\|.+?$",
    "%_%",
    "ünïcödé ßtraße 中文 العربية 🙂",
    "\x01\x02\x7f",
    "a" * 200,
    "- - -",
    "''''",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_errors_and_comes_back_escaped(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x" not in body


def test_a_null_character_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "lupus\x00"})
    assertContains(response, "Null characters are not allowed.", status_code=400)


def test_html_in_the_query_is_escaped_in_the_page(client):
    response = client.get("/search/", {"q": "<b>lupus</b>"})
    assertContains(response, "&lt;b&gt;lupus&lt;/b&gt;")


def test_sql_like_input_leaves_the_data_alone(client):
    before = SearchEntry.objects.count()
    client.get("/search/", {"q": "'; DELETE FROM causes_searchentry; --"})
    assert SearchEntry.objects.count() == before


# --- index upkeep ----------------------------------------------------------------


def test_a_new_brand_name_is_found_at_once(drug):
    BrandName.objects.create(drug=drug, name="Velzora")
    assert top("Velzora", 1) == ["/drugs/quorvatide/"]


def test_a_deleted_brand_name_is_no_longer_found(drug):
    BrandName.objects.create(drug=drug, name="Velzora")
    BrandName.objects.get(name="Velzora").delete()
    assert "/drugs/quorvatide/" not in top("Velzora")


def test_a_renamed_cause_is_found_by_its_new_name_only(cause):
    cause.name = "Plorbex disease"
    cause.save()
    assert top("Plorbex disease", 1) == [cause.get_absolute_url()]
    assert cause.get_absolute_url() not in top("Zelbrix syndrome")


def test_an_alias_is_found_and_unfound_with_its_changes(cause):
    alias = CauseAlias.objects.create(cause=cause, name="ZBX", kind="abbreviation")
    assert top("ZBX", 1) == [cause.get_absolute_url()]
    alias.delete()
    assert cause.get_absolute_url() not in top("ZBX")


def test_drafts_are_not_found(cause, drug):
    cause.status = Status.DRAFT
    cause.save()
    assert top("Zelbrix syndrome") == [] or cause.get_absolute_url() not in top("Zelbrix syndrome")
    assert drug.get_absolute_url() not in top("Quorvix")


def test_deleted_entries_leave_no_index_rows(drug):
    pk = drug.pk
    drug.delete()
    assert not SearchEntry.objects.filter(target_kind="drug", target_id=pk).exists()


def test_rebuild_command_restores_the_index(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    assert top("Clozaril", 1) == ["/drugs/clozapine/"]


# --- suggestions as you type -------------------------------------------------------


def test_suggest_returns_brand_names_with_their_drug(client):
    response = client.get("/search/suggest", {"q": "cloz"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "cloz"
    first = data["suggestions"][0]
    assert first == {
        "label": "Clozapine",
        "title": "Clozapine",
        "kind": "drug",
        "url": "/drugs/clozapine/",
        "why": "Drug · atypical antipsychotic",
    }
    brand = client.get("/search/suggest", {"q": "Clozaril"}).json()["suggestions"][0]
    assert brand["label"] == "Clozaril"
    assert brand["why"] == "brand name of Clozapine, an atypical antipsychotic"


def test_suggest_has_no_summary_matches_and_at_most_eight(client):
    suggestions = client.get("/search/suggest", {"q": "a"}).json()["suggestions"]
    assert len(suggestions) <= 8


def test_suggest_offers_names_only_never_a_text_or_what_a_drug_treats(client):
    """'hyperthyroidism' is only in what drugs treat: those are results, not suggestions
    of a name as you type."""
    assert search_entries("hyperthyroidism").results
    assert client.get("/search/suggest", {"q": "hyperthyroidism"}).json()["suggestions"] == []
    labels = [
        s["label"] for s in client.get("/search/suggest", {"q": "clozaril"}).json()["suggestions"]
    ]
    assert labels == ["Clozaril"]


def test_suggest_empty_query_gives_no_suggestions(client):
    assert client.get("/search/suggest", {"q": ""}).json() == {"query": "", "suggestions": []}


def test_suggest_refuses_a_too_long_query_with_json(client):
    response = client.get("/search/suggest", {"q": "x" * 201})
    assert response.status_code == 400
    assert "too long" in response.json()["error"]


def test_suggest_only_answers_get(client):
    assert client.post("/search/suggest", {"q": "lupus"}).status_code == 405


@pytest.mark.parametrize("q", HOSTILE)
def test_suggest_survives_hostile_input(client, q):
    response = client.get("/search/suggest", {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_search_form_loads_the_suggest_script_from_a_static_file(client):
    response = client.get("/")
    assertContains(response, 'data-suggest-url="/search/suggest"')
    assertContains(response, "causes/suggest.js")
    body = response.content.decode()
    assert "<script>" not in body  # no inline script


# --- showing ------------------------------------------------------------------------


def test_results_paginate_and_keep_the_query(client, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 5
    first = client.get("/search/", {"q": "a"})
    assertContains(first, 'value="a"')
    assertContains(first, "Page 1 of")
    second = client.get("/search/", {"q": "a", "page": 2})
    assertContains(second, 'rel="prev"')
    assert result_urls(client, "a") != re.findall(
        r'class="result-title" href="([^"]+)"', second.content.decode()
    )


def test_did_you_mean_offers_a_site_name_when_nothing_close_is_found(client):
    response = client.get("/search/", {"q": "metimazxxle"})
    assertContains(response, "Did you mean")
    assertContains(response, '<a href="?q=Methimazole">Methimazole</a>', html=True)


def test_matched_words_of_a_summary_are_highlighted(client):
    response = client.get("/search/", {"q": "duffy"})
    assertContains(response, "<mark>Duffy")


# --- admin uses the same search ---------------------------------------------------------


def test_admin_cause_search_finds_what_the_site_finds(admin_client):
    response = admin_client.get("/admin/causes/cause/", {"q": "kissing disease"})
    assert [c.slug for c in response.context["cl"].result_list] == ["epstein-barr-virus"]
    response = admin_client.get("/admin/causes/cause/", {"q": "leukaemia"})
    assert "leukemia" in [c.slug for c in response.context["cl"].result_list]


def test_admin_drug_search_finds_brands_and_typos(admin_client):
    response = admin_client.get("/admin/causes/drug/", {"q": "vancomicin"})
    assert [d.slug for d in response.context["cl"].result_list] == ["vancomycin"]
    response = admin_client.get("/admin/causes/drug/", {"q": "Tapazole"})
    assert [d.slug for d in response.context["cl"].result_list] == ["methimazole"]


def test_admin_search_still_finds_drafts(admin_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    response = admin_client.get("/admin/causes/cause/", {"q": "Zelbrix"})
    assert [c.slug for c in response.context["cl"].result_list] == ["zelbrix-syndrome"]


# --- index upkeep through the admin ------------------------------------------------------


def test_inline_brand_name_change_in_the_admin_updates_the_index(admin_client, drug):
    brand = drug.brand_names.get()
    data = {
        "name": drug.name,
        "slug": drug.slug,
        "cause": drug.cause_id,
        "drug_class": drug.drug_class,
        "status": drug.status,
        "order": 0,
        "summary": drug.summary,
        "mechanisms": [m.pk for m in drug.mechanisms.all()],
        "mechanism_note": "",
        "sources": [s.pk for s in drug.cause.sources.all()],
        "seen_version": drug.version,
        "brand_names-TOTAL_FORMS": "1",
        "brand_names-INITIAL_FORMS": "1",
        "brand_names-0-id": brand.pk,
        "brand_names-0-drug": drug.pk,
        "brand_names-0-name": "Dravimex",
        "brand_names-0-in_source": "on",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/causes/drug/{drug.pk}/change/", data)
    assert response.status_code == 302
    assert top("Dravimex", 1) == [drug.get_absolute_url()]
    assert not SearchEntry.objects.filter(term="Quorvix").exists()


def test_changed_mechanisms_show_in_results(cause):
    from causes.models import Mechanism

    cause.mechanisms.set([Mechanism.objects.get(slug="abnormal-storage")])
    result = search_entries("Zelbrix syndrome").results[0]
    assert result.context == "mechanism: abnormal storage"
    Mechanism.objects.filter(slug="abnormal-storage").update()  # no signal: no change
    mechanism = Mechanism.objects.get(slug="abnormal-storage")
    mechanism.short_name = "pooling"
    mechanism.save()
    assert search_entries("Zelbrix syndrome").results[0].context == "mechanism: pooling"


def test_renamed_category_shows_in_results(cause):
    cause.category.name = "Renamed category"
    cause.category.save()
    assert search_entries("Zelbrix syndrome").results[0].description == "Renamed category"


def test_category_and_mechanism_names_are_searchable():
    assert top("Bone marrow disorders", 1) == ["/categories/bone-marrow-disorders/"]
    assert top("Decreased production", 1) == ["/mechanisms/decreased-production/"]
