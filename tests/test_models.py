"""Content model rules: constraints, deletion policy, natural keys, publication."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
    Source,
    Status,
)

pytestmark = pytest.mark.django_db


def test_brand_names_are_unique_ignoring_case(drug):
    with pytest.raises(IntegrityError), transaction.atomic():
        BrandName.objects.create(drug=drug, name="QUORVIX")


def test_brand_name_clash_names_the_drug_that_has_it(drug):
    other = BrandName(drug=Drug.objects.get(slug="clozapine"), name="quorvix")
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert error.value.message_dict["name"] == ["“Quorvix” is already a brand name of Quorvatide."]


@pytest.mark.parametrize(
    "model, fields",
    [
        (Category, {"name": "Other name", "order": 1}),
        (Mechanism, {"name": "Other mechanism", "short_name": "x", "explanation": "x"}),
        (
            Source,
            {
                "title": "t",
                "publisher": "p",
                "url": "https://example.org",
                "accessed": date.today(),
            },
        ),
    ],
)
def test_slugs_are_unique(model, fields):
    existing = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(slug=existing.slug, **fields)


def test_cause_name_is_unique_within_its_category(cause):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cause.objects.create(
            slug="other-slug",
            name=cause.name,
            category=cause.category,
            summary="x",
            last_reviewed=date.today(),
        )


def test_alias_is_unique_per_entry(cause, drug):
    CauseAlias.objects.create(cause=cause, name="ZS")
    with pytest.raises(IntegrityError), transaction.atomic():
        CauseAlias.objects.create(cause=cause, name="ZS")
    DrugAlias.objects.create(drug=drug, name="QV")
    with pytest.raises(IntegrityError), transaction.atomic():
        DrugAlias.objects.create(drug=drug, name="QV")


def test_a_category_in_use_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        Category.objects.get(slug="drugs").delete()


def test_a_mechanism_in_use_cannot_be_deleted():
    mechanism = Mechanism.objects.get(slug="destruction")
    with pytest.raises(ProtectedError, match="16 entries use it"), transaction.atomic():
        mechanism.delete()
    assert mechanism.causes.filter(slug="lupus").exists()


def test_a_cause_with_drugs_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        Cause.objects.get(slug="antipsychotic-medications").delete()


def test_brand_names_and_aliases_go_with_their_drug():
    drug = Drug.objects.get(slug="clozapine")
    brand_ids = list(drug.brand_names.values_list("pk", flat=True))
    assert brand_ids
    drug.delete()
    assert not BrandName.objects.filter(pk__in=brand_ids).exists()
    assert not DrugAlias.objects.filter(drug__slug="clozapine").exists()


@pytest.mark.parametrize(
    "model, key",
    [
        (Source, "mayo-clinic-causes"),
        (Mechanism, "destruction"),
        (Category, "drugs"),
        (Cause, "lupus"),
        (Drug, "clozapine"),
        (Article, "benign-neutropenia"),
    ],
)
def test_natural_keys_round_trip(model, key):
    obj = model.objects.get_by_natural_key(key)
    assert obj.natural_key() == (key,)


def test_child_natural_keys_round_trip():
    brand = BrandName.objects.get_by_natural_key("clozaril")
    assert brand.natural_key() == ("Clozaril",)
    alias = CauseAlias.objects.filter(cause__slug="lupus").first()
    assert CauseAlias.objects.get_by_natural_key(*alias.natural_key()) == alias
    drug_alias = DrugAlias.objects.filter(drug__slug="propylthiouracil").first()
    assert DrugAlias.objects.get_by_natural_key(*drug_alias.natural_key()) == drug_alias


def test_published_hides_drafts_and_entries_under_draft_parents(cause, drug):
    assert cause in Cause.objects.published()
    assert drug in Drug.objects.published()
    cause.category.status = Status.DRAFT
    cause.category.save()
    assert cause not in Cause.objects.published()
    assert drug not in Drug.objects.published()
    cause.category.status = Status.PUBLISHED
    cause.category.save()
    drug.status = Status.DRAFT
    drug.save()
    assert drug not in Drug.objects.published()
    assert cause in Cause.objects.published()


def test_new_entries_start_as_drafts(category):
    cause = Cause.objects.create(
        slug="draft-one",
        name="Draft one",
        category=category,
        summary="x",
        last_reviewed=date.today(),
    )
    assert cause.status == Status.DRAFT
    assert cause not in Cause.objects.published()


@pytest.mark.parametrize(
    "model, key, url",
    [
        (Category, "drugs", "/categories/drugs/"),
        (Cause, "lupus", "/causes/lupus/"),
        (Drug, "clozapine", "/drugs/clozapine/"),
        (Mechanism, "destruction", "/mechanisms/destruction/"),
        (Article, "benign-neutropenia", "/about/benign-neutropenia/"),
    ],
)
def test_absolute_urls(model, key, url):
    obj = model.objects.get(slug=key)
    assert obj.get_absolute_url() == url
    assert str(obj)
