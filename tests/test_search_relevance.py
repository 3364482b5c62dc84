"""Relevance table: what visitors type, and the answers that must come first.

Each row is a query and the entries that must open the results, in that order. The same
table runs on SQLite and on PostgreSQL (CI runs the suite on both), and the complete
result lists are compared with one snapshot, so both databases give the same answers in
the same order.
"""

import json
from pathlib import Path

import pytest

from causes.search import FUZZY, search_entries

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


# Issue 10: what visitors actually type. Questions, phrases with noise words and doses,
# conditions a drug treats, and names only the drug dictionary knows.
PHRASES = [
    # questions
    ("does clozapine lower white blood cells", ["/drugs/clozapine/"]),
    ("can methimazole cause low neutrophils", ["/drugs/methimazole/"]),
    ("what causes neutropenia", ["/about/what-is-neutropenia/"]),
    ("is vancomycin safe for my white count", ["/drugs/vancomycin/"]),
    ("why is my neutrophil count low after chemo", ["/causes/chemotherapy/"]),
    ("can lupus cause low white blood cells", ["/causes/lupus/"]),
    ("does hepatitis c affect neutrophils", ["/causes/hepatitis-c/"]),
    ("how does sulfasalazine cause agranulocytosis", ["/drugs/sulfasalazine/"]),
    ("can b12 deficiency cause neutropenia", ["/causes/vitamin-deficiencies/"]),
    ("can cocaine lower your white blood cells", ["/causes/levamisole/"]),
    ("what is agranulocytosis", ["/about/what-is-neutropenia/"]),
    ("does procainamide affect the bone marrow", ["/drugs/procainamide/"]),
    ("why do my neutrophils drop with rheumatoid arthritis", ["/causes/rheumatoid-arthritis/"]),
    ("can an enlarged spleen cause low white cells", ["/causes/abnormalities-of-the-spleen/"]),
    # phrases with noise words, doses, forms
    ("azulfidine side effects", ["/drugs/sulfasalazine/"]),
    ("valcyte 450 mg", ["/drugs/valganciclovir/"]),
    ("tapazole 10mg tablets", ["/drugs/methimazole/"]),
    ("propylthiouracil 50 mg side effects", ["/drugs/propylthiouracil/"]),
    ("clozaril anc monitoring", ["/drugs/clozapine/"]),
    ("neutropenia after radiotherapy", ["/causes/radiation-therapy/"]),
    ("chemo low white blood cell count", ["/causes/chemotherapy/"]),
    ("vancomycin neutropenia", ["/drugs/vancomycin/"]),
    ("ganciclovir bone marrow suppression", ["/drugs/ganciclovir/"]),
    ("hiv low neutrophils", ["/causes/hiv-aids/"]),
    ("typhoid fever neutropenia", ["/causes/salmonella-infection/"]),
    ("enlarged spleen low white cells", ["/causes/abnormalities-of-the-spleen/"]),
    ("neutropenia from lupus", ["/causes/lupus/"]),
    ("overactive thyroid tablets", ["/causes/overactive-thyroid-medications/"]),
    ("cytovene iv dose", ["/drugs/ganciclovir/"]),
    ("thorazine 25 mg", ["/drugs/chlorpromazine/"]),
    ("quinidine sulfate 300 mg", ["/drugs/quinidine/"]),
    # what a drug is for
    ("hyperthyroidism treatment", ["/causes/overactive-thyroid-medications/"]),
    ("graves disease medication", ["/causes/overactive-thyroid-medications/"]),
    ("schizophrenia medicine", ["/causes/antipsychotic-medications/"]),
    ("treatment resistant schizophrenia drug", ["/drugs/clozapine/"]),
    ("CMV drug", ["/causes/antiviral-drugs/"]),
    ("cytomegalovirus treatment", ["/causes/antiviral-drugs/"]),
    ("ulcerative colitis medication", ["/causes/anti-inflammatory-medication/"]),
    ("rheumatoid arthritis medication", ["/causes/anti-inflammatory-medication/"]),
    ("irregular heartbeat pills", ["/causes/heart-rhythm-drugs/"]),
    ("arrhythmia drugs", ["/causes/heart-rhythm-drugs/"]),
    ("atrial fibrillation medicine", ["/causes/heart-rhythm-drugs/"]),
    ("ventricular tachycardia drug", ["/causes/heart-rhythm-drugs/"]),
    ("syphilis antibiotic", ["/causes/certain-antibiotics/"]),
    ("medicine for hiccups", ["/drugs/chlorpromazine/"]),
    ("CMV retinitis treatment", ["/causes/antiviral-drugs/"]),
    # brands and generics beyond the site's own names
    ("Leponex", ["/drugs/clozapine/"]),
    ("Thyrozol", ["/drugs/methimazole/"]),
    ("Bactocill", ["/drugs/oxacillin/"]),
    ("Quinidex", ["/drugs/quinidine/"]),
    ("Pfizerpen", ["/drugs/penicillin-g/"]),
    ("Versacloz", ["/drugs/clozapine/"]),
    ("Largactil", ["/drugs/chlorpromazine/"]),
    ("Procanbid", ["/drugs/procainamide/"]),
    ("Leponex 100 mg side effects", ["/drugs/clozapine/"]),
    # medicines added beyond the source page (issue 11), by brand and other name
    ("Tegretol", ["/drugs/carbamazepine/"]),
    ("Tegretol 200 mg", ["/drugs/carbamazepine/"]),
    ("metamizole", ["/drugs/metamizole/"]),
    ("Novalgin", ["/drugs/metamizole/"]),
    ("dipyrone", ["/drugs/metamizole/"]),
    ("Bactrim", ["/drugs/trimethoprim-sulfamethoxazole/"]),
    ("Ferriprox", ["/drugs/deferiprone/"]),
    ("dapsone", ["/drugs/dapsone/"]),
    ("Rituxan", ["/drugs/rituximab/"]),
]
# Names of medicines this reference does not list, look-alikes of its own drugs included
# (docs/notes/lookalike-pairs.md): the page names the medicine; no entry is offered by
# name, and no 'did you mean'.
UNLISTED = [
    ("Keflex", "Cephalexin"),
    ("Zyprexa", "Olanzapine"),
    ("Lipitor", "Atorvastatin"),
    ("Lipitor 20 mg", "Atorvastatin"),
    ("Coumadin", "Warfarin"),
    ("Neurontin", "Gabapentin"),
    ("Glucophage", "Metformin"),
    ("Lyrica", "Pregabalin"),
    ("warfarin", "Warfarin"),
    ("Tylenol", "Acetaminophen"),
    ("Zocor", "Simvastatin"),
    # look-alike names: their own medicine, never the site's drug
    ("metolazone", "Metolazone"),
    ("Purinethol", "Mercaptopurine"),
    ("Valtrex", "Valacyclovir"),
    ("valacyclovir", "Valacyclovir"),
    ("Colazal", "Balsalazide"),
    ("clonazepam", "Clonazepam"),
    ("clonidine", "Clonidine"),
    ("chlorpropamide", "Chlorpropamide"),
    ("chlordiazepoxide", "Chlordiazepoxide"),
    ("quinine", "Quinine"),
    ("sulfadiazine", "Sulfadiazine"),
    ("penicillamine", "Penicillamine"),
    ("methazolamide", "Methazolamide"),
    ("probenecid", "Probenecid"),
]

