"""Relevance table: what visitors type, and the answers that must come first.

Each row is a query and the entries that must open the results, in that order. The same
table runs on SQLite and on PostgreSQL (CI runs the suite on both), and the complete
result lists are compared with one snapshot, so both databases give the same answers in
the same order.
"""

import json
from pathlib import Path

import pytest

from causes.search import search_entries

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "data" / "search_snapshot.json"

RELEVANCE = [
    # brand names off a pill bottle: the drug first
    ("Clozaril", ["/drugs/clozapine/"]),
    ("Fazaclo", ["/drugs/clozapine/"]),
    ("Tapazole", ["/drugs/methimazole/"]),
    ("Vancocin", ["/drugs/vancomycin/"]),
    ("Cytovene", ["/drugs/ganciclovir/"]),
    ("Valcyte", ["/drugs/valganciclovir/"]),
    ("Azulfidine", ["/drugs/sulfasalazine/"]),
    # exact names
    ("Lupus", ["/causes/lupus/"]),
    ("sepsis", ["/causes/sepsis/"]),
    ("Drugs", ["/categories/drugs/"]),
    ("destruction", ["/mechanisms/destruction/"]),
    ("Myelofibrosis", ["/causes/myelofibrosis/"]),
    # prefixes
    ("chemo", ["/causes/chemotherapy/"]),
    ("myelo", ["/causes/myelofibrosis/", "/causes/myelodysplastic-syndromes/"]),
    ("clozap", ["/drugs/clozapine/"]),
    ("hepatitis", ["/causes/hepatitis-a/", "/causes/hepatitis-b/", "/causes/hepatitis-c/"]),
    ("valgan", ["/drugs/valganciclovir/"]),
    # words in any order, missing or extra hyphens and spaces
    ("barr epstein", ["/causes/epstein-barr-virus/"]),
    ("epstein barr", ["/causes/epstein-barr-virus/"]),
    ("chicken pox", ["/causes/chickenpox/"]),
    ("chicken-pox", ["/causes/chickenpox/"]),
    ("hiv aids", ["/causes/hiv-aids/"]),
    ("penicillin-g", ["/drugs/penicillin-g/"]),
    # case and accents
    ("LEUKEMIA", ["/causes/leukemia/"]),
    ("Sépsis", ["/causes/sepsis/"]),
    ("clozapíne", ["/drugs/clozapine/"]),
    # typos of one or two letters
    ("methimazol", ["/drugs/methimazole/"]),
    ("clozapin", ["/drugs/clozapine/"]),
    ("vancomicin", ["/drugs/vancomycin/"]),
    ("lupis", ["/causes/lupus/"]),
    ("leukima", ["/causes/leukemia/"]),
    ("salmonela", ["/causes/salmonella-infection/"]),
    ("sepsys", ["/causes/sepsis/"]),
    ("propylthiouricil", ["/drugs/propylthiouracil/"]),
    ("gancyclovir", ["/drugs/ganciclovir/"]),
    ("quinadine", ["/drugs/quinidine/"]),
    ("measels", ["/causes/measles/"]),
    ("myelodisplastic", ["/causes/myelodysplastic-syndromes/"]),
    ("rheumatoid arthritus", ["/causes/rheumatoid-arthritis/"]),
    # abbreviations and aliases
    ("EBV", ["/causes/epstein-barr-virus/"]),
    ("SLE", ["/causes/lupus/"]),
    ("MDS", ["/causes/myelodysplastic-syndromes/"]),
    ("PTU", ["/drugs/propylthiouracil/"]),
    ("GPA", ["/causes/granulomatosis-with-polyangiitis/"]),
    ("Wegener's granulomatosis", ["/causes/granulomatosis-with-polyangiitis/"]),
    ("varicella", ["/causes/chickenpox/"]),
    ("radiotherapy", ["/causes/radiation-therapy/"]),
    ("mono", ["/causes/epstein-barr-virus/"]),
    # British spellings
    ("leukaemia", ["/causes/leukemia/"]),
    ("anaemia", ["/causes/aplastic-anemia/"]),
    ("aplastic anaemia", ["/causes/aplastic-anemia/"]),
    ("sulphasalazine", ["/drugs/sulfasalazine/"]),
    ("septicaemia", ["/causes/sepsis/"]),
    # lay phrases carried by an alias or a summary
    ("blood infection", ["/causes/sepsis/"]),
    ("kissing disease", ["/causes/epstein-barr-virus/"]),
    ("blood poisoning", ["/causes/sepsis/"]),
    ("glandular fever", ["/causes/epstein-barr-virus/"]),
    ("enlarged spleen", ["/causes/abnormalities-of-the-spleen/"]),
    ("cocaine", ["/causes/levamisole/"]),
    ("duffy", ["/about/benign-neutropenia/"]),
    # the condition itself, in lay words (an article's search terms)
    ("neutropenia", ["/about/what-is-neutropenia/"]),
    ("low neutrophils", ["/about/what-is-neutropenia/"]),
    ("low white count", ["/about/what-is-neutropenia/"]),
    ("agranulocytosis", ["/about/what-is-neutropenia/"]),
    ("DANC", ["/about/benign-neutropenia/"]),
]


def top_urls(q: str, n: int = 3) -> list[str]:
    return [r.url for r in search_entries(q).results[:n]]


def test_the_table_covers_at_least_forty_queries():
    assert len(RELEVANCE) >= 40


@pytest.mark.parametrize("q, expected", RELEVANCE, ids=[q for q, _ in RELEVANCE])
def test_expected_answers_come_first(q, expected):
    assert top_urls(q, max(3, len(expected)))[: len(expected)] == expected


def snapshot_of_all_queries() -> dict[str, list[list]]:
    return {
        q: [[r.url, r.tier, r.field, r.term] for r in search_entries(q).results[:10]]
        for q, _ in RELEVANCE
    }


def test_results_are_the_same_on_every_database():
    """The snapshot was written on SQLite; PostgreSQL must give exactly the same lists."""
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot_of_all_queries() == expected


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit("Regenerate with: pytest tests/test_search_relevance.py --write-snapshot")
