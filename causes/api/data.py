"""The published content as plain data: what the JSON API answers and the open-data
downloads contain, built once here so the two can never disagree.

Every function reads from `published()` QuerySets with their prefetches declared here, so
a list costs a fixed number of queries whatever its length. Texts keep their citations as
numbers ("…neutrophils.[2]") that point into the entry's numbered `sources`, in the order
the entry's page numbers them.
"""

from django.db.models import Prefetch

from causes import citations
from causes.models import (
    AliasKind,
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
)

TEXT_FIELDS = ("summary", "used_to_treat", "mechanism_note", "advice", "explanation", "body")


# --- QuerySets --------------------------------------------------------------------------


def brand_names():
    return BrandName.objects.order_by("name")


def brand_names_prefetch() -> Prefetch:
    return Prefetch("brand_names", queryset=brand_names())


def drugs():
    return (
        Drug.objects.published()
        .select_related("cause__category")
        .prefetch_related(
            "mechanisms",
            "sources",
            brand_names_prefetch(),
            Prefetch("aliases", queryset=DrugAlias.objects.exclude(kind=AliasKind.MISSPELLING)),
        )
    )


def causes():
    return (
        Cause.objects.published()
        .select_related("category")
        .prefetch_related(
            "mechanisms",
            "sources",
            Prefetch("aliases", queryset=CauseAlias.objects.exclude(kind=AliasKind.MISSPELLING)),
            Prefetch(
                "drugs",
                queryset=Drug.objects.published().prefetch_related(
                    "mechanisms", brand_names_prefetch()
                ),
            ),
        )
    )


def categories():
    return Category.objects.published()


def mechanisms():
    return Mechanism.objects.prefetch_related("sources")


def articles():
    return Article.objects.published().prefetch_related("sources")


# --- pieces -------------------------------------------------------------------------------


def cited_text(entry, field: str) -> str:
    """The text with each citation marker as the number of its source: "…[2]"."""
    numbers = {n.source.slug: n.number for n in citations.numbered_for(entry)}

    def number(match):
        slug = match.group(1)
        return f"[{numbers[slug]}]" if slug in numbers else ""

    return citations.MARKER.sub(number, getattr(entry, field) or "")


def sources(entry) -> list[dict]:
    return [
        {
            "number": item.number,
            "slug": item.source.slug,
            "title": item.source.title,
            "authors": item.source.authors,
            "year": item.source.year,
            "publisher": item.source.publisher,
            "url": item.source.url,
            "accessed": item.source.accessed,
            "access": item.source.access,
        }
        for item in citations.numbered_for(entry)
    ]


def texts(entry) -> dict:
    return {field: cited_text(entry, field) for field in TEXT_FIELDS if hasattr(entry, field)}


def ref(entry) -> dict:
    return {"slug": entry.slug, "name": str(entry)}


def brand(brand: BrandName) -> dict:
    return {
        "name": brand.name,
        "market": brand.market,
        "market_label": brand.market_label,
        "named_on_source_page": brand.in_source,
    }


def aliases(entry) -> list[dict]:
    return [{"name": a.name, "kind": a.kind} for a in entry.aliases.all()]


def mechanism_slugs(entry) -> list[str]:
    return [m.slug for m in entry.mechanisms.all()]


# --- entries --------------------------------------------------------------------------------


def category(category: Category) -> dict:
    return {
        "slug": category.slug,
        "name": category.name,
        "intro": category.intro,
        "url": category.get_absolute_url(),
    }


def mechanism(mechanism: Mechanism) -> dict:
    return {
        "slug": mechanism.slug,
        "name": mechanism.name,
        "short_name": mechanism.short_name,
        "explanation": cited_text(mechanism, "explanation"),
        "sources": sources(mechanism),
        "url": mechanism.get_absolute_url(),
    }


def drug_summary(drug: Drug) -> dict:
    return {
        "slug": drug.slug,
        "name": drug.name,
        "drug_class": drug.drug_class,
        "cause": drug.cause.slug,
        "brand_names": [brand(b) for b in drug.brand_names.all()],
        "mechanisms": mechanism_slugs(drug),
        "url": drug.get_absolute_url(),
    }


def drug_detail(drug: Drug) -> dict:
    return drug_summary(drug) | {
        "cause": ref(drug.cause),
        "category": ref(drug.cause.category),
        "mechanisms": [ref(m) for m in drug.mechanisms.all()],
        "aliases": aliases(drug),
        "on_source_page": drug.in_source_page,
        **texts(drug),
        "sources": sources(drug),
        "last_reviewed": drug.last_reviewed,
    }


def cause_summary(cause: Cause) -> dict:
    return {
        "slug": cause.slug,
        "name": cause.name,
        "kind": cause.kind,
        "category": cause.category.slug,
        "mechanisms": mechanism_slugs(cause),
        "url": cause.get_absolute_url(),
        "last_reviewed": cause.last_reviewed,
    }


def cause_detail(cause: Cause) -> dict:
    return cause_summary(cause) | {
        "category": ref(cause.category),
        "mechanisms": [ref(m) for m in cause.mechanisms.all()],
        "drugs": [drug_summary(d) for d in cause.drugs.all()],
        "aliases": aliases(cause),
        "on_source_page": cause.in_source_page,
        "source_wording": cause.source_wording,
        **texts(cause),
        "sources": sources(cause),
    }


def article(article: Article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        **texts(article),
        "sources": sources(article),
        "last_reviewed": article.last_reviewed,
        "url": article.get_absolute_url(),
    }