ALL_QUERIES = [q for q, _ in RELEVANCE + PHRASES + UNLISTED]


def top_urls(q: str, n: int = 3) -> list[str]:
    return [r.url for r in search_entries(q).results[:n]]


def test_the_table_covers_at_least_forty_queries_and_sixty_of_issue_ten():
    assert len(RELEVANCE) >= 40
    assert len(PHRASES) + len(UNLISTED) >= 60
    assert len(set(ALL_QUERIES)) == len(ALL_QUERIES)


@pytest.mark.parametrize(
    "q, expected", RELEVANCE + PHRASES, ids=[q for q, _ in RELEVANCE + PHRASES]
)
def test_expected_answers_come_first(q, expected):
    assert top_urls(q, max(3, len(expected)))[: len(expected)] == expected


@pytest.mark.parametrize("q, medicine", UNLISTED, ids=[q for q, _ in UNLISTED])
def test_a_medicine_not_listed_is_named_and_no_entry_offered_by_name(q, medicine):
    outcome = search_entries(q)
    assert outcome.unlisted_drug is not None and outcome.unlisted_drug.name == medicine
    assert [r.title for r in outcome.results if r.tier <= FUZZY] == []
    assert outcome.suggestion == ""


def snapshot_of(q: str) -> list[list]:
    outcome = search_entries(q)
    rows = [[r.url, r.tier, r.field, r.term] for r in outcome.results[:10]]
    if outcome.unlisted_drug:
        rows.append(["unlisted", outcome.unlisted_drug.name])
    return rows


def snapshot_of_all_queries() -> dict[str, list[list]]:
    return {q: snapshot_of(q) for q in ALL_QUERIES}


def test_results_are_the_same_on_every_database():
    """The snapshot was written on SQLite; PostgreSQL must give exactly the same lists."""
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot_of_all_queries() == expected


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit("Regenerate with: pytest tests/test_search_relevance.py --write-snapshot")
