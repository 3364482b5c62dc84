"""What a drug, or a cause that is a group of drugs, is used to treat: shown on its page,
indexed for search, kept by every editorial path, and filled for every drug in the fixture."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from causes import editing, snapshots
from causes.citations import without_markers
from causes.models import Cause, Drug, MatchField, SearchEntry, Status, TargetKind
from causes.resources import CauseResource, DrugResource

pytestmark = pytest.mark.django_db

LABEL = "<dt>Used to treat</dt>"
THYROID = "an overactive thyroid (hyperthyroidism), as in Graves' disease"


def uses_rows(entry) -> list[SearchEntry]:
    kind = TargetKind.DRUG if isinstance(entry, Drug) else TargetKind.CAUSE
    return list(
        SearchEntry.objects.filter(target_kind=kind, target_id=entry.pk, field=MatchField.USES)
    )


def publisher() -> User:
    user, created = User.objects.get_or_create(username="publisher", defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def drug(drug, source) -> Drug:
    """The test drug with its evidence, as the rules want of a published drug."""
    drug.sources.add(source)
    return drug


def save(entry, **values):
    """One publisher's edit through `causes.editing`, as every editorial path makes it."""
    with editing.edit(publisher(), type(entry), entry.pk) as current:
        fresh = type(entry)._base_manager.get(pk=entry.pk)
        for name, value in values.items():
            setattr(fresh, name, value)
        fresh.save()
    return current


# --- the page -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Drug, Cause])
def test_the_page_says_what_it_is_used_to_treat(client, drug, model):
    entry = drug if model is Drug else drug.cause
    model.objects.filter(pk=entry.pk).update(used_to_treat=THYROID)
    response = client.get(entry.get_absolute_url())
    assertContains(
        response,
        f'<dl class="facts uses"><dt>Used to treat</dt><dd>{escape(THYROID)}</dd></dl>',
        html=True,
    )


@pytest.mark.parametrize("model", [Drug, Cause])
def test_what_it_treats_is_escaped_like_all_text(client, drug, model):
    entry = drug if model is Drug else drug.cause
    model.objects.filter(pk=entry.pk).update(used_to_treat="fevers <script>alert(1)</script>")
    response = client.get(entry.get_absolute_url())
    assertContains(response, "fevers &lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)")


@pytest.mark.parametrize("model", [Drug, Cause])
def test_no_empty_label_when_nothing_is_recorded(client, drug, model):
    entry = drug if model is Drug else drug.cause
    assert entry.used_to_treat == ""
    assertNotContains(client.get(entry.get_absolute_url()), LABEL)


@pytest.mark.parametrize(
    "url, text",
    [
        ("/drugs/clozapine/", "schizophrenia"),
        ("/causes/antipsychotic-medications/", "schizophrenia"),
        ("/causes/heart-rhythm-drugs/", "irregular heartbeat (arrhythmia)"),
    ],
)
def test_the_fixtures_drug_pages_show_it(client, url, text):
    response = client.get(url)
    assertContains(response, LABEL)
    assertContains(response, text)


# --- the search index ---------------------------------------------------------------------


def test_it_is_indexed_as_a_uses_row_of_text(drug):
    save(drug, used_to_treat=THYROID)
    [row] = uses_rows(drug)
    assert (row.term, row.title, row.url) == (THYROID, drug.name, drug.get_absolute_url())
    assert row.compact == ""  # found by its words, as a summary is, never as a name
    assert "hyperthyroidism" in row.norm.split()


def test_a_change_replaces_the_row_and_emptying_it_removes_the_row(drug):
    save(drug.cause, used_to_treat=THYROID)
    [first] = uses_rows(drug.cause)
    save(drug.cause, used_to_treat="irregular heartbeat (arrhythmia)")
    assert [r.term for r in uses_rows(drug.cause)] == ["irregular heartbeat (arrhythmia)"]
    assert not SearchEntry.objects.filter(pk=first.pk).exists()
    save(drug.cause, used_to_treat="")
    assert uses_rows(drug.cause) == []


def test_a_draft_has_no_uses_row(drug):
    save(drug, used_to_treat=THYROID)
    save(drug, status=Status.DRAFT)
    assert uses_rows(drug) == []


