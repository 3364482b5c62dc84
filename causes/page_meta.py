"""What each public page says about itself, built in one place: its title and description,
canonical address, breadcrumbs (shown on the page and given to search engines), the
Open Graph type, and its JSON-LD (schema.org).

Every builder takes the objects its view already loaded (the same QuerySets, with their
prefetches), so describing a page costs no query. `base.html` renders the result; the
breadcrumb partial and the JSON-LD's `BreadcrumbList` read the same list of crumbs, so the
two cannot disagree.

schema.org types, chosen for medical content:
- each page is a `MedicalWebPage` with `lastReviewed` and `about` (the search results
  page is a `SearchResultsPage`, the medicines check a plain `WebPage`);
- neutropenia itself is a `MedicalCondition`, whose `cause` lists the causes a page shows;
- a cause is a `MedicalCause` and also what it is (`Cause.kind`: a `MedicalCondition`,
  `InfectiousDisease`, `MedicalTherapy`, `DrugClass` or `Drug`); the neutropenia it
  causes carries its mechanisms as `pathophysiology`; its category is the collection
  page the cause's page is part of;
- a drug is a `Drug` with `nonProprietaryName`, every brand as `proprietaryName`, its
  `drugClass`, and neutropenia as its `adverseOutcome`.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from causes import citations
from causes.models import CauseKind

SITE_NAME = "Neutropenia causes"
DESCRIPTION_LENGTH = 155
NOT_ESTABLISHED = "Not established by the cited sources"

SCHEMA_TYPE = {
    CauseKind.CONDITION: "MedicalCondition",
    CauseKind.INFECTION: "InfectiousDisease",
    CauseKind.TREATMENT: "MedicalTherapy",
    CauseKind.MEDICINES: "DrugClass",
    CauseKind.MEDICINE: "Drug",
}

# Characters that could end the <script> element or open markup inside it: JSON allows
# them escaped, and then no text an editor writes can break out of the data block.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


@dataclass
class PageMeta:
    title: str
    description: str
    canonical: str
    og_type: str = "website"
    breadcrumbs: list[Crumb] = field(default_factory=list)
    structured_data: dict | None = None

    @property
    def json_ld(self) -> SafeString:
        """The JSON-LD as the content of a `<script type="application/ld+json">`."""
        if not self.structured_data:
            return SafeString("")
        text = json.dumps(self.structured_data, ensure_ascii=False, sort_keys=False)
        return format_html(
            '<script type="application/ld+json">{}</script>',
            SafeString(text.translate(_SCRIPT_ESCAPES)),
        )


def describe(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """A page description from a cited text: markers out, one line, cut at a word."""
    plain = " ".join(citations.without_markers(text).split())
    return Truncator(plain).chars(length)


# --- the pieces every page shares -------------------------------------------------------


class Page:
    """One page being described: its request gives absolute addresses."""

    def __init__(self, request, title: str, description: str):
        self.request = request
        self.title = title
        self.description = description
        self.canonical = request.build_absolute_uri(request.path)
        self.home = self.absolute(reverse("causes:home"))

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def website(self) -> dict:
        return {
            "@type": "WebSite",
            "@id": self.home + "#website",
            "name": SITE_NAME,
            "url": self.home,
        }

    def neutropenia(self, **more) -> dict:
        """Neutropenia, the condition every page is about."""
        return {
            "@type": "MedicalCondition",
            "name": "Neutropenia",
            "alternateName": "Low neutrophil count",
            "url": self.home,
            **more,
        }

    def cause_ref(self, cause) -> dict:
        return {
            "@type": ["MedicalCause", SCHEMA_TYPE[cause.kind]],
            "name": cause.name,
            "url": self.absolute(cause.get_absolute_url()),
        }

    def breadcrumb_list(self, crumbs: list[Crumb]) -> dict:
        return {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": crumb.name,
                    "item": self.absolute(crumb.url),
                }
                for position, crumb in enumerate(crumbs, 1)
            ],
        }

    def meta(
        self,
        *,
        about: dict | None = None,
        crumbs: list[Crumb] | None = None,
        reviewed: date | None = None,
        page_type: str = "MedicalWebPage",
        part_of: list[dict] = (),
        og_type: str = "website",
        **more,
    ) -> PageMeta:
        page = {
            "@type": page_type,
            "@id": self.canonical,
            "url": self.canonical,
            "name": self.title,
            "description": self.description,
            "inLanguage": "en",
            "isPartOf": [self.website(), *part_of],
        }
        if about is not None:
            page["about"] = about
        if reviewed is not None:
            page["lastReviewed"] = reviewed.isoformat()
        if crumbs:
            page["breadcrumb"] = self.breadcrumb_list(crumbs)
        page.update(more)
        return PageMeta(
            title=self.title,
            description=self.description,
            canonical=self.canonical,
            og_type=og_type,
            breadcrumbs=crumbs or [],
            structured_data={"@context": "https://schema.org", **page},
        )


def latest_review(entries) -> date | None:
    """The newest review among the entries a listing shows."""
    return max((e.last_reviewed for e in entries if e.last_reviewed), default=None)


def mechanism_text(entry) -> str:
    names = [m.name for m in entry.mechanisms.all()]
    return "; ".join(names) if names else NOT_ESTABLISHED


def citation_list(page: Page, entry) -> list[dict]:
    """The entry's sources, numbered as its page lists them."""
    return [
        {
            "@type": "CreativeWork",
            "name": item.source.title,
            "url": item.source.url,
            "publisher": {"@type": "Organization", "name": item.source.publisher},
        }
        for item in citations.numbered_for(entry)
    ]


