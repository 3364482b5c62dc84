"""Write side of search: turns published content into `SearchEntry` rows.

Every entry is indexed under its name, its aliases (and a drug under its brand names),
and its summary. `reindex()` replaces the rows of the given entries; signals call it on
every save and delete, and `manage.py rebuild_search_index` calls `rebuild()`.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch

from causes.models import (
    Article,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    MatchField,
    Mechanism,
    SearchEntry,
    TargetKind,
)
from causes.text import compact, normalize

COMPACT_MAX = SearchEntry._meta.get_field("compact").max_length


def mechanism_context(mechanisms) -> str:
    """'mechanism: destruction' or 'mechanism not established'."""
    names = [m.short_name for m in mechanisms]
    if names:
        return "mechanism: " + ", ".join(names)
    return "mechanism not established"


def _row(kind, entry, field, term, title, description, context, alias_kind=""):
    norm = normalize(term)
    if not norm:
        return None
    return SearchEntry(
        target_kind=kind,
        target_id=entry.pk,
        field=field,
        alias_kind=alias_kind,
        term=term,
        norm=norm,
        compact=compact(norm)[:COMPACT_MAX] if field != MatchField.SUMMARY else "",
        title=title,
        url=entry.get_absolute_url(),
        description=description,
        context=context,
    )


def _rows_for(kind, entry, title, description, context, aliases=(), brands=(), texts=()):
    rows = [_row(kind, entry, MatchField.NAME, title, title, description, context)]
    rows += [
        _row(kind, entry, MatchField.ALIAS, name, title, description, context, alias_kind)
        for name, alias_kind in aliases
    ]
    rows += [_row(kind, entry, MatchField.BRAND, b, title, description, context) for b in brands]
    rows += [
        _row(kind, entry, MatchField.SUMMARY, t, title, description, context) for t in texts if t
    ]
    return [r for r in rows if r is not None]


def cause_rows(cause: Cause, mechanisms=None, aliases=None) -> list[SearchEntry]:
    """Rows for a cause; mechanisms and aliases default to the cause's own (prefetched)."""
    mechanisms = cause.mechanisms.all() if mechanisms is None else mechanisms
    aliases = cause.aliases.all() if aliases is None else aliases
    return _rows_for(
        TargetKind.CAUSE,
        cause,
        cause.name,
        cause.category.name,
        mechanism_context(mechanisms),
        aliases=[(a.name, a.kind) for a in aliases],
        texts=[cause.summary, cause.source_wording],
    )


def drug_rows(drug: Drug, mechanisms=None, aliases=None, brands=None) -> list[SearchEntry]:
    """Rows for a drug; its relations default to the drug's own (prefetched)."""
    mechanisms = drug.mechanisms.all() if mechanisms is None else mechanisms
    aliases = drug.aliases.all() if aliases is None else aliases
    brands = drug.brand_names.all() if brands is None else brands
    return _rows_for(
        TargetKind.DRUG,
        drug,
        drug.name,
        drug.drug_class,
        f"{drug.cause.category.name} · {mechanism_context(mechanisms)}",
        aliases=[(a.name, a.kind) for a in aliases],
        brands=[b.name for b in brands],
        texts=[drug.summary],
    )


def category_rows(category: Category) -> list[SearchEntry]:
    return _rows_for(
        TargetKind.CATEGORY, category, category.name, "category", "", texts=[category.intro]
    )


def mechanism_rows(mechanism: Mechanism) -> list[SearchEntry]:
    return _rows_for(
        TargetKind.MECHANISM,
        mechanism,
        mechanism.name,
        "how neutrophils are lowered",
        "",
        aliases=[(mechanism.short_name, "synonym")],
        texts=[mechanism.explanation],
    )


def article_rows(article: Article) -> list[SearchEntry]:
    return _rows_for(
        TargetKind.ARTICLE,
        article,
        article.title,
        "background",
        "",
        aliases=[(t.strip(), "synonym") for t in article.search_terms.splitlines() if t.strip()],
        texts=[article.summary, article.body],
    )


# kind -> (published queryset with what its rows need, row builder)
def _sources():
    mechanisms = Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order", "name"))
    return {
        TargetKind.CAUSE: (
            Cause.objects.published()
            .select_related("category")
            .prefetch_related(mechanisms, Prefetch("aliases", CauseAlias.objects.all())),
            cause_rows,
        ),
        TargetKind.DRUG: (
            Drug.objects.published()
            .select_related("cause__category")
            .prefetch_related(
                mechanisms, Prefetch("aliases", DrugAlias.objects.all()), "brand_names"
            ),
            drug_rows,
        ),
        TargetKind.CATEGORY: (Category.objects.published(), category_rows),
        TargetKind.MECHANISM: (Mechanism.objects.all(), mechanism_rows),
        TargetKind.ARTICLE: (Article.objects.published(), article_rows),
    }


def reindex(kind: str, ids: Iterable[int], replace: bool = True, chunk: int = 2000) -> None:
    """Replace the index rows of these entries; entries no longer public lose theirs.

    `replace=False` skips the delete, for entries known to have no rows yet (bulk loads).
    """
    ids = list(ids)
    queryset, build = _sources()[kind]
    with transaction.atomic():
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            rows = [row for entry in queryset.filter(pk__in=part) for row in build(entry)]
            if replace:
                SearchEntry.objects.filter(target_kind=kind, target_id__in=part).delete()
            SearchEntry.objects.bulk_create(rows, batch_size=chunk)


def add_rows(rows: list[SearchEntry], batch_size: int = 5000) -> None:
    """Index rows built by the caller for new entries (bulk loads such as bench_data)."""
    SearchEntry.objects.bulk_create(rows, batch_size=batch_size)


def rebuild(batch_size: int = 2000) -> int:
    """Rebuild the whole index from the content; returns the number of rows written."""
    written = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for queryset, build in _sources().values():
            batch = []
            for entry in queryset.iterator(chunk_size=batch_size):
                batch.extend(build(entry))
                if len(batch) >= batch_size:
                    written += len(SearchEntry.objects.bulk_create(batch))
                    batch = []
            written += len(SearchEntry.objects.bulk_create(batch))
    return written
