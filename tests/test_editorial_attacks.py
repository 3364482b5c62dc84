"""Holes found by attacking the editorial workflow, each pinned by the rule it guards.

The table in `tests.test_editorial_paths` covers every rule on every path; these are the
crafted requests and unlucky orders of events it did not try: a refused save that also
said "saved", "save as new" posted on a change form, a popup, a submit of an entry that
has no drafts, history that points at rows deleted since, pending changes that no longer
apply, an oversized brand name in an import, deleting the only source of a published
entry, and a copy opened with pending changes that were then discarded.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from causes import editing
from causes.models import (
    BrandName,
    Category,
    Cause,
    Drug,
    PendingChange,
    Revision,
    Source,
    Status,
)
from causes.rules import Refusal
from tests.test_editorial_paths import (
    World,
    admin_url,
    drug_csv,
    edit_as,
    form_data,
    fresh,
    set_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(cause, drug, source) -> World:
    drug.sources.add(source)
    return World(cause=cause, drug=drug, source=source)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_foreign_keys_hold() -> None:
    """What the commit would check: no row points at one that is gone (SQLite and
    PostgreSQL both defer the check to the commit, which the test never reaches)."""
    connection.check_constraints()


# --- a refused save says only that it was refused ---------------------------------------


def test_a_refused_save_shows_the_refusal_and_no_saved_message(w):
    brand = w.drug.brand_names.get()
    data = {
        **form_data(w.drug),
        "brand_names-TOTAL_FORMS": "1",
        "brand_names-INITIAL_FORMS": "1",
        "brand_names-0-id": brand.pk,
        "brand_names-0-drug": w.drug.pk,
        "brand_names-0-name": "Quorvax",  # a rename removes “Quorvix”: not an editor's right
        "brand_names-0-in_source": "on",
    }
    response = w.client("editor").post(admin_url(w.drug, "change"), data, follow=True)
    shown = messages_of(response)
    assert any("You may not remove “Quorvix”" in m for m in shown)
    assert not any("saved" in m or "successfully" in m for m in shown), shown
    assert editing.pending_for(Drug, w.drug.pk) is None


# --- "save as new" on a change form is an add, checked as one ----------------------------


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_save_as_new_adds_a_new_entry_and_leaves_the_original_alone(w, role):
    before = editing.snapshots.take(fresh(w.cause))
    data = {
        **form_data(w.cause),
        "_saveasnew": "Save as new",
        "name": "Zelbrix copy",
        "slug": "zelbrix-copy",
    }
    response = w.client(role).post(admin_url(w.cause, "change"), data, follow=True)
    copy = Cause.objects.get(slug="zelbrix-copy")
    expected = Status.PUBLISHED if role == "publisher" else Status.DRAFT
    assert (copy.status, copy.last_reviewed, copy.reviewed_by) == (expected, None, None)
    assert not any("may not" in m or "can only be set" in m for m in messages_of(response))
    assert editing.snapshots.take(fresh(w.cause)) == before
    assert editing.pending_for(Cause, w.cause.pk) is None
    assert Revision.objects.filter(entry_type__model="cause", entry_id=copy.pk).exists()


def test_save_as_new_needs_the_add_right(w):
    data = {**form_data(w.cause), "_saveasnew": "1", "name": "Copy", "slug": "copy"}
    response = w.client("viewer").post(admin_url(w.cause, "change"), data)
    assert response.status_code == 403
    assert not Cause.objects.filter(slug="copy").exists()


# --- a popup gets the popup's answer -------------------------------------------------------


def test_an_entry_added_in_a_popup_closes_the_popup_and_is_a_draft(w):
    data = {
        "name": "Plorbex deficiency",
        "slug": "plorbex-deficiency",
        "kind": "condition",
        "category": w.cause.category.pk,
        "order": 1,
        "summary": "Added from a drug's form.",
        "sources": [w.source.pk],
        "_popup": "1",
        **{f"{p}-{n}": "0" for p in ("aliases", "drugs") for n in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    response = w.client("editor").post(reverse("admin:causes_cause_add") + "?_popup=1", data)
    assert response.status_code == 200
    assert "admin/popup_response.html" in [t.name for t in response.templates]
    assert Cause.objects.get(slug="plorbex-deficiency").status == Status.DRAFT


# --- only entries with drafts are submitted ------------------------------------------------


def test_submitting_an_entry_that_has_no_drafts_is_a_clear_refusal(w):
    response = w.client("editor").post(
        admin_url(w.source, "pending"), {"act": "submit"}, follow=True
    )
    assert response.status_code == 200
    assertContains(response, "nothing to submit")
    assert not PendingChange.objects.exists()


# --- history that points at rows deleted since ----------------------------------------------


def test_a_revert_to_a_version_whose_category_is_gone_is_a_message_not_a_broken_row(w):
    publisher = w.user("publisher")
    old = Category.objects.create(slug="old-heading", name="Old heading", status=Status.PUBLISHED)
    earlier = edit_as(publisher, w.cause, category=old).revision
    edit_as(publisher, w.cause, category=w.cause.category)
    editing.delete(publisher, old)
    response = w.post("publisher", admin_url(w.cause, "revert", earlier.pk))
    assertContains(response, "its category no longer exists")
    assert fresh(w.cause).category_id == w.cause.category_id
    assert_foreign_keys_hold()


def test_restoring_a_drug_whose_cause_is_gone_is_a_message_not_a_broken_row(w):
    publisher = w.user("publisher")
    record = editing.delete(publisher, w.drug)
    editing.delete(publisher, w.cause)
    response = w.post("publisher", reverse("admin:causes_drug_restore", args=[record.pk]))
    assertContains(response, "its cause no longer exists")
    assert not Drug.objects.filter(pk=record.entry_id).exists()
    assert_foreign_keys_hold()


def test_restoring_an_entry_whose_reviewer_is_gone_keeps_the_date_without_the_reviewer(w):
    reviewer = User.objects.create_user("gone", is_staff=True)
    set_fields(w.drug, reviewed_by=reviewer)
    record = editing.delete(w.user("publisher"), w.drug)
    reviewer.delete()  # the drug was gone, so nothing set its reviewer to empty
    response = w.post("publisher", reverse("admin:causes_drug_restore", args=[record.pk]))
    assertContains(response, "Restored “Quorvatide”.")
    restored = Drug.objects.get(pk=record.entry_id)
    assert (restored.last_reviewed, restored.reviewed_by) == (w.drug.last_reviewed, None)
    assert_foreign_keys_hold()


# --- pending changes that no longer apply ----------------------------------------------------


@pytest.fixture
def stuck(w) -> PendingChange:
    """An editor's pending brand name that another drug has taken since."""
    with editing.edit(w.user("editor"), Drug, w.drug.pk) as current:
        BrandName.objects.create(drug_id=w.drug.pk, name="Newbrand")
    assert current.outcome == "pending"
    other = Drug.objects.exclude(pk=w.drug.pk).first()
    with editing.edit(w.user("publisher"), Drug, other.pk):
        BrandName.objects.create(drug=other, name="NEWBRAND")
    return editing.pending_for(Drug, w.drug.pk)


