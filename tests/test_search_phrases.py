"""Phrases and questions (issue 10): words that carry no meaning never prevent a match,
specific words outrank general ones, a name outranks a mention in the text, and every
name of every published drug still leads its results when a visitor wraps it in words.

The cases are built from the content itself (every drug, brand name and cause), so they
cover names no one listed by hand.
"""

import pytest

from causes.models import BrandName, Cause, Drug
from causes.query_words import is_dose, is_noise
from causes.search import FUZZY, SOME_WORDS, SUMMARY, Query, search_entries

pytestmark = pytest.mark.django_db

# Ways visitors wrap a name: {} is the name.
WRAPPINGS = [
    "{} side effects",
    "{} 450 mg",
    "{} 10mg tablets",
    "does {} lower white blood cells",
    "can {} cause low neutrophils",
    "is {} safe",
    "{} and low white count",
    "{} 0.5 mg twice daily",
]


def drug_names():
    """(typed name, drug URL) for every published drug and each of its brand names."""
    names = []
    for drug in Drug.objects.published():
        names.append((drug.name, drug.get_absolute_url()))
    for brand in BrandName.objects.filter(drug__status="published").select_related("drug"):
        names.append((brand.name, brand.drug.get_absolute_url()))
    return names


def first_url(q: str) -> str | None:
    results = search_entries(q).results
    return results[0].url if results else None


def test_every_drug_name_leads_its_results_whatever_words_wrap_it():
    """The drug leads, or what leads for the bare name (levamisole is a cause and a drug
    of the same name: the cause leads either way)."""
    misses = [
        (wrap.format(name), url, first_url(wrap.format(name)))
        for name, url in drug_names()
        for wrap in WRAPPINGS
        if first_url(wrap.format(name)) not in (url, first_url(name))
    ]
    assert len(drug_names()) >= 20
    assert misses == []


def test_every_cause_name_leads_its_results_in_a_question():
    misses = []
    for cause in Cause.objects.published():
        for q in [f"can {cause.name} cause neutropenia", f"neutropenia from {cause.name}"]:
            if first_url(q) != cause.get_absolute_url():
                misses.append((q, first_url(q)))
    assert misses == []


@pytest.mark.parametrize(
    "word", ["does", "what", "side", "effects", "mg", "450", "10mg", "0", "tablets", "safe"]
)
def test_noise_words_are_noise(word):
    assert is_noise(Query.parse(word).words[0])


@pytest.mark.parametrize("word", ["b12", "hhv4", "lupus", "clozapine"])
def test_names_with_digits_are_not_doses(word):
    assert not is_dose(word) and not is_noise(word)


def test_the_name_typed_is_kept_as_typed():
    assert Query.parse("Does Valcyte 450 mg cause fever?").core_text == "Valcyte"
    assert Query.parse("what is agranulocytosis?").core_text == "agranulocytosis"
    assert Query.parse("Lipitor 20mg tablets").core_text == "Lipitor"


def test_a_drug_this_reference_does_not_list_is_named_inside_a_phrase():
    outcome = search_entries("Lipitor 20 mg side effects")
    assert outcome.unlisted_drug.name == "Atorvastatin"
    assert outcome.name == "Lipitor"


def test_a_brand_only_the_dictionary_knows_finds_the_drug_inside_a_phrase():
    assert first_url("Leponex side effects") == "/drugs/clozapine/"


def test_specific_words_rank_above_general_ones():
    """'lupus' is specific, 'neutropenia' general: lupus leads, whatever the order."""
    for q in ["neutropenia lupus", "lupus neutropenia", "low neutrophils with lupus"]:
        assert first_url(q) == "/causes/lupus/", q


def test_a_name_ranks_above_a_mention_in_the_text():
    results = search_entries("does clozapine lower white blood cells").results
    urls = [r.url for r in results]
    assert urls[0] == "/drugs/clozapine/"
    # The group cause mentions clozapine in its text: after the drug.
    assert urls.index("/causes/antipsychotic-medications/") > 0


def test_a_phrase_of_two_specific_words_prefers_the_entry_with_both():
    results = search_entries("ganciclovir marrow suppression").results
    assert results[0].url == "/drugs/ganciclovir/"
    assert results[0].tier in (SOME_WORDS, FUZZY - 1, FUZZY) or results[0].tier < FUZZY


def test_every_result_says_why_it_matched(client):
    response = client.get("/search/", {"q": "does clozapine lower white blood cells"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Clozapine" in page
    # Results found only in the text show their snippet, with the words marked.
    text_hits = [
        r
        for r in search_entries("does clozapine lower white blood cells").results
        if r.tier == SUMMARY
    ]
    assert text_hits and all("<mark>" in r.snippet for r in text_hits)


def test_only_noise_finds_what_the_words_find_as_before():
    """All words noise ('what is it'): nothing dropped, nothing invented."""
    outcome = search_entries("what is it")
    assert all(r.tier <= SUMMARY for r in outcome.results)


@pytest.mark.parametrize(
    "q",
    [
        "mg mg mg 1 2 3",
        "' OR 1=1 -- side effects",
        "<script>alert(1)</script> 50 mg",
        "clozapine " * 60,
        "does does does does",
        "😀 clozapine 😀",
    ],
)
def test_hostile_phrases_never_error_and_come_back_escaped(client, q):
    response = client.get("/search/", {"q": q[:200]})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_form_words_and_two_letter_words_never_outrank_the_name():
    """'EN-tabs' (enteric-coated tablets) once let 'en' match 'enlarged' and 'enteric'."""
    assert first_url("azulfidine en-tabs 500 mg") == "/drugs/sulfasalazine/"
    assert first_url("azulfidine EC 500mg") == "/drugs/sulfasalazine/"


def test_a_condition_this_reference_does_not_cover_is_never_answered_with_a_treatment():
    """'high' and 'blood' are no condition: nothing here treats high blood pressure."""
    outcome = search_entries("high blood pressure medicine")
    assert [r.title for r in outcome.results if r.treats or r.tier <= FUZZY] == []