def _home_crumb() -> Crumb:
    return Crumb("Home", reverse("causes:home"))


# --- one builder per kind of page ---------------------------------------------------------


def home(request, categories, articles) -> PageMeta:
    page = Page(
        request,
        "Causes of neutropenia (low neutrophil count)",
        "Plain-language reference on what can lower neutrophils: cancer treatment, drugs, "
        "infections, autoimmune and bone marrow disorders, and more, with sources.",
    )
    causes = [cause for category in categories for cause in category.causes.all()]
    meta = page.meta(
        about=page.neutropenia(
            **{"@id": page.home + "#neutropenia"}, cause=[page.cause_ref(c) for c in causes]
        ),
        reviewed=latest_review([*causes, *articles]),
    )
    search = page.absolute(reverse("causes:search"))
    website = page.website() | {
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        }
    }
    meta.structured_data["isPartOf"] = [website]
    return meta


def category(request, category) -> PageMeta:
    causes = list(category.causes.all())
    names = ", ".join(cause.name for cause in causes)
    page = Page(
        request,
        category.name,
        describe(
            f"{category.name} that can cause neutropenia: {names}." if names else category.intro
        ),
    )
    crumbs = [_home_crumb(), Crumb(category.name, category.get_absolute_url())]
    return page.meta(
        page_type=["MedicalWebPage", "CollectionPage"],
        about=page.neutropenia(cause=[page.cause_ref(c) for c in causes]),
        crumbs=crumbs,
        reviewed=latest_review(causes),
    )


def _category_page(page: Page, category) -> dict:
    return {
        "@type": "CollectionPage",
        "name": category.name,
        "url": page.absolute(category.get_absolute_url()),
    }


def cause(request, cause) -> PageMeta:
    page = Page(request, f"{cause.name} as a cause of neutropenia", describe(cause.summary))
    entity = page.cause_ref(cause) | {
        "@id": page.canonical + "#cause",
        "description": page.description,
        "causeOf": page.neutropenia(pathophysiology=mechanism_text(cause)),
    }
    if names := [alias.name for alias in cause.public_names]:
        entity["alternateName"] = names
    drugs = [_drug_ref(page, drug) for drug in cause.drugs.all()]
    if drugs and cause.kind == CauseKind.MEDICINES:
        entity["drug"] = drugs  # the drugs of the class
    crumbs = [
        _home_crumb(),
        Crumb(cause.category.name, cause.category.get_absolute_url()),
        Crumb(cause.name, cause.get_absolute_url()),
    ]
    return page.meta(
        about=entity,
        crumbs=crumbs,
        reviewed=cause.last_reviewed,
        part_of=[_category_page(page, cause.category)],
        og_type="article",
        citation=citation_list(page, cause),
        **({"mentions": drugs} if drugs else {}),
    )


def _drug_ref(page: Page, drug) -> dict:
    return {"@type": "Drug", "name": drug.name, "url": page.absolute(drug.get_absolute_url())}