def test_pending_changes_that_no_longer_apply_send_the_form_to_them_with_a_message(w, stuck):
    response = w.client("publisher").get(admin_url(w.drug, "change"), follow=True)
    assert response.redirect_chain[-1][0] == admin_url(w.drug, "pending")
    assert any("no longer apply" in m and "NEWBRAND" in m for m in messages_of(response))


def test_pending_changes_that_no_longer_apply_are_refused_on_publish_and_can_be_discarded(w, stuck):
    url = admin_url(w.drug, "pending")
    assertContains(w.client("publisher").get(url), "Newbrand")
    response = w.post("publisher", url, {"act": "publish"})
    assert any("no longer apply" in m for m in messages_of(response))
    assert editing.pending_for(Drug, w.drug.pk) is not None
    w.post("publisher", url, {"act": "discard"})
    assert editing.pending_for(Drug, w.drug.pk) is None
    assert w.client("publisher").get(admin_url(w.drug, "change")).status_code == 200


def test_a_staff_preview_of_pending_changes_that_no_longer_apply_is_not_a_server_error(w, stuck):
    response = w.client("editor").get(w.drug.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "Newbrand")
    assertNotContains(response, "Pending changes preview")  # it shows the live version
    assert Client().get(w.drug.get_absolute_url()).status_code == 200


