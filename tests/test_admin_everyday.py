"""Small things an editor meets every day in the admin: refusals that stay in the admin
and name the role, "Mark reviewed" on the form, no delete control for a related entry,
the brand's "on the source page" said in the form, an export page without template
comments."""

from datetime import date

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from causes.models import Cause, Drug
from tests.test_citations import another_source
from tests.test_editorial_paths import World, admin_url, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cause, drug, source) -> World:
    drug.sources.add(source)
    return World(cause=cause, drug=drug, source=source, follow=False)


def test_an_editor_refused_a_delete_stays_in_the_admin_and_is_told_who_may(world):
    response = world.client("editor").get(admin_url(world.cause, "delete"))
    assert response.status_code == 403
    assertContains(response, "Neutropenia causes: editors", status_code=403)  # admin header
    assertContains(
        response,
        "You may not delete “Zelbrix syndrome”: that needs the “delete” right on causes, "
        "which publishers have.",
        status_code=403,
    )
    assertNotContains(response, 'role="search"', status_code=403)  # not the public page
    assert Cause.objects.filter(pk=world.cause.pk).exists()


def test_an_editor_refused_an_add_is_told_which_group_may(world):
    response = world.client("editor").get(reverse("admin:causes_mechanism_add"))
    assertContains(
        response,
        "You may not add mechanisms: that needs the “add” right on mechanisms, which "
        "publishers have.",
        status_code=403,
    )


def test_a_visitor_refused_outside_the_admin_gets_the_sites_page(client, world):
    world.client("editor")  # the editor exists; this client is anonymous
    response = client.get("/admin/causes/cause/")
    assert response.status_code == 302  # the admin's login, as before


def test_a_publisher_marks_an_entry_reviewed_from_its_form(world):
    publisher = world.client("publisher")
    form = publisher.get(admin_url(world.drug, "change"))
    url = reverse("admin:causes_drug_mark_reviewed", args=[world.drug.pk])
    assertContains(form, f'action="{url}"')
    assertContains(form, "Mark reviewed today")
    response = publisher.post(url, follow=True)
    assertContains(response, "Marked “Quorvatide” reviewed today.")
    drug = fresh(world.drug)
    assert drug.last_reviewed == date.today()
    assert drug.reviewed_by == world.user("publisher")


def test_an_editor_has_no_mark_reviewed_button_and_cannot_post_it(world):
    editor = world.client("editor")
    url = reverse("admin:causes_drug_mark_reviewed", args=[world.drug.pk])
    assertNotContains(editor.get(admin_url(world.drug, "change")), f'action="{url}"')
    response = editor.post(url)
    assertContains(response, "which publishers have", status_code=403)
    assert fresh(world.drug).last_reviewed == date(2026, 1, 1)


def test_a_drugs_form_offers_no_delete_control_for_its_cause(world):
    page = world.client("publisher").get(admin_url(world.drug, "change"))
    assertContains(page, 'id="id_cause"')
    assertNotContains(page, 'id="delete_id_cause"')
    assertContains(page, 'id="change_id_cause"')  # still reachable to edit


def test_the_brand_inline_says_what_in_source_means_in_its_column(world):
    page = world.client("editor").get(admin_url(world.drug, "change"))
    assertContains(page, "Named on the source page")
    assertContains(page, "Where it is sold")


def test_the_export_page_shows_no_template_comment(world):
    page = world.client("editor").get(reverse("admin:causes_drug_export"))
    assert page.status_code == 200
    for leaked in ("{#", "#}", "{% comment", "Copied from django-import-export"):
        assertNotContains(page, leaked)


def test_mark_reviewed_refuses_a_get_and_an_unknown_entry(world):
    publisher = world.client("publisher")
    url = reverse("admin:causes_drug_mark_reviewed", args=[world.drug.pk])
    assert publisher.get(url).status_code == 302
    assert fresh(world.drug).last_reviewed == date(2026, 1, 1)
    missing = reverse("admin:causes_drug_mark_reviewed", args=[999999])
    assert publisher.post(missing).status_code == 404
    assert Drug.objects.count() > 0


# --- the History page an editor can read ---------------------------------------------------


def test_word_diff_marks_only_the_changed_words_and_escapes():
    from causes.diffs import word_diff

    old, new = word_diff("Rarely <b>lowers</b> neutrophils.", "Often <b>lowers</b> white cells.")
    assert old == "<del>Rarely</del> &lt;b&gt;lowers&lt;/b&gt; <del>neutrophils.</del>"
    assert new == "<ins>Often</ins> &lt;b&gt;lowers&lt;/b&gt; <ins>white cells.</ins>"


def test_history_shows_whole_texts_the_reason_and_no_none(world):
    long_text = "A made-up condition. " * 20 + "The last words of a long summary."
    form = world.form(
        "publisher", world.cause, summary=long_text, change_reason="Checked against the label"
    )
    assert form.status_code == 302
    page = world.client("publisher").get(admin_url(world.cause, "history"))
    body = page.content.decode()
    assert "The last words of a long summary." in body  # not cut in the middle
    assert "Checked against the label" in body
    assert "<ins>" in body
    for placeholder in ("pk=None", ">None<", "[123 chars]"):
        assert placeholder not in body
    assert 'href="/static/causes/admin.css"' in body or "causes/admin." in body


