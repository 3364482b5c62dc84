"""The editors' admin: the journey of an editor, and what an editor is refused."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from pytest_django.asserts import assertContains

from causes import content
from causes.models import BrandName, Cause, Drug, Mechanism, Source, Status

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [model._meta.model_name for model in content.CONTENT_MODELS]
ENTRY_NAMES = [model._meta.model_name for model in content.ENTRY_MODELS]


def drug_form(**overrides):
    cause = Cause.objects.get(drugs__slug="clozapine")
    data = {
        "name": "Zorvapine",
        "slug": "zorvapine",
        "cause": cause.pk,
        "drug_class": "made-up antipsychotic",
        "status": Status.PUBLISHED,
        "order": 9,
        "summary": "A made-up drug that editors add in a test.",
        "mechanisms": [Mechanism.objects.get(slug="destruction").pk],
        "mechanism_note": "",
        "sources": [Source.objects.get(slug="mayo-clinic-causes").pk],
        "last_reviewed": "2026-11-24",
        "brand_names-TOTAL_FORMS": "2",
        "brand_names-INITIAL_FORMS": "0",
        "brand_names-0-name": "Zorvex",
        "brand_names-0-in_source": "on",
        "brand_names-1-name": "Zorvatab",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_editors_group_may_create_and_edit_content_only():
    group = Group.objects.get(name="Editors")
    assert set(group.permissions.values_list("content_type__app_label", flat=True)) == {"causes"}
    perms = set(group.permissions.values_list("codename", flat=True))
    for model in CONTENT_MODELS:
        actions = ["view"] if model == "mechanism" else ["add", "change", "view"]
        for action in actions:
            assert f"{action}_{model}" in perms
        assert f"delete_{model}" not in perms
    # Mechanisms are reference data shown on every cause: publishers change them.
    assert "change_mechanism" not in perms and "add_mechanism" not in perms
    assert {"import_cause", "import_drug", "import_source"} <= perms
    assert not {p for p in perms if p.startswith(("publish_", "review_"))}
    assert "change_searchentry" not in perms


def test_publishers_group_may_also_publish_delete_and_review():
    group = Group.objects.get(name="Publishers")
    assert set(group.permissions.values_list("content_type__app_label", flat=True)) == {"causes"}
    perms = set(group.permissions.values_list("codename", flat=True))
    for model in CONTENT_MODELS:
        for action in ["add", "change", "view", "delete"]:
            assert f"{action}_{model}" in perms
    for declared in content.CONTENT:
        name = declared.model._meta.model_name
        assert (f"publish_{name}" in perms) == (declared.publishable or name == "source")
        assert (f"review_{name}" in perms) == declared.reviewed


def test_editor_adds_a_drug_with_two_brand_names_in_one_form_and_previews_it(editor_client):
    response = editor_client.post(reverse("admin:causes_drug_add"), drug_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    drug = Drug.objects.get(slug="zorvapine")
    assert sorted(drug.brand_names.values_list("name", flat=True)) == ["Zorvatab", "Zorvex"]
    assert drug.status == Status.DRAFT  # editors prepare; publishers publish
    page = editor_client.get("/drugs/zorvapine/")
    assertContains(page, "Zorvatab, Zorvex")
    assertContains(page, "Draft preview.")


def test_a_published_drug_added_in_the_admin_is_on_the_site_and_found(admin_client, client):
    response = admin_client.post(reverse("admin:causes_drug_add"), drug_form())
    assert response.status_code == 302
    client.logout()
    assertContains(client.get("/drugs/zorvapine/"), "Zorvatab, Zorvex")
    assertContains(client.get("/search/", {"q": "Zorvex"}), 'href="/drugs/zorvapine/"')


def test_duplicate_brand_name_is_refused_naming_the_drug_that_has_it(editor_client):
    response = editor_client.post(
        reverse("admin:causes_drug_add"), drug_form(**{"brand_names-1-name": "CLOZARIL"})
    )
    assert response.status_code == 200
    assertContains(response, "“Clozaril” is already a brand name of Clozapine.")
    assert not Drug.objects.filter(slug="zorvapine").exists()


def test_same_brand_twice_in_one_form_is_refused(editor_client):
    response = editor_client.post(
        reverse("admin:causes_drug_add"), drug_form(**{"brand_names-1-name": "zorvex"})
    )
    assertContains(response, "This brand name is entered twice for this drug.")
    assert not BrandName.objects.filter(name__iexact="zorvex").exists()


@pytest.mark.parametrize("url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_editor_is_refused_users_and_groups(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_admin_index_shows_content_but_not_users(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assertContains(response, "Causes")
    assert "auth/user" not in response.content.decode()


def test_non_staff_user_is_sent_to_login(client):
    user = User.objects.create_user("visitor", password="x-pass-1234")
    client.force_login(user)
    response = client.get(reverse("admin:causes_cause_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("model", CONTENT_MODELS + ["searchentry"])
def test_every_model_has_a_working_list_and_add_or_view_page(admin_client, model):
    changelist = admin_client.get(reverse(f"admin:causes_{model}_changelist"))
    assert changelist.status_code == 200
    add = admin_client.get(reverse(f"admin:causes_{model}_add")).status_code
    # Brand names and aliases are added on their entry's form, never on their own.
    assert add == (200 if model in ENTRY_NAMES else 403)


def test_cause_list_filters_by_category_mechanism_and_status(admin_client):
    response = admin_client.get(
        reverse("admin:causes_cause_changelist"),
        {"category__id__exact": Cause.objects.get(slug="lupus").category_id, "status": "published"},
    )
    results = [c.name for c in response.context["cl"].result_list]
    assert "Lupus" in results and "Sepsis" not in results
    destruction = Mechanism.objects.get(slug="destruction")
    response = admin_client.get(
        reverse("admin:causes_cause_changelist"), {"mechanisms__id__exact": destruction.pk}
    )
    assert set(response.context["cl"].result_list) == set(destruction.causes.all())


def test_admin_search_finds_a_cause_by_alias(admin_client):
    response = admin_client.get(reverse("admin:causes_cause_changelist"), {"q": "EBV"})
    assert [c.slug for c in response.context["cl"].result_list] == ["epstein-barr-virus"]


def test_cause_change_form_has_drug_and_alias_inlines_and_view_on_site(admin_client):
    cause = Cause.objects.get(drugs__slug="clozapine")
    response = admin_client.get(reverse("admin:causes_cause_change", args=[cause.pk]))
    assertContains(response, "Clozapine")
    assertContains(response, 'name="aliases-TOTAL_FORMS"')
    assertContains(response, 'name="drugs-TOTAL_FORMS"')
    assertContains(response, "View on site")


def test_autocomplete_for_relations(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "antipsych", "app_label": "causes", "model_name": "drug", "field_name": "cause"},
    )
    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert texts == [Cause.objects.get(drugs__slug="clozapine").name]


def test_deleting_a_category_in_use_is_refused_in_the_admin(admin_client):
    category = Cause.objects.get(slug="lupus").category
    response = admin_client.post(
        reverse("admin:causes_category_delete", args=[category.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assertContains(response, "would require deleting the following protected related objects")
    assert type(category).objects.filter(pk=category.pk).exists()
