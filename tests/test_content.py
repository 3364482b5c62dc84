"""The content itself, as loaded from the fixture: every claim cited, plain language,
honest brand names and source records, related terms apart from other names, advice and
the "When to get help" page, and the causes the source page leaves out.

Each test prints its counts, so a run shows the state of the content, not only a pass.
"""

import re
import statistics
from datetime import date
from urllib.parse import urlparse

import pytest
import textstat
from django.urls import reverse
from pytest_django.asserts import assertContains

from causes import citations
from causes.models import (
    GET_HELP_SLUG,
    AliasKind,
    Article,
    BrandMarket,
    BrandName,
    Cause,
    Drug,
    Origin,
    Source,
    SourceAccess,
)
from causes.search import search_entries

pytestmark = pytest.mark.django_db

SOURCE_PAGE = "mayo-clinic-causes"
MAX_GRADE = 10
MEDIAN_GRADE = 8
# Mirrors and aggregators: a reader must be sent to the publisher or the regulator.
NOT_PUBLISHERS = (
    "docksci.com",
    "oncohemakey.com",
    "medilib.ir",
    "humpath.com",
    "findzebra.com",
    "pubannotation.org",
    "scilit.com",
    "researcher.life",
    "ouci.dntb.gov.ua",
    "drugs.com",
    "imedicalcode.com",
    "icd10codingpro.com",
    "abstract-text",  # UpToDate's copies of PubMed abstracts
)


def published_entries():
    for model in (Cause, Drug, Article):
        yield from model.objects.published().prefetch_related("sources")


def reading_grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(citations.without_markers(text))


def test_every_paragraph_of_every_published_text_cites_an_attached_source():
    paragraphs = markers = 0
    bare, unknown = [], []
    for entry in published_entries():
        attached = {s.slug for s in entry.sources.all()}
        for name in citations.CITED_FIELDS:
            for paragraph in citations.paragraphs(getattr(entry, name, "") or ""):
                paragraphs += 1
                cited = citations.cited_slugs(paragraph)
                markers += len(cited)
                if not cited:
                    bare.append(f"{entry.slug}.{name}: {paragraph[:60]}")
                unknown += [f"{entry.slug}.{name}: [{s}]" for s in cited if s not in attached]
    problems = f"{len(bare)} uncited, {len(unknown)} unresolved"
    print(f"\n{paragraphs} paragraphs, {markers} citations; {problems}")
    assert paragraphs > 100
    assert not bare, bare
    assert not unknown, unknown


def test_the_source_page_is_never_the_only_support_of_a_mechanism():
    checked, alone = 0, []
    for model in (Cause, Drug):
        for entry in model.objects.published().prefetch_related("mechanisms"):
            if not entry.mechanisms.all():
                continue
            checked += 1
            cited = {s for t in citations.texts_of(entry) for s in citations.cited_slugs(t)}
            if not cited - {SOURCE_PAGE}:
                alone.append(entry.slug)
    print(f"\n{checked} entries with mechanisms; {len(alone)} supported by the source page alone")
    assert checked > 20 and not alone, alone


def test_summaries_and_advice_read_at_grade_eight_or_lower():
    grades = sorted(
        (reading_grade(text), f"{entry.slug}.{name}")
        for entry in published_entries()
        for name in ("summary", "advice")
        if (text := getattr(entry, name, ""))
    )
    values = [g for g, _ in grades]
    median = statistics.median(values)
    quartiles = statistics.quantiles(values, n=4)
    print(
        f"\nFlesch-Kincaid grade of {len(values)} summaries and advice texts: median "
        f"{median:.1f}, quartiles {quartiles[0]:.1f}/{quartiles[2]:.1f}, "
        f"worst {grades[-1][0]:.1f} ({grades[-1][1]})"
    )
    assert median <= MEDIAN_GRADE
    assert [g for g in grades if g[0] > MAX_GRADE] == []


def test_every_brand_name_says_where_it_is_sold():
    brands = list(BrandName.objects.select_related("drug"))
    by_market = {m: sum(1 for b in brands if b.market == m) for m in BrandMarket.values}
    print(f"\n{len(brands)} brand names: {by_market}")
    assert all(b.market in BrandMarket.values for b in brands)
    # The review's brands, resolved with sources.
    expected = {
        "Thorazine": BrandMarket.DISCONTINUED_US,
        "Pronestyl": BrandMarket.DISCONTINUED_US,
        "Procanbid": BrandMarket.DISCONTINUED_US,
        "Largactil": BrandMarket.OUTSIDE_US,
        "Salazopyrin": BrandMarket.OUTSIDE_US,
        "Clozaril": BrandMarket.US,
    }
    assert {b.name: b.market for b in brands if b.name in expected} == expected
    outside = [b for b in brands if b.market == BrandMarket.OUTSIDE_US]
    assert all(b.market_note for b in outside), [b.name for b in outside if not b.market_note]


def test_a_brand_shows_its_market_beside_its_name(client):
    response = client.get(reverse("causes:drug-detail", args=["chlorpromazine"]))
    assertContains(response, "Thorazine</span>", count=0)
    assertContains(response, 'Thorazine <span class="brand-status">(no longer sold in the US')