# --- the admin's search finds drafts as the public search finds published entries --------


def test_the_admin_search_finds_a_draft_by_a_typo_and_by_its_brand(world):
    from causes.models import BrandName, Status

    draft = Drug.objects.create(
        slug="dapsovane",
        name="Dapsovane",
        cause=world.cause,
        drug_class="made-up draft",
        summary="A draft.",
        status=Status.DRAFT,
    )
    BrandName.objects.create(drug=draft, name="Quelvaro")
    editor = world.client("editor")
    changelist = reverse("admin:causes_drug_changelist")
    for typed in ("dapsovnae", "Quelvaro", "quelvar"):
        page = editor.get(changelist, {"q": typed})
        assertContains(page, f'href="/admin/causes/drug/{draft.pk}/change/', msg_prefix=typed)
    unrelated = editor.get(changelist, {"q": "zzzqqq"})
    assertNotContains(unrelated, f'href="/admin/causes/drug/{draft.pk}/change/')


# --- one search box on the admin home ------------------------------------------------------


def test_the_admin_home_searches_every_kind_the_editor_may_see(world):
    editor = world.client("editor")
    home = editor.get(reverse("admin:index"))
    assertContains(home, 'action="/admin/search/"')
    page = editor.get("/admin/search/", {"q": "Quorvix"})
    assertContains(page, "Drugs (1)")
    assertContains(page, f'href="/admin/causes/drug/{world.drug.pk}/change/"')
    assertContains(page, "Brand names (1)")
    typo = editor.get("/admin/search/", {"q": "zelbrx"})
    assertContains(typo, f'href="/admin/causes/cause/{world.cause.pk}/change/"')
    hostile = editor.get("/admin/search/", {"q": "<script>x</script>" + "a" * 500})
    assert hostile.status_code == 200
    assertNotContains(hostile, "<script>x</script>")