def test_submitting_twice_keeps_one_submission_and_a_published_entry_needs_changes(w):
    editor = w.user("editor")
    with editing.edit(editor, Drug, w.drug.pk) as current:
        BrandName.objects.create(drug_id=w.drug.pk, name="Submittedbrand")
    assert current.outcome == "pending"
    first = editing.submit(editor, Drug, w.drug.pk)
    second = editing.submit(editor, Drug, w.drug.pk)
    assert first.pk == second.pk and second.snapshot is not None
    assert PendingChange.objects.filter(entry_id=w.drug.pk, entry_type__model="drug").count() == 1
    editing.discard_pending(editor, Drug, w.drug.pk)
    with pytest.raises(Refusal, match="is published and has no pending changes"):
        editing.submit(editor, Drug, w.drug.pk)
    assert not PendingChange.objects.filter(entry_id=w.drug.pk, entry_type__model="drug").exists()


# --- import ----------------------------------------------------------------------------------


def test_an_imported_brand_name_longer_than_a_brand_name_may_be_is_a_row_error(w):
    long_name = "X" * 101
    response = w.import_csv("publisher", Drug, drug_csv(w.drug, brand_names=long_name))
    assert response.status_code == 200
    assertContains(response, escape("at most 100 characters"))
    assert not BrandName.objects.filter(name=long_name).exists()


# --- deleting a source ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["form", "action"])
def test_the_only_source_of_a_published_entry_cannot_be_deleted(w, how):
    if how == "form":
        response = w.post("publisher", admin_url(w.source, "delete"), {"post": "yes"})
    else:
        response = w.action("publisher", Source, "delete_selected", w.source, post="yes")
    assertContains(response, "cannot be published without a source")
    assert Source.objects.filter(pk=w.source.pk).exists()
    assert fresh(w.cause).sources.count() == 1
    with pytest.raises(editing.Refusal, match="Zelbrix syndrome"):
        editing.delete(w.user("publisher"), w.source)


def test_a_source_that_is_not_the_only_one_of_a_published_entry_can_be_deleted(w):
    other = Source.objects.get(slug="mayo-clinic-causes")
    w.cause.sources.add(other)
    w.drug.sources.add(other)
    w.post("publisher", admin_url(w.source, "delete"), {"post": "yes"})
    assert not Source.objects.filter(pk=w.source.pk).exists()
    assert list(fresh(w.cause).sources.all()) == [other]


# --- no edit lost -----------------------------------------------------------------------------


def test_discarding_pending_changes_makes_a_copy_opened_with_them_stale(w):
    """A form opened while pending changes were applied carries their version; once they are
    discarded and someone saves, that copy must be refused, not written over the save."""
    edit_as(w.user("editor"), w.cause, summary="Pending wording.")
    page = w.client("publisher").get(admin_url(w.cause, "change"))
    seen = page.context["adminform"].form["seen_version"].value()
    editing.discard_pending(w.user("publisher"), Cause, w.cause.pk)
    edit_as(w.user("publisher"), w.cause, summary="A publisher's fix.")
    data = {**form_data(w.cause), "seen_version": seen, "summary": "Pending wording."}
    response = w.post("publisher", admin_url(w.cause, "change"), data)
    assertContains(response, "Someone else saved this cause")
    assert fresh(w.cause).summary == "A publisher's fix."