def test_source_records_point_at_publishers_and_say_what_was_read():
    sources = list(Source.objects.all())
    hosts = {s.slug: urlparse(s.url).netloc + urlparse(s.url).path for s in sources}
    # An official document (a manufacturer's UK leaflet) on such a site passes only when
    # the record names its real publisher and says where it was read.
    disclosed = {s.slug for s in sources if re.search(r"as (re)?published (on|by)", s.publisher)}
    mirrors = [
        slug
        for slug, where in hosts.items()
        if any(m in where for m in NOT_PUBLISHERS) and slug not in disclosed
    ]
    by_access = {a: sum(1 for s in sources if s.access == a) for a in SourceAccess.values}
    print(f"\n{len(sources)} sources, by what was read: {by_access}; {len(mirrors)} mirrors")
    assert not mirrors, mirrors
    assert all(s.accessed <= date(2026, 11, 25) for s in sources)
    assert by_access[SourceAccess.ABSTRACT] > 0 and by_access[SourceAccess.UNCONFIRMED] > 0
    assert not [s.slug for s in sources if s.publisher.strip().lower() == "pubmed central"]


def test_an_abstract_only_source_says_so_to_readers(client):
    entry = next(
        e
        for e in Cause.objects.published()
        if e.sources.filter(access=SourceAccess.ABSTRACT).exists()
    )
    assertContains(client.get(entry.get_absolute_url()), "(abstract only)")


RELATED = {
    "chemotherapy": ["febrile neutropenia", "neutropenic fever"],
    "rheumatoid-arthritis": ["felty syndrome"],
    "granulomatosis-with-polyangiitis": ["anca-associated vasculitis"],
    "sepsis": ["septic shock", "bloodstream infection"],
    "vitamin-deficiencies": ["pernicious anemia"],
    "aplastic-anemia": ["bone marrow failure"],
}


def test_related_terms_are_not_shown_as_other_names_and_are_still_found(client):
    for slug, terms in RELATED.items():
        cause = Cause.objects.get(slug=slug)
        kinds = {a.name.casefold(): a.kind for a in cause.aliases.all()}
        for term in terms:
            assert kinds.get(term) == AliasKind.RELATED, (slug, term, kinds.get(term))
            found = [r.url for r in search_entries(term).results[:3]]
            assert cause.get_absolute_url() in found, (term, found)
        page = client.get(cause.get_absolute_url()).content.decode()
        names = (
            page.split('id="aliases-heading"')[1].split("</section>")[0]
            if ('id="aliases-heading"' in page)
            else ""
        )
        assert not any(t in names.casefold() for t in terms), slug
        assert "Related terms" in page
    assert not Cause.objects.filter(aliases__name__iexact="pre-leukemia").exists()


def test_the_when_to_get_help_page_is_sourced_linked_and_found(client):
    article = Article.objects.published().get(slug=GET_HELP_SLUG)
    body = citations.without_markers(article.body)
    assert "38" in body and "100.4" in body
    assert re.search(r"never stop|do not stop|don't stop", body, re.I)
    assert article.sources.count() >= 3
    url = article.get_absolute_url()
    pages = [c.get_absolute_url() for c in Cause.objects.published()[:5]]
    pages += [d.get_absolute_url() for d in Drug.objects.published()[:5]] + ["/"]
    for page in pages:
        assertContains(client.get(page), f'href="{url}"')
    for query in ("fever", "neutropenic fever", "when to go to hospital"):
        top = [r.url for r in search_entries(query).results[:3]]
        assert url in top, (query, top)


def test_advice_is_given_where_sources_give_it():
    with_advice = {
        slug
        for model in (Cause, Drug)
        for slug in model.objects.published().exclude(advice="").values_list("slug", flat=True)
    }
    print(f"\n{len(with_advice)} causes and drugs with their own advice")
    for slug in ("clozapine", "chemotherapy", "methimazole", "propylthiouracil"):
        assert slug in with_advice, slug
    clozapine = citations.without_markers(Drug.objects.get(slug="clozapine").advice)
    assert re.search(r"weekly|every week", clozapine, re.I)
    assert re.search(r"fever|sore throat", clozapine, re.I)


def test_a_page_without_advice_of_its_own_still_links_to_help(client):
    cause = Cause.objects.published().filter(advice="").first()
    response = client.get(cause.get_absolute_url())
    assertContains(response, "What to do")
    assertContains(response, "When to get help</a>")


BEYOND = [
    "metamizole",
    "trimethoprim-sulfamethoxazole",
    "dapsone",
    "deferiprone",
    "carbimazole",
    "carbamazepine",
    "rituximab",
]


def test_major_causes_beyond_the_source_page_are_added_and_marked(client):
    drugs = {d.slug: d for d in Drug.objects.published().filter(slug__in=BEYOND)}
    print(f"\nbeyond the source page: {sorted(drugs)}")
    assert sorted(drugs) == sorted(BEYOND)
    for drug in drugs.values():
        assert drug.origin == Origin.BEYOND
        assert drug.used_to_treat and drug.drug_class and drug.sources.count() >= 2
        assert drug.sources.exclude(slug=SOURCE_PAGE).exists()
        assertContains(client.get(drug.get_absolute_url()), "Added beyond the source page")
    for slug in ("cyclic-neutropenia", "autoimmune-neutropenia-of-infancy"):
        assert Cause.objects.published().get(slug=slug).origin == Origin.BEYOND
    # The source page's own items are all still marked as its own.
    assert Cause.objects.filter(origin=Origin.SOURCE_PAGE).count() == 29


def test_search_finds_the_new_entries_by_their_names():
    for query, slug in [
        ("dipyrone", "metamizole"),
        ("co-trimoxazole", "trimethoprim-sulfamethoxazole"),
        ("Bactrim", "trimethoprim-sulfamethoxazole"),
        ("Ferriprox", "deferiprone"),
        ("cyclic neutropenia", "cyclic-neutropenia"),
    ]:
        top = search_entries(query).results[0]
        assert top.url.rstrip("/").endswith(slug), (query, top.url)
