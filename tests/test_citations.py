"""Inline citations: markers rendered as numbered links, and the rule that every marker
names an attached source, checked on every path that writes an entry's text."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from causes import citations, editing
from causes.models import Cause, Drug, Revision, Source
from causes.rules import Refusal
from tests.test_editorial_paths import World, admin_url, edit_as, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cause, drug, source) -> World:
    """As tests/test_editorial_paths.py's: a published cause and drug with a source."""
    drug.sources.add(source)
    return World(cause=cause, drug=drug, source=source)


def another_source(slug: str, title: str, **fields) -> Source:
    """A source beside the fixtures' test source, for a second citation."""
    defaults = {"publisher": "P", "url": f"https://example.org/{slug}", "accessed": "2026-11-25"}
    return Source.objects.create(slug=slug, title=title, **{**defaults, **fields})


# --- rendering ------------------------------------------------------------------------


def test_markers_become_numbered_links_in_order_of_first_citation():
    numbers = {"b-source": 1, "a-source": 2}
    html = citations.render("First fact.[b-source] Second.[a-source][b-source]", numbers)
    assert html == (
        '<p>First fact.<sup class="citation"><a href="#source-1" aria-label="source 1">[1]'
        '</a></sup> Second.<sup class="citation"><a href="#source-2" aria-label="source 2">'
        '[2]</a></sup><sup class="citation"><a href="#source-1" aria-label="source 1">[1]'
        "</a></sup></p>"
    )


def test_text_is_escaped_and_an_unknown_marker_shows_nothing():
    html = citations.render('<script>alert("x")</script> & more.[nowhere]', {})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; more." in html
    assert "nowhere" not in html and "<sup" not in html


def test_paragraphs_are_split_on_blank_lines():
    html = citations.render("One.[a]\n\nTwo\nlines.[a]", {"a": 1})
    assert html.count("<p>") == 2
    assert "Two<br>lines." in html


def test_markers_are_removed_for_reading_and_search():
    assert citations.without_markers("Fact one.[a-b] Fact two. [c][d]") == "Fact one. Fact two."
    # Brackets that are not a slug stay: "[1]" or "[see below]" are text.
    assert citations.without_markers("Doses [see below].") == "Doses [see below]."


def test_problems_are_counted():
    found = citations.problems(["One.[a] Two.[zzz]", "No citation here.\n\nCited.[a]"], ["a", "b"])
    assert found.unknown == ["zzz"]
    assert found.uncited == ["b"]
    assert found.bare_paragraphs == 1


def test_a_page_numbers_its_sources_as_its_text_cites_them(client, world):
    second = another_source("second-source", "Aardvark study", access="abstract")
    cause = world.cause
    cause.summary = "Known fact.[second-source] Another fact.[test-source]"
    cause.save()
    cause.sources.add(second)
    response = client.get(cause.get_absolute_url())
    # The first cited is number 1 although its title sorts first anyway; the list agrees.
    assertContains(response, '<a href="#source-1" aria-label="source 1">[1]</a>', html=False)
    page = response.content.decode()
    body = page[page.index("<body") :]  # the head's structured data lists them too
    assert body.index('id="source-1"') < body.index("Aardvark study") < body.index('id="source-2"')
    assert "[second-source]" not in body
    assertContains(response, "(abstract only)")
    # The page description and the search index read the text without markers.
    assertContains(response, 'content="Known fact. Another fact."')


# --- the rule on every path -------------------------------------------------------------


def cited_summary(slug: str) -> str:
    return f"A made-up condition, now cited.[{slug}]"


def test_admin_form_refuses_a_marker_of_a_source_not_attached(world):
    before = fresh(world.cause).summary
    response = world.form("publisher", world.cause, summary=cited_summary("not-attached"))
    assertContains(response, "cites [not-attached] in its text, but no such source is attached")
    assert fresh(world.cause).summary == before


def test_admin_form_saves_a_marker_of_an_attached_source_and_warns_of_uncited_ones(world):
    extra = another_source("extra-source", "Extra")
    data = {"summary": cited_summary("test-source"), "sources": [world.source.pk, extra.pk]}
    response = world.form("publisher", world.cause, **data)
    assert fresh(world.cause).summary == cited_summary("test-source")
    assertContains(response, "No text of “Zelbrix syndrome” cites [extra-source]")


def test_the_service_path_refuses_and_accepts_the_same(world):
    with pytest.raises(Refusal, match=r"\[ghost-source\]"):
        edit_as(world.user("publisher"), world.cause, summary=cited_summary("ghost-source"))
    assert "ghost-source" not in fresh(world.cause).summary
    edit_as(world.user("publisher"), world.cause, advice="Call at once.[test-source]")
    assert fresh(world.cause).advice == "Call at once.[test-source]"


def test_an_editors_pending_change_is_checked_too(world):
    with pytest.raises(Refusal):
        edit_as(world.user("editor"), world.drug, mechanism_note="Unknown.[ghost-source]")
    assert editing.pending_for(Drug, world.drug.pk) is None


