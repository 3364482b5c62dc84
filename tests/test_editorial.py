"""Editorial workflow: drafts and publishing, review, history and undo, roles, stale
saves, import and export. Each rule is tested from both sides."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from causes.models import (
    BrandName,
    Category,
    Cause,
    Drug,
    Mechanism,
    PendingChange,
    Revision,
    Source,
    Status,
)
from causes.search import search_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(db) -> User:
    user = User.objects.create_user("publisher", "pub@example.org", "publisher-pass-1234")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def publisher_client(publisher):
    """A client of its own, so a test can hold an editor's and a publisher's at once."""
    client = Client()
    client.force_login(publisher)
    return client


def changelist(model):
    return reverse(f"admin:causes_{model._meta.model_name}_changelist")


def change_form_data(client, obj) -> dict:
    """The change form's current values, as a browser would post them back."""
    url = reverse(f"admin:causes_{obj._meta.model_name}_change", args=[obj.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "all"):
            value = [v.pk for v in value.all()]
        elif isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        if value is None or value == "":
            continue
        data[name] = value
    for prefix in ("aliases", "drugs", "brand_names"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


# --- drafts and publishing ---------------------------------------------------------------


def test_staff_preview_a_draft_with_a_banner_everyone_else_gets_404(client, editor, cause):
    cause.status = Status.DRAFT
    cause.save()
    assert client.get(cause.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(cause.get_absolute_url())
    assertContains(response, "Draft preview.")
    assertContains(response, cause.name)


def test_published_pages_have_no_draft_banner(editor_client, cause):
    assertNotContains(editor_client.get(cause.get_absolute_url()), "Draft preview.")


def test_a_draft_drug_is_out_of_search_and_sitemap(client, drug):
    drug.status = Status.DRAFT
    drug.save()
    assert drug.get_absolute_url() not in [r.url for r in search_entries("Quorvatide").results]
    assertNotContains(client.get("/sitemap.xml"), drug.get_absolute_url())


def test_publisher_publishes_and_unpublishes_in_bulk(publisher_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    publisher_client.post(
        changelist(Cause), {"action": "publish", "_selected_action": [cause.pk]}, follow=True
    )
    cause.refresh_from_db()
    assert cause.status == Status.PUBLISHED
    publisher_client.post(
        changelist(Cause), {"action": "unpublish", "_selected_action": [cause.pk]}
    )
    cause.refresh_from_db()
    assert cause.status == Status.DRAFT


def test_a_cause_without_a_source_is_not_published(publisher_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    cause.sources.clear()
    response = publisher_client.post(
        changelist(Cause), {"action": "publish", "_selected_action": [cause.pk]}, follow=True
    )
    assertContains(
        response,
        "“Zelbrix syndrome” cannot be published without a source: attach at least one source "
        "to the cause first.",
    )
    cause.refresh_from_db()
    assert cause.status == Status.DRAFT


def test_the_change_form_refuses_publishing_a_cause_without_sources(publisher_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    data = change_form_data(publisher_client, cause)
    data.update(status=Status.PUBLISHED, sources=[])
    response = publisher_client.post(reverse("admin:causes_cause_change", args=[cause.pk]), data)
    assertContains(response, "“Zelbrix syndrome” cannot be published without a source")
    cause.refresh_from_db()
    assert cause.status == Status.DRAFT


def test_editors_cannot_publish_by_action(editor_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    response = editor_client.get(changelist(Cause))
    action_form = response.context["action_form"]
    actions = [v for v, _ in action_form.fields["action"].choices] if action_form else []
    assert "publish" not in actions and "unpublish" not in actions
    editor_client.post(changelist(Cause), {"action": "publish", "_selected_action": [cause.pk]})
    cause.refresh_from_db()
    assert cause.status == Status.DRAFT


def test_editors_cannot_publish_through_the_form(editor_client, cause):
    cause.status = Status.DRAFT
    cause.save()
    data = change_form_data(editor_client, cause)
    data.update(status=Status.PUBLISHED, summary="Edited by an editor.")
    response = editor_client.post(reverse("admin:causes_cause_change", args=[cause.pk]), data)
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.summary == "Edited by an editor."
    assert cause.status == Status.DRAFT


def test_editors_create_drafts_that_publishers_publish(editor_client, publisher_client):
    visitor = Client()
    category = Category.objects.get(slug="additional-causes")
    response = editor_client.post(
        reverse("admin:causes_cause_add"),
        {
            "name": "Plorbex deficiency",
            "slug": "plorbex-deficiency",
            "kind": "condition",
            "category": category.pk,
            "order": 50,
            "summary": "A made-up cause added in a test.",
            "source_wording": "",
            "mechanism_note": "",
            "sources": [Source.objects.get(slug="mayo-clinic-causes").pk],
            "last_reviewed": "2026-11-24",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "drugs-TOTAL_FORMS": "0",
            "drugs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    cause = Cause.objects.get(slug="plorbex-deficiency")
    assert cause.status == Status.DRAFT
    assert visitor.get(cause.get_absolute_url()).status_code == 404
    publisher_client.post(changelist(Cause), {"action": "publish", "_selected_action": [cause.pk]})
    assert visitor.get(cause.get_absolute_url()).status_code == 200


# --- review ------------------------------------------------------------------------------


def test_mark_reviewed_records_the_date_and_the_reviewer(publisher_client, publisher, cause):
    cause.last_reviewed = date(2020, 1, 1)
    cause.save()
    publisher_client.post(
        changelist(Cause), {"action": "mark_reviewed", "_selected_action": [cause.pk]}
    )
    cause.refresh_from_db()
    assert cause.last_reviewed == date.today()
    assert cause.reviewed_by == publisher


def test_editors_cannot_mark_reviewed(editor_client, cause):
    cause.last_reviewed = date(2020, 1, 1)
    cause.save()
    editor_client.post(
        changelist(Cause), {"action": "mark_reviewed", "_selected_action": [cause.pk]}
    )
    cause.refresh_from_db()
    assert cause.last_reviewed == date(2020, 1, 1)


def test_next_review_follows_the_interval_setting(settings, cause):
    settings.REVIEW_INTERVAL_DAYS = 30
    cause.last_reviewed = date.today() - timedelta(days=31)
    assert cause.next_review_due == date.today() - timedelta(days=1)
    assert cause.review_overdue
    settings.REVIEW_INTERVAL_DAYS = 365
    assert not cause.review_overdue


def test_review_filter_and_index_panel_list_overdue_entries(admin_client, cause):
    cause.last_reviewed = date(2020, 1, 1)
    cause.save()
    response = admin_client.get(changelist(Cause), {"review": "overdue"})
    assert [c.slug for c in response.context["cl"].result_list] == ["zelbrix-syndrome"]
    response = admin_client.get(changelist(Cause), {"review": "ok"})
    assert "zelbrix-syndrome" not in [c.slug for c in response.context["cl"].result_list]
    index = admin_client.get(reverse("admin:index"))
    assertContains(index, "Due for review")
    assertContains(index, "Zelbrix syndrome</a>:\n        <strong>overdue</strong>")


def test_list_shows_status_review_due_and_source_count(admin_client):
    response = admin_client.get(changelist(Cause))
    for column in ["status", "review_due", "source_count"]:
        assert column in response.context["cl"].list_display


def test_public_page_shows_the_review_date(client):
    cause = Cause.objects.get(slug="lupus")
    assertContains(
        client.get(cause.get_absolute_url()), f'datetime="{cause.last_reviewed:%Y-%m-%d}"'
    )


# --- history and undo --------------------------------------------------------------------


def test_every_change_is_recorded_with_who_and_what(publisher_client, publisher, cause):
    data = change_form_data(publisher_client, cause)
    data["summary"] = "A new summary."
    publisher_client.post(reverse("admin:causes_cause_change", args=[cause.pk]), data)
    record = cause.history.latest("history_date")
    assert record.history_user == publisher
    assert record.summary == "A new summary."
    page = publisher_client.get(reverse("admin:causes_cause_history", args=[cause.pk]))
    # Whole texts, the words that changed marked.
    assertContains(page, "A <del>made-up condition for tests.</del>")  # old value
    assertContains(page, "A <ins>new summary.</ins>")  # new value
    assertContains(page, "publisher")


def test_inline_brand_names_and_mechanism_changes_are_recorded(drug):
    brand = drug.brand_names.get()
    brand.name = "Quorvix Forte"
    brand.save()
    assert brand.history.latest("history_date").name == "Quorvix Forte"
    drug.mechanisms.set([Mechanism.objects.get(slug="abnormal-storage")])
    record = drug.history.latest("history_date")
    assert [row.mechanism.slug for row in record.mechanisms.all()] == ["abnormal-storage"]


def test_revert_brings_back_fields_links_and_children(publisher_client, drug):
    url = reverse("admin:causes_drug_change", args=[drug.pk])
    drug.sources.add(Source.objects.get(slug="mayo-clinic-causes"))
    data = change_form_data(publisher_client, drug)
    data.update(
        {
            "summary": "The good text.",
            "mechanisms": [Mechanism.objects.get(slug="destruction").pk],
            "brand_names-TOTAL_FORMS": "1",
            "brand_names-INITIAL_FORMS": "1",
            "brand_names-0-id": drug.brand_names.get().pk,
            "brand_names-0-drug": drug.pk,
            "brand_names-0-name": "Quorvix",
        }
    )
    assert publisher_client.post(url, data).status_code == 302
    good = Revision.objects.filter(entry_id=drug.pk, entry_type__model="drug").first()
    data = change_form_data(publisher_client, drug)
    data.update(
        {
            "summary": "A mistake.",
            "mechanisms": [Mechanism.objects.get(slug="abnormal-storage").pk],
            "brand_names-TOTAL_FORMS": "2",
            "brand_names-INITIAL_FORMS": "1",
            "brand_names-0-id": drug.brand_names.get().pk,
            "brand_names-0-drug": drug.pk,
            "brand_names-0-name": "Quorvix",
            "brand_names-1-name": "Mistakex",
        }
    )
    assert publisher_client.post(url, data).status_code == 302
    versions = publisher_client.get(reverse("admin:causes_drug_versions", args=[drug.pk]))
    assertContains(versions, "Mistakex")
    response = publisher_client.post(reverse("admin:causes_drug_revert", args=[drug.pk, good.pk]))
    assert response.status_code == 302
    drug.refresh_from_db()
    assert drug.summary == "The good text."
    assert [m.slug for m in drug.mechanisms.all()] == ["destruction"]
    assert [b.name for b in drug.brand_names.all()] == ["Quorvix"]
    assert Revision.objects.filter(entry_id=drug.pk).first().action == "reverted"
    assert not search_entries("Mistakex").results


def test_deleted_drug_is_listed_and_restored_with_exactly_its_children(publisher_client, drug):
    drug.mechanisms.set([Mechanism.objects.get(slug="destruction")])
    drug.sources.add(Source.objects.get(slug="mayo-clinic-causes"))
    BrandName.objects.create(drug=drug, name="Gonex")
    # Deleted on purpose before the drug: it must not come back with it.
    editing_delete_brand = BrandName.objects.get(name="Gonex")
    editing_delete_brand.delete()
    pk = drug.pk
    response = publisher_client.post(
        reverse("admin:causes_drug_delete", args=[pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Drug.objects.filter(pk=pk).exists()
    listing = publisher_client.get(reverse("admin:causes_drug_deleted"))
    assertContains(listing, "Quorvatide")
    record = listing.context["records"][0]
    publisher_client.post(reverse("admin:causes_drug_restore", args=[record.pk]))
    restored = Drug.objects.get(pk=pk)
    assert [b.name for b in restored.brand_names.all()] == ["Quorvix"]
    assert [m.slug for m in restored.mechanisms.all()] == ["destruction"]
    assert [s.slug for s in restored.sources.all()] == ["mayo-clinic-causes"]
    assert restored.status == Status.PUBLISHED
    assert search_entries("Quorvix").results[0].url == "/drugs/quorvatide/"


@pytest.mark.parametrize("clash", ["slug", "brand"])
def test_restore_with_a_name_clash_is_a_clear_message(publisher_client, publisher, drug, clash):
    from causes import editing

    record = editing.delete(publisher, drug)
    other = Drug.objects.create(
        slug="quorvatide" if clash == "slug" else "other-drug",
        name="Other",
        cause=Cause.objects.get(slug="lupus"),
        drug_class="x",
        summary="x",
    )
    if clash == "brand":
        BrandName.objects.create(drug=other, name="Quorvix")
    response = publisher_client.post(
        reverse("admin:causes_drug_restore", args=[record.pk]), follow=True
    )
    assert response.status_code == 200
    expected = "Drug with this Slug already exists" if clash == "slug" else "brand name of Other"
    assertContains(response, expected)
    assert not Drug.objects.filter(pk=record.entry_id).exists()


def test_a_mechanism_in_use_cannot_be_deleted_and_the_admin_says_what_uses_it(admin_client):
    mechanism = Mechanism.objects.get(slug="abnormal-storage")
    with pytest.raises(ProtectedError), transaction.atomic():
        mechanism.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Mechanism.objects.filter(pk=mechanism.pk).delete()
    response = admin_client.post(
        reverse("admin:causes_mechanism_delete", args=[mechanism.pk]), {"post": "yes"}
    )
    assertContains(response, "Cause: Abnormalities of the spleen")
    assert Mechanism.objects.filter(pk=mechanism.pk).exists()


def test_an_unused_mechanism_can_be_deleted():
    Mechanism.objects.create(slug="unused", name="Unused", short_name="u", explanation="x")
    Mechanism.objects.get(slug="unused").delete()
    assert not Mechanism.objects.filter(slug="unused").exists()


def test_second_of_two_editors_is_refused_instead_of_overwriting(client, editor, publisher, cause):
    client.force_login(editor)
    first = change_form_data(client, cause)
    client.force_login(publisher)
    second = change_form_data(client, cause)
    url = reverse("admin:causes_cause_change", args=[cause.pk])
    client.force_login(editor)
    first["summary"] = "Editor one's text."
    assert client.post(url, first).status_code == 302
    client.force_login(publisher)
    second["summary"] = "Editor two's text."
    response = client.post(url, second)
    assert response.status_code == 200
    assertContains(response, "Someone else saved this cause by editor")
    cause.refresh_from_db()
    assert cause.summary == "A made-up condition for tests."  # the editor's wait as pending
    pending = PendingChange.objects.get(entry_id=cause.pk, entry_type__model="cause")
    assert pending.snapshot["fields"]["summary"] == "Editor one's text."


# --- roles -------------------------------------------------------------------------------


def test_editors_cannot_delete_publishers_can(editor_client, publisher_client, drug):
    url = reverse("admin:causes_drug_delete", args=[drug.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Drug.objects.filter(pk=drug.pk).exists()
    assert publisher_client.get(url).status_code == 200


@pytest.mark.parametrize("url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_only_superusers_manage_users_and_groups(publisher_client, admin_client, url_name):
    assert publisher_client.get(reverse(url_name)).status_code == 403
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_editors_cannot_restore_what_they_cannot_see_deleted(client, drug):
    visitor = User.objects.create_user("v", password="v-pass-1234", is_staff=True)
    client.force_login(visitor)
    assert client.get(reverse("admin:causes_drug_deleted")).status_code == 403


# --- import and export ---------------------------------------------------------------------


def test_export_causes_as_csv(admin_client):
    response = admin_client.post(
        reverse("admin:causes_cause_export"),
        {"format": "0", "resource": "0", **{f"causeresource_{f}": "on" for f in ["slug", "name"]}},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.splitlines()[0] == "slug,name"
    assert "lupus,Lupus" in text


def test_export_drugs_as_json_with_brand_names(admin_client):
    fields = ["slug", "brand_names", "cause"]
    response = admin_client.post(
        reverse("admin:causes_drug_export"),
        {"format": "1", "resource": "0", **{f"drugresource_{f}": "on" for f in fields}},
    )
    rows = {row["slug"]: row for row in json.loads(response.content)}
    assert rows["clozapine"]["brand_names"] == "Clozaril|Fazaclo|Versacloz"
    assert rows["clozapine"]["cause"] == "antipsychotic-medications"


def import_file(client, model, content: str, name="import.csv", fmt="0"):
    upload = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(
        reverse(f"admin:causes_{model}_import"),
        {"import_file": upload, "format": fmt, "resource": "0"},
    )


SOURCES_CSV = (
    "slug,title,publisher,url,accessed\n"
    "new-source,A new source,Journal,https://example.org/new,2026-11-01\n"
    "mayo-clinic-causes,Neutropenia: Causes (renamed),Mayo Clinic,"
    "https://www.mayoclinic.org/symptoms/neutropenia/basics/causes/sym-20050854,2026-11-24\n"
)


def test_import_shows_a_preview_and_saves_nothing_until_confirmed(admin_client):
    response = import_file(admin_client, "source", SOURCES_CSV)
    assert response.status_code == 200
    assertContains(response, "<strong>1</strong> new")
    assertContains(response, "<strong>1</strong> changed")
    assertContains(response, "New: A new source")
    assertContains(response, "Changed: Neutropenia")
    assert not Source.objects.filter(slug="new-source").exists()
    confirm = response.context["confirm_form"].initial
    done = admin_client.post(reverse("admin:causes_source_process_import"), confirm)
    assert done.status_code == 302
    assert Source.objects.get(slug="new-source").title == "A new source"
    assert Source.objects.get(slug="mayo-clinic-causes").title == "Neutropenia: Causes (renamed)"


def test_a_bad_row_is_reported_by_row_and_field_and_nothing_changes(admin_client):
    before = Source.objects.count()
    bad = SOURCES_CSV + "broken,,Journal,not a url,yesterday\n"
    response = import_file(admin_client, "source", bad)
    # The spreadsheet's row (the header is row 1), the column and the value, in words.
    assertContains(response, "Some rows cannot be imported")
    assertContains(response, "<td>4</td><td>accessed</td><td>yesterday</td>")
    assertContains(response, "<td>4</td><td>url</td><td>not a url</td>")
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Source.objects.count() == before
    assert not Source.objects.filter(slug="new-source").exists()


def test_drug_import_creates_brand_names_and_refuses_a_taken_one(admin_client):
    csv = (
        "slug,name,cause,drug_class,status,summary,brand_names,mechanisms,mechanism_note,"
        "sources,last_reviewed,order\n"
        "zorbital,Zorbital,antipsychotic-medications,test drug,draft,A test drug.,"
        "Zorbix|Zorbax,destruction,,mayo-clinic-causes,,9\n"
    )
    response = import_file(admin_client, "drug", csv)
    confirm = response.context["confirm_form"].initial
    admin_client.post(reverse("admin:causes_drug_process_import"), confirm)
    drug = Drug.objects.get(slug="zorbital")
    assert sorted(b.name for b in drug.brand_names.all()) == ["Zorbax", "Zorbix"]
    taken = csv.replace("Zorbix|Zorbax", "Clozaril").replace("zorbital,Zorbital", "zorb2,Zorb2")
    response = import_file(admin_client, "drug", taken)
    assertContains(response, "“Clozaril” is already a brand name of Clozapine.")
    assert not Drug.objects.filter(slug="zorb2").exists()


def test_editors_import_drafts_but_may_not_publish_by_import(editor_client):
    csv = (
        "slug,name,category,status,summary,mechanisms,mechanism_note,source_wording,sources,"
        "last_reviewed,order\n"
        "imported-cause,Imported cause,infections,published,Text.,,Not known.,,"
        "mayo-clinic-causes,2026-11-24,30\n"
    )
    response = import_file(editor_client, "cause", csv)
    assertContains(response, "You may not publish")
    assert not Cause.objects.filter(slug="imported-cause").exists()


# --- editors' comfort ------------------------------------------------------------------------


def test_every_editable_content_field_has_help_text():
    from causes.content import CONTENT_MODELS

    missing = [
        f"{model.__name__}.{field.name}"
        for model in CONTENT_MODELS
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and not getattr(field, "help_text", "")
    ]
    assert missing == []


def test_brand_names_export_to_the_fixture_and_back(tmp_path):
    from django.core.management import call_command

    BrandName.objects.filter(name="Clozaril").update(name="Clozaril")
    out = tmp_path / "f.json"
    call_command("export_fixture", output=str(out), verbosity=0)
    assert '"name": "Clozaril"' in out.read_text(encoding="utf-8")


def test_an_editor_saving_a_published_entry_unchanged_keeps_nothing_pending(editor_client, cause):
    version = cause.version
    data = change_form_data(editor_client, cause)
    response = editor_client.post(
        reverse("admin:causes_cause_change", args=[cause.pk]), data, follow=True
    )
    assertContains(response, "Nothing was changed in “Zelbrix syndrome”, so nothing was saved.")
    assert not PendingChange.objects.filter(entry_id=cause.pk, entry_type__model="cause").exists()
    cause.refresh_from_db()
    assert cause.version == version