def test_the_admin_search_needs_a_staff_login(client, world):
    response = client.get("/admin/search/", {"q": "Quorvix"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- comparing any two versions ------------------------------------------------------------


def test_any_two_versions_compare_with_links_and_children(world):
    from causes import editing
    from causes.models import BrandName, Revision

    publisher = world.user("publisher")
    with editing.edit(publisher, Drug, world.drug.pk):
        drug = fresh(world.drug)
        drug.summary = "First wording of the drug."
        drug.save()
    with editing.edit(publisher, Drug, world.drug.pk):
        drug = fresh(world.drug)
        drug.summary = "Second wording of the drug."
        drug.save()
        BrandName.objects.create(drug=drug, name="Brandtwo")
    first, second = Revision.objects.filter(entry_id=world.drug.pk).order_by("created")[:2]
    url = reverse("admin:causes_drug_compare", args=[world.drug.pk])
    client = world.client("editor")
    page = client.get(url, {"a": first.pk, "b": second.pk})
    assertContains(page, "<del>First</del>")
    assertContains(page, "<ins>Second</ins>")
    assertContains(page, "Brandtwo")  # children compared too
    assertContains(page, f"Version {first.version}: changed")
    same = client.get(url, {"a": second.pk, "b": "now"})
    assertContains(same, "These two versions have the same content.")
    versions = client.get(reverse("admin:causes_drug_versions", args=[world.drug.pk]))
    assertContains(versions, f'action="{url}"')
    for bad in ({"a": "x"}, {"a": "999999"}, {"a": first.pk, "b": "1;drop"}):
        refused = client.get(url, bad)
        assert refused.status_code == 302
    other = Revision.objects.exclude(entry_id=world.drug.pk).first()
    if other is not None:
        assert client.get(url, {"a": other.pk}).status_code == 302


def test_history_says_a_revert_and_a_publication_were_what_they_were(world):
    from causes import editing
    from causes.models import Revision

    publisher = world.user("publisher")
    with editing.edit(publisher, Cause, world.cause.pk) as first:
        cause = fresh(world.cause)
        cause.summary = "Wording to go back to."
        cause.save()
    with editing.edit(publisher, Cause, world.cause.pk):
        cause = fresh(world.cause)
        cause.summary = "Wording replaced."
        cause.save()
    editing.revert(publisher, first.revision, "Back to the checked wording")
    reasons = list(
        world.cause.history.order_by("-history_date").values_list(
            "history_change_reason", flat=True
        )[:3]
    )
    assert reasons[0] == "Reverted: Back to the checked wording"
    assert isinstance(first.revision, Revision)
    page = world.client("publisher").get(admin_url(world.cause, "history"))
    assertContains(page, "Reverted: Back to the checked wording")


# --- an import preview that shows what matters ----------------------------------------------

IMPORT_HEADER = "slug,name,category,status,summary,sources\n"


def import_preview(world, text: str, name: str = "causes.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return world.client("publisher").post(
        reverse("admin:causes_cause_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def test_the_import_preview_counts_first_and_shows_only_the_changed_rows(world):
    import csv
    import io

    lupus = Cause.objects.get(slug="lupus")
    out = io.StringIO()
    sources = "|".join(lupus.sources.values_list("slug", flat=True))
    csv.writer(out).writerow(
        [lupus.slug, lupus.name, lupus.category.slug, "published", lupus.summary, sources]
    )
    unchanged = out.getvalue()
    changed = "zelbrix-syndrome,Zelbrix syndrome,test-category,published,"
    changed += '"A made-up condition, reworded.",test-source\n'
    page = import_preview(world, IMPORT_HEADER + unchanged + changed)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<strong>0</strong> new" in body and "<strong>1</strong> changed" in body
    assert "<strong>1</strong> unchanged" in body
    assert "Changed: Zelbrix syndrome" in body
    assert "Changed: Lupus" not in body and "Lupus</" not in body.split("What this file")[1]
    section = body.split("Changed: Zelbrix syndrome")[1].split("</section>")[0]
    assert '<th scope="row">summary</th>' in section and '<th scope="row">name</th>' not in section
    assert "<del>" in section and "<ins>" in section
    assert ' style="' not in body.split("What this file")[1]  # the CSP allows no inline style


def test_an_import_error_names_the_spreadsheet_row_the_column_and_the_value(world):
    row = "zelbrix-syndrome,Zelbrix syndrome,nowhere-category,published,Text.,test-source\n"
    page = import_preview(world, IMPORT_HEADER + row, name="my causes.csv")
    body = page.content.decode()
    assert "<td>2</td><td>category</td><td>nowhere-category</td>" in body
    assert "“nowhere-category” is not the slug of any category." in body
    assert "Line number" not in body
    assert "select “my causes.csv” again" in body
    assert fresh(world.cause).category.slug == "test-category"


# --- citations easy to insert and to check ---------------------------------------------------


def test_the_form_lists_which_sources_the_text_cites_with_a_cite_button(world):
    extra = another_source("extra-source", "An extra source")
    world.cause.summary = "A fact.[test-source]"
    world.cause.save()
    world.cause.sources.add(extra)
    page = world.client("editor").get(admin_url(world.cause, "change"))
    assertContains(page, 'data-marker="[test-source]"')
    assertContains(page, 'data-marker="[extra-source]"')
    body = page.content.decode()
    status = body.split('class="citation-status"')[1].split("</ul>")[0]
    assert '<li class="cited">' in status and '<li class="uncited">' in status
    assert status.index("[test-source]") < status.index("An extra source")  # by title
    assertContains(page, "causes/admin_citations")


def test_sources_are_picked_by_title_author_publisher_or_year(world):
    from causes.models import Source

    Source.objects.create(
        slug="curtis-test-2017",
        title="Non-chemotherapy drug-induced neutropenia, a test copy",
        authors="Curtis BR",
        year=2017,
        publisher="Hematology",
        url="https://example.org/curtis",
        accessed="2026-11-25",
    )
    editor = world.client("editor")
    url = reverse("admin:autocomplete")
    params = {"app_label": "causes", "model_name": "cause", "field_name": "sources"}
    for term in ("Curtis", "2017", "Hematology", "drug-induced neutropenia, a test"):
        found = editor.get(url, {**params, "term": term}).json()["results"]
        texts = [r["text"] for r in found]
        assert any("a test copy (Hematology, 2017; Curtis BR)" in t for t in texts), (term, texts)
    listing = editor.get(reverse("admin:causes_source_changelist"), {"q": "Curtis"})
    assertContains(listing, "Curtis BR")


def test_the_admin_home_search_ranks_as_the_site_does(world):
    page = world.client("editor").get("/admin/search/", {"q": "clozapine"})
    body = page.content.decode()
    drugs = body.split("Drugs (")[1].split("</table>")[0]
    causes = body.split("Causes (")[1].split("</table>")[0]
    assert drugs.index("Clozapine") >= 0
    assert causes.index("Some antipsychotic medications") >= 0
    first_drug = drugs.split('<th scope="row"><a href="')[1].split("</a>")[0]
    assert first_drug.endswith(">Clozapine")  # the drug named so, before drugs that mention it


def test_a_changelist_search_lists_entries_in_the_searchs_order(world):
    page = world.client("editor").get(reverse("admin:causes_drug_changelist"), {"q": "clozaril"})
    body = page.content.decode()
    rows = body.split('id="result_list"')[1].split("</table>")[0]
    names = [
        part.split("</a>")[0].split(">")[-1] for part in rows.split('<th class="field-name">')[1:]
    ]
    assert names[0] == "Clozapine", names
    sorted_by_name = world.client("editor").get(
        reverse("admin:causes_drug_changelist"), {"q": "clozaril", "o": "1"}
    )
    assert sorted_by_name.status_code == 200
