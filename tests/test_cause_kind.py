"""What a cause is (`Cause.kind`), read by the structured data (causes/page_meta.py): set on
the admin form, exported and imported, brought back by a revert, and refused when it is
not one of the choices, on every path that writes it."""

import pytest

from causes import editing
from causes.models import Cause, CauseKind
from causes.resources import CauseResource
from tests.test_used_to_treat import publisher, save

pytestmark = pytest.mark.django_db


def test_the_content_says_what_each_cause_is():
    published = Cause.objects.published()
    assert set(published.filter(category__slug="infections").values_list("kind", flat=True)) == {
        CauseKind.INFECTION
    }
    assert set(published.filter(category__slug="drugs").values_list("kind", flat=True)) == {
        CauseKind.MEDICINES,
        CauseKind.MEDICINE,
    }
    assert Cause.objects.get(slug="chemotherapy").kind == CauseKind.TREATMENT
    assert Cause.objects.get(slug="lupus").kind == CauseKind.CONDITION


def test_editors_choose_it_on_the_form(admin_client, cause):
    response = admin_client.get(f"/admin/causes/cause/{cause.pk}/change/")
    field = response.context["adminform"].form.fields["kind"]
    assert [value for value, _ in field.choices] == CauseKind.values
    assert field.required


def test_it_survives_an_export_and_import_round_trip(cause):
    resource = CauseResource(user=publisher())
    Cause.objects.filter(pk=cause.pk).update(kind=CauseKind.INFECTION)
    exported = resource.export(queryset=Cause.objects.filter(pk=cause.pk))
    assert exported.dict[0]["kind"] == CauseKind.INFECTION
    Cause.objects.filter(pk=cause.pk).update(kind=CauseKind.CONDITION)
    result = resource.import_data(exported, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Cause.objects.get(pk=cause.pk).kind == CauseKind.INFECTION


def test_an_import_with_a_kind_that_is_not_a_choice_is_refused(cause):
    resource = CauseResource(user=publisher())
    exported = resource.export(queryset=Cause.objects.filter(pk=cause.pk))
    exported.dict = [{**exported.dict[0], "kind": "<b>virus</b>"}]
    result = resource.import_data(exported, dry_run=False, use_transactions=True)
    assert result.has_validation_errors()
    assert Cause.objects.get(pk=cause.pk).kind == CauseKind.CONDITION


def test_revert_brings_back_what_it_was(cause):
    earlier = save(cause, kind=CauseKind.TREATMENT).revision
    save(cause, kind=CauseKind.MEDICINES)
    editing.revert(publisher(), earlier)
    assert Cause.objects.get(pk=cause.pk).kind == CauseKind.TREATMENT