def test_import_refuses_a_row_whose_text_cites_a_source_not_attached(world):
    header = "slug,name,category,status,summary,sources\n"
    row = "zelbrix-syndrome,Zelbrix syndrome,test-category,published,{},test-source\n"
    bad = world.import_csv("publisher", Cause, header + row.format("Fact.[ghost-source]"))
    assertContains(bad, "[ghost-source]", status_code=bad.status_code)
    assert "ghost-source" not in fresh(world.cause).summary
    world.import_csv("publisher", Cause, header + row.format("Fact.[test-source]"))
    assert fresh(world.cause).summary == "Fact.[test-source]"


def test_revert_to_a_version_whose_source_was_deleted_since_is_refused(world):
    other = another_source("later-gone", "Later gone")
    publisher = world.user("publisher")
    with editing.edit(publisher, Cause, world.cause.pk) as current:
        cause = fresh(world.cause)
        cause.summary = "Cited to a source that goes.[later-gone]"
        cause.save()
        cause.sources.add(other)
    earlier = current.revision
    with editing.edit(publisher, Cause, world.cause.pk):
        cause = fresh(world.cause)
        cause.summary = "Back to the test source.[test-source]"
        cause.save()
        cause.sources.remove(other)
    editing.delete(publisher, other)  # no text cites it now
    with pytest.raises(Refusal, match=r"\[later-gone\]"):
        editing.revert(publisher, earlier)
    assert fresh(world.cause).summary == "Back to the test source.[test-source]"
    assert isinstance(earlier, Revision)


def test_a_cited_source_keeps_its_slug_and_cannot_be_deleted(world):
    edit_as(world.user("publisher"), world.cause, summary=cited_summary("test-source"))
    publisher = world.user("publisher")
    with pytest.raises(Refusal, match=r"cite this source as \[test-source\]"):
        edit_as(publisher, world.source, slug="renamed-source")
    assert fresh(world.source).slug == "test-source"
    with pytest.raises(Refusal, match="is cited in the texts of “Zelbrix syndrome”"):
        editing.delete(publisher, world.source)
    assert Source.objects.filter(pk=world.source.pk).exists()
    # Once no text cites it, the slug may change.
    edit_as(publisher, world.cause, summary="No citation now.")
    edit_as(publisher, world.source, slug="renamed-source")
    assert fresh(world.source).slug == "renamed-source"


def test_admin_delete_page_of_a_cited_source_says_why(world):
    edit_as(world.user("publisher"), world.cause, summary=cited_summary("test-source"))
    response = world.post("publisher", admin_url(world.source, "delete"), {"post": "yes"})
    assert Source.objects.filter(pk=world.source.pk).exists()
    assertNotContains(response, "was deleted successfully")


def test_the_form_help_says_how_to_cite(editor_client, cause):
    response = editor_client.get(reverse("admin:causes_cause_change", args=[cause.pk]))
    assertContains(response, "[dailymed-clozapine]")
    assertContains(response, "What to do")


# --- editors set advice, market status and origin in the admin and by import -------------


def test_a_publisher_sets_a_brands_market_and_the_advice_on_the_drug_form(client, world):
    brand = world.drug.brand_names.get()
    response = world.form(
        "publisher",
        world.drug,
        advice="Call your doctor at once with a fever.[test-source]",
        origin="beyond_source",
        **{
            "brand_names-TOTAL_FORMS": "1",
            "brand_names-INITIAL_FORMS": "1",
            "brand_names-0-id": brand.pk,
            "brand_names-0-drug": world.drug.pk,
            "brand_names-0-name": brand.name,
            "brand_names-0-market": "discontinued_us",
            "brand_names-0-market_note": "tablets withdrawn in 2016",
            "brand_names-0-in_source": "on",
        },
    )
    assert response.status_code == 200
    brand.refresh_from_db()
    assert (brand.market, brand.market_note) == ("discontinued_us", "tablets withdrawn in 2016")
    page = client.get(world.drug.get_absolute_url())
    assertContains(
        page,
        'Quorvix <span class="brand-status">(no longer sold in the US: tablets withdrawn in 2016)',
    )
    assertContains(page, "Call your doctor at once with a fever.<sup")
    assertContains(page, "Added beyond the source page")


def test_a_form_that_leaves_out_the_selects_keeps_their_values(world):
    brand = world.drug.brand_names.get()
    brand.market = "outside_us"
    brand.save()
    world.form(
        "publisher",
        world.drug,
        **{
            "brand_names-TOTAL_FORMS": "1",
            "brand_names-INITIAL_FORMS": "1",
            "brand_names-0-id": brand.pk,
            "brand_names-0-drug": world.drug.pk,
            "brand_names-0-name": brand.name,
            "brand_names-0-in_source": "on",
        },
    )
    brand.refresh_from_db()
    assert brand.market == "outside_us"
    assert fresh(world.drug).origin == "source_page"


def test_import_sets_advice_origin_and_source_access(world):
    header = "slug,name,category,status,summary,advice,origin,sources\n"
    row = (
        "zelbrix-syndrome,Zelbrix syndrome,test-category,published,Fact.[test-source],"
        "Call at once.[test-source],beyond_source,test-source\n"
    )
    world.import_csv("publisher", Cause, header + row)
    cause = fresh(world.cause)
    assert (cause.advice, cause.origin) == ("Call at once.[test-source]", "beyond_source")
    world.import_csv(
        "publisher",
        Source,
        "slug,title,publisher,url,accessed,access\n"
        "test-source,A test source,Test Journal,https://example.org/source,2026-01-01,abstract\n",
    )
    assert fresh(world.source).access == "abstract"