def test_uses_rows_are_searched_by_their_words_not_as_names(drug):
    """SQLite: in the FTS5 words table, not the trigram one. PostgreSQL: in the stored
    words column (0010), and outside the partial trigram index (empty `compact`)."""
    save(drug, used_to_treat=THYROID)
    [row] = uses_rows(drug)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM causes_searchentry_words "
                "WHERE causes_searchentry_words MATCH %s",
                ['"hyperthyroid"*'],
            )
            assert (row.pk,) in cursor.fetchall()
            cursor.execute(
                "SELECT count(*) FROM causes_searchentry_trgm WHERE rowid = %s", [row.pk]
            )
            assert cursor.fetchone() == (0,)
        else:
            cursor.execute(
                "SELECT id FROM causes_searchentry "
                "WHERE norm_words @@ to_tsquery('simple', 'hyperthyroid:*')"
            )
            assert (row.pk,) in cursor.fetchall()
            assert row.compact == ""


def test_every_fixture_drug_and_drug_group_is_indexed_by_what_it_treats():
    for model, kind in ((Drug, TargetKind.DRUG), (Cause, TargetKind.CAUSE)):
        for entry in model.objects.published().exclude(used_to_treat=""):
            rows = SearchEntry.objects.filter(target_kind=kind, target_id=entry.pk)
            assert [r.term for r in rows if r.field == MatchField.USES] == [
                without_markers(entry.used_to_treat)
            ]


# --- editorial paths: export and import, revert, history and diff ---------------------------


@pytest.mark.parametrize("resource_class, model", [(DrugResource, Drug), (CauseResource, Cause)])
def test_it_survives_an_export_and_import_round_trip(drug, resource_class, model):
    entry = drug if model is Drug else drug.cause
    model.objects.filter(pk=entry.pk).update(used_to_treat=THYROID)
    resource = resource_class(user=publisher())
    exported = resource.export(queryset=model.objects.filter(pk=entry.pk))
    assert exported.dict[0]["used_to_treat"] == THYROID

    model.objects.filter(pk=entry.pk).update(used_to_treat="")
    result = resource.import_data(exported, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert model.objects.get(pk=entry.pk).used_to_treat == THYROID
    assert [r.term for r in uses_rows(entry)] == [THYROID]


def test_an_import_without_the_column_keeps_what_is_recorded(drug):
    Drug.objects.filter(pk=drug.pk).update(used_to_treat=THYROID)
    resource = DrugResource(user=publisher())
    exported = resource.export(queryset=Drug.objects.filter(pk=drug.pk))
    row = {k: v for k, v in exported.dict[0].items() if k != "used_to_treat"}
    exported.dict = [{**row, "summary": "A changed summary for tests."}]
    assert "used_to_treat" not in exported.headers
    resource.import_data(exported, dry_run=False, use_transactions=True)
    assert Drug.objects.get(pk=drug.pk).used_to_treat == THYROID


@pytest.mark.parametrize("model", [Drug, Cause])
def test_revert_brings_back_what_it_treated(drug, model):
    entry = drug if model is Drug else drug.cause
    earlier = save(entry, used_to_treat=THYROID).revision
    save(entry, used_to_treat="something else entirely")
    editing.revert(publisher(), earlier)
    assert model.objects.get(pk=entry.pk).used_to_treat == THYROID
    assert [r.term for r in uses_rows(entry)] == [THYROID]


def test_the_revision_and_the_diff_name_it(drug):
    before = snapshots.take(drug)
    after_edit = save(drug, used_to_treat=THYROID)
    assert after_edit.revision.snapshot["fields"]["used_to_treat"] == THYROID
    changes = snapshots.diff(Drug, before, after_edit.revision.snapshot)
    assert {"field": "Used to treat", "old": "empty", "new": THYROID} in changes
    assert drug.history.first().used_to_treat == THYROID


def test_editors_find_it_beside_the_summary_with_its_help(admin_client, drug):
    response = admin_client.get(f"/admin/causes/drug/{drug.pk}/change/")
    form = response.context["adminform"].form
    assert "used_to_treat" in form.fields
    assert "Graves' disease" in str(form.fields["used_to_treat"].help_text)
    content = response.content.decode()
    assert content.index('name="summary"') < content.index('name="used_to_treat"')


# --- the content --------------------------------------------------------------------------


@pytest.mark.parametrize("model, entries", [(Drug, "drugs"), (Cause, "drug groups")])
def test_every_published_drug_and_drug_group_says_what_it_treats(model, entries):
    published = model.objects.published()
    if model is Cause:
        published = published.filter(category__slug="drugs")
    assert published.exists()
    empty = [e.slug for e in published if not e.used_to_treat.strip()]
    assert empty == [], f"{entries} without what they are used to treat"


def test_causes_that_are_not_drugs_say_nothing_about_treating():
    assert not Cause.objects.exclude(category__slug="drugs").exclude(used_to_treat="").exists()