def drug(request, drug) -> PageMeta:
    brands = [brand.name for brand in drug.brand_names.all()]
    named = f"{drug.name} ({', '.join(brands)})" if brands else drug.name
    page = Page(
        request,
        f"{drug.name} and neutropenia",
        describe(f"{named}, {drug.drug_class}: {citations.without_markers(drug.summary)}"),
    )
    entity = _drug_ref(page, drug) | {
        "@id": page.canonical + "#drug",
        "description": describe(drug.summary),
        "nonProprietaryName": drug.name,
        "drugClass": {"@type": "DrugClass", "name": drug.drug_class},
        "adverseOutcome": page.neutropenia(pathophysiology=mechanism_text(drug)),
    }
    if brands:
        entity["proprietaryName"] = brands
    if names := [alias.name for alias in drug.public_names]:
        entity["alternateName"] = names
    cause = drug.cause
    crumbs = [
        _home_crumb(),
        Crumb(cause.category.name, cause.category.get_absolute_url()),
        Crumb(cause.name, cause.get_absolute_url()),
        Crumb(drug.name, drug.get_absolute_url()),
    ]
    return page.meta(
        about=entity,
        crumbs=crumbs,
        reviewed=drug.last_reviewed,
        part_of=[
            {
                "@type": "MedicalWebPage",
                "name": cause.name,
                "url": page.absolute(cause.get_absolute_url()),
            }
        ],
        og_type="article",
        citation=citation_list(page, drug),
    )


def mechanism(request, mechanism) -> PageMeta:
    causes = list(mechanism.causes.all())
    page = Page(request, f"{mechanism.name} of neutrophils", describe(mechanism.explanation))
    crumbs = [_home_crumb(), Crumb(mechanism.name, mechanism.get_absolute_url())]
    return page.meta(
        about=page.neutropenia(
            pathophysiology=describe(mechanism.explanation, 1000),
            cause=[page.cause_ref(c) for c in causes],
        ),
        crumbs=crumbs,
        reviewed=latest_review(causes),
        citation=citation_list(page, mechanism),
    )


def mechanism_table(request, groups) -> PageMeta:
    causes = [row["cause"] for group in groups for row in group["rows"]]
    page = Page(
        request,
        "Causes of neutropenia by mechanism",
        "Which causes of neutropenia lower neutrophils by decreased production, destruction "
        "or abnormal storage, category by category.",
    )
    crumbs = [_home_crumb(), Crumb("Causes by mechanism", reverse("causes:mechanism-table"))]
    return page.meta(
        about=page.neutropenia(
            cause=[page.cause_ref(c) | {"description": mechanism_text(c)} for c in causes]
        ),
        crumbs=crumbs,
        reviewed=latest_review(causes),
    )


def article(request, article) -> PageMeta:
    page = Page(request, article.title, describe(article.summary))
    crumbs = [_home_crumb(), Crumb(article.title, article.get_absolute_url())]
    return page.meta(
        about=page.neutropenia(),
        crumbs=crumbs,
        reviewed=article.last_reviewed,
        og_type="article",
        citation=citation_list(page, article),
    )


def search(request, query: str, page_obj) -> PageMeta:
    if query:
        shown = Truncator(query).chars(60)
        title = f"Search: {shown}"
        description = f"What this reference lists for “{shown}”: causes, drugs and brand names."
    else:
        title = "Search"
        description = "Search causes of neutropenia by drug, brand name, condition or abbreviation."
    page = Page(request, title, description)
    if query:  # the query as the search read it, and no other parameter
        wanted = {
            "q": query,
            **({"page": page_obj.number} if page_obj and page_obj.number > 1 else {}),
        }
        page.canonical += "?" + urlencode(wanted)
    more = {}
    if page_obj is not None:
        more["mainEntity"] = {
            "@type": "ItemList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": result.title,
                    "url": page.absolute(result.url),
                }
                for position, result in enumerate(page_obj.object_list, page_obj.start_index())
            ],
        }
    return page.meta(page_type="SearchResultsPage", **more)


def check(request) -> PageMeta:
    page = Page(
        request,
        "Check my medicines",
        "Paste a list of your medicines to see which ones this reference lists as a possible "
        "cause of neutropenia, and how each one lowers neutrophils.",
    )
    return page.meta(page_type="WebPage", about=page.neutropenia())


def open_data(request) -> PageMeta:
    page = Page(
        request,
        "Open data and API",
        "All of this reference's published content as JSON and CSV downloads and a read-only "
        "JSON API, free to reuse with attribution.",
    )
    crumbs = [_home_crumb(), Crumb("Open data and API", reverse("causes:open-data"))]
    return page.meta(page_type="WebPage", about=page.neutropenia(), crumbs=crumbs)
