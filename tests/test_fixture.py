"""The fixture holds the whole source page, restored where the scrape lost parts."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from causes.models import Article, BrandName, Category, Cause, Drug, Mechanism

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(__file__).parent / "data" / "neutropenia-causes.txt"
SHARED_SOURCE = ROOT.parent / "shared" / "source" / "neutropenia-causes.txt"
FIXTURE = ROOT / "fixtures" / "neutropenia.json"

HEADINGS = [
    "Cancer and cancer treatments",
    "Drugs",  # lost in the scrape, restored
    "Infections",  # lost in the scrape, restored
    "Autoimmune diseases",
    "Bone marrow disorders",
    "Additional causes",
]
DRUGS = {
    "Methimazole": ["Tapazole"],
    "Propylthiouracil": [],
    "Vancomycin": ["Vancocin"],
    "Penicillin G": [],
    "Oxacillin": [],
    "Ganciclovir": ["Cytovene"],
    "Valganciclovir": ["Valcyte"],
    "Sulfasalazine": ["Azulfidine"],
    "Clozapine": ["Clozaril", "Fazaclo"],
    "Chlorpromazine": [],
    "Quinidine": [],
    "Procainamide": [],
    "Levamisole": [],
}


def source_items() -> list[str]:
    """Every numbered line of the source text, as worded there."""
    return re.findall(r"^\s+\d+\.\s+(.+?)\s*$", SOURCE.read_text(encoding="utf-8"), re.M)


def test_the_copied_source_matches_the_shared_one():
    if SHARED_SOURCE.exists():
        assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_every_heading_of_the_original_page_is_a_category_in_order():
    assert list(Category.objects.published().values_list("name", flat=True)) == HEADINGS


def test_every_source_line_is_a_published_cause():
    items = source_items()
    assert len(items) == 28  # the scrape's lines; HIV/AIDS (item 6) is missing there
    wordings = set(Cause.objects.published().values_list("source_wording", flat=True))
    missing = [item for item in items if item not in wordings]
    assert missing == []


def test_the_lost_hiv_aids_item_is_restored_under_infections():
    cause = Cause.objects.published().get(source_wording="HIV/AIDS")
    assert cause.category.name == "Infections"
    infection_wordings = list(
        Cause.objects.filter(category__slug="infections").values_list("source_wording", flat=True)
    )
    assert infection_wordings.index("HIV/AIDS") == 5  # item 6 of the original list


def test_every_drug_and_brand_name_of_the_source_is_there():
    text = SOURCE.read_text(encoding="utf-8").casefold()
    for generic, brands in DRUGS.items():
        drug = Drug.objects.published().get(name__iexact=generic)
        assert generic.casefold() in text
        in_source = set(drug.brand_names.filter(in_source=True).values_list("name", flat=True))
        assert in_source == set(brands), generic
        for brand in brands:
            assert brand.casefold() in text
        assert drug.cause.category.slug == "drugs"


def test_the_three_mechanisms_of_the_source():
    assert set(Mechanism.objects.values_list("slug", flat=True)) == {
        "decreased-production",
        "destruction",
        "abnormal-storage",
    }


def test_benign_neutropenia_is_content():
    article = Article.objects.published().get(slug="benign-neutropenia")
    assert "infection" in article.summary.lower() or "infection" in article.body.lower()
    assert article.sources.exists()


@pytest.mark.parametrize("model", [Cause, Drug, Article])
def test_every_entry_has_a_summary_a_review_date_and_the_source_page(model):
    for entry in model.objects.prefetch_related("sources"):
        assert len(entry.summary) > 40, entry
        assert entry.last_reviewed, entry
        slugs = {s.slug for s in entry.sources.all()}
        if model is not Article and entry.in_source_page:
            assert "mayo-clinic-causes" in slugs, entry
        if model is not Article:
            assert len(slugs) >= 2, f"{entry} needs the cited source for its mechanism"


@pytest.mark.parametrize("model", [Cause, Drug])
def test_an_entry_without_a_mechanism_says_why(model):
    for entry in model.objects.prefetch_related("mechanisms"):
        if not entry.mechanisms.all():
            assert entry.mechanism_note, f"{entry} has no mechanism and no note"


def test_unsourced_mechanisms_are_not_guessed():
    for slug in ["chickenpox", "measles"]:
        cause = Cause.objects.get(slug=slug)
        assert list(cause.mechanisms.all()) == []
        assert "not" in cause.mechanism_note.lower()


def test_brand_names_are_unique_ignoring_case_in_the_fixture():
    names = [n.casefold() for n in BrandName.objects.values_list("name", flat=True)]
    assert len(names) == len(set(names))


def test_fixture_round_trips_through_dumpdata_unchanged(tmp_path):
    """Load (done by conftest) -> export with natural keys -> byte-identical file."""
    out = tmp_path / "export.json"
    call_command("export_fixture", output=str(out), verbosity=0)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(
        FIXTURE.read_text(encoding="utf-8")
    )
    assert out.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")
