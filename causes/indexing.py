"""Write side of search: turns published content into `SearchEntry` rows.

Every entry is indexed under its name, its aliases (and a drug under its brand names),
and its summary; a drug, or a cause that is a group of drugs, also under what it is used
to treat. Each kind of entry is declared once, in `INDEXES`: its published
queryset, its row builder and, beside them, which changes reindex it. The signals ask
`affected()` what a save, delete or m2m change touches and call `reindex()`;
`manage.py rebuild_search_index` calls `rebuild()`.
"""

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Prefetch

from causes.citations import without_markers
from causes.models import (
    Article,
    BrandName,
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
# Rows whose words are searched, not their name: no `compact` (see migration 0009).
TEXT_FIELDS = (MatchField.SUMMARY, MatchField.USES)


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
        compact=compact(norm)[:COMPACT_MAX] if field not in TEXT_FIELDS else "",
        title=title,
        url=entry.get_absolute_url(),
        description=description,
        context=context,
    )


def _rows_for(kind, entry, title, description, context, aliases=(), brands=(), texts=(), uses=""):
    rows = [_row(kind, entry, MatchField.NAME, title, title, description, context)]
    rows += [
        _row(kind, entry, MatchField.ALIAS, name, title, description, context, alias_kind)
        for name, alias_kind in aliases
    ]
    rows += [_row(kind, entry, MatchField.BRAND, b, title, description, context) for b in brands]
    rows += [
        _row(kind, entry, MatchField.SUMMARY, without_markers(t), title, description, context)
        for t in texts
        if t
    ]
    if uses:
        uses = without_markers(uses)
        rows.append(_row(kind, entry, MatchField.USES, uses, title, description, context))
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
        texts=[cause.summary, cause.advice, cause.source_wording],
        uses=cause.used_to_treat,
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
        texts=[drug.summary, drug.advice],
        uses=drug.used_to_treat,
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


def itself(entry) -> list[int]:
    """The changed row is the entry (or the row is deleted: the entry loses its rows)."""
    return [entry.pk]


@dataclass(frozen=True)
class Via:
    """The entry named by a foreign key of the changed row: an alias's cause, a link row's
    drug. A row moved to another owner reindexes the old owner too (see `moved_from()`)."""

    attname: str

    def __call__(self, row) -> list[int]:
        return [getattr(row, self.attname)]


def _pks(queryset) -> Callable[[models.Model], Iterable[int]]:
    """Entries found by a query on the changed row, e.g. a category's causes."""
    return lambda row: queryset(row).values_list("pk", flat=True)


def _mechanisms() -> Prefetch:
    return Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order", "name"))


@dataclass(frozen=True)
class Index:
    """One kind of index entry: what is indexed, how, and which changes reindex it."""

    kind: TargetKind
    model: type[models.Model]
    published: Callable[[], models.QuerySet]  # public entries, with what their rows need
    rows: Callable[[models.Model], list[SearchEntry]]
    # A change to a row of this model (or m2m link table) -> ids of the entries it affects.
    depends_on: Mapping[type[models.Model], Callable[[models.Model], Iterable[int]]]


# In rebuild order. Parents before children, so entries are locked in the same order by
# every writer (see `reindex()`).
INDEXES: dict[str, Index] = {
    index.kind: index
    for index in (
        Index(
            TargetKind.CAUSE,
            Cause,
            published=lambda: (
                Cause.objects.published()
                .select_related("category")
                .prefetch_related(_mechanisms(), Prefetch("aliases", CauseAlias.objects.all()))
            ),
            rows=cause_rows,
            depends_on={
                Cause: itself,
                CauseAlias: Via("cause_id"),
                Category: _pks(lambda category: category.causes.all()),  # name, visibility
                Mechanism: _pks(lambda mechanism: mechanism.causes.all()),  # in the context
                Cause.mechanisms.through: Via("cause_id"),
            },
        ),
        Index(
            TargetKind.DRUG,
            Drug,
            published=lambda: (
                Drug.objects.published()
                .select_related("cause__category")
                .prefetch_related(
                    _mechanisms(), Prefetch("aliases", DrugAlias.objects.all()), "brand_names"
                )
            ),
            rows=drug_rows,
            depends_on={
                Drug: itself,
                BrandName: Via("drug_id"),
                DrugAlias: Via("drug_id"),
                Cause: _pks(lambda cause: cause.drugs.all()),  # its status: drugs' visibility
                Category: _pks(lambda category: Drug.objects.filter(cause__category=category)),
                Mechanism: _pks(lambda mechanism: mechanism.drugs.all()),
                Drug.mechanisms.through: Via("drug_id"),
            },
        ),
        Index(
            TargetKind.CATEGORY,
            Category,
            published=lambda: Category.objects.published(),
            rows=category_rows,
            depends_on={Category: itself},
        ),
        Index(
            TargetKind.MECHANISM,
            Mechanism,
            published=lambda: Mechanism.objects.all(),
            rows=mechanism_rows,
            depends_on={Mechanism: itself},
        ),
        Index(
            TargetKind.ARTICLE,
            Article,
            published=lambda: Article.objects.published(),
            rows=article_rows,
            depends_on={Article: itself},
        ),
    )
}

# Every model (and m2m link table) whose changes reindex something.
WATCHED: tuple[type[models.Model], ...] = tuple(
    dict.fromkeys(model for index in INDEXES.values() for model in index.depends_on)
)


def affected(model, rows: Iterable[models.Model]) -> dict[str, set[int]]:
    """The entries of each kind whose index rows a change to these rows of `model` alters."""
    rows = list(rows)
    found = {}
    for index in INDEXES.values():
        find = index.depends_on.get(model)
        if find is None:
            continue
        ids = {pk for row in rows for pk in find(row) if pk is not None}
        if ids:
            found[index.kind] = ids
    return found


def moved_from(model, row) -> models.Model | None:
    """Before an update: the stored row, if it is about to move to another owner.

    Only the foreign keys the declarations follow are read; None when none changes.
    """
    attnames = sorted(
        {
            find.attname
            for index in INDEXES.values()
            if isinstance(find := index.depends_on.get(model), Via)
        }
    )
    if not attnames or row._state.adding or row.pk is None:
        return None
    stored = model._base_manager.filter(pk=row.pk).values(*attnames).first()
    if stored is None or all(stored[a] == getattr(row, a) for a in attnames):
        return None
    return model(**stored)


def reindex_affected(model, rows: Iterable[models.Model], raw: bool = False) -> None:
    """Reindex every entry a change to these rows of `model` affects.

    On PostgreSQL the foreign keys of what this transaction wrote are checked first
    rather than at commit: the check waits for the parent's row (a drug's save for its
    cause's), and waiting for it later, while holding index locks a writer of the parent
    wants, would be a circle. Not for `loaddata` (`raw`), whose rows may point forward.
    """
    found = affected(model, rows)
    if found and not raw and connection.vendor == "postgresql" and connection.in_atomic_block:
        connection.check_constraints()  # SET CONSTRAINTS ALL IMMEDIATE, then DEFERRED
    for kind, ids in found.items():
        reindex(kind, ids)


def _lock_key(kind: str) -> int:
    """A stable int4 naming one kind of entry's index rows, for advisory locks."""
    return zlib.crc32(f"search-index:{kind}".encode()) - 2**31


def _int4(pk: int) -> int:
    return (pk + 2**31) % 2**32 - 2**31  # a bigint folded into int4; a clash only waits


def lock_entries(kind: str, ids: list[int]) -> None:
    """Take these entries' index lock, in ascending order, until the transaction ends.

    Two writers reindexing one entry then take turns: neither can delete the rows the
    other just inserted and insert its own beside them, and with one order no two wait
    on each other in a circle. On PostgreSQL the lock is an advisory lock per entry, not
    the entry's row: a writer holding its cause's row (renaming it, or locked by
    `causes.editing`) reindexes the cause's drugs, while a writer of one of those drugs
    holds the drug's row and waits for the cause's (the foreign key check of its save);
    row locks there wait in a circle. Elsewhere, the entries' rows; SQLite locks the
    whole database anyway.
    """
    if not ids:
        return
    features = connection.features
    if connection.vendor == "postgresql":
        keys = sorted({_int4(pk) for pk in ids})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, key)"
                " FROM unnest(%s::int[]) WITH ORDINALITY AS k(key, n) ORDER BY n",
                [_lock_key(kind), keys],
            )
    elif features.has_select_for_update:
        model = INDEXES[kind].model
        locked = model._base_manager.select_for_update(no_key=features.has_select_for_no_key_update)
        list(locked.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def reindex(kind: str, ids: Iterable[int], replace: bool = True, chunk: int = 2000) -> None:
    """Replace the index rows of these entries; entries no longer public lose theirs.

    The entries are locked first (`lock_entries()`), then their rows built from what is
    committed (or written by this transaction), then deleted and inserted. `replace=False` skips the
    delete, for entries known to have no rows yet (bulk loads).
    """
    ids = sorted(set(ids))
    if not ids:
        return
    index = INDEXES[kind]
    with transaction.atomic():
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            lock_entries(kind, part)
            rows = [
                row for entry in index.published().filter(pk__in=part) for row in index.rows(entry)
            ]
            if replace:
                SearchEntry.objects.filter(target_kind=kind, target_id__in=part).delete()
            SearchEntry.objects.bulk_create(rows, batch_size=chunk)


def add_rows(rows: list[SearchEntry], batch_size: int = 5000) -> None:
    """Index rows built by the caller for new entries (bulk loads such as bench_data)."""
    SearchEntry.objects.bulk_create(rows, batch_size=batch_size)


def all_rows() -> list[SearchEntry]:
    """The rows a full rebuild would write, built without writing them."""
    return [
        row
        for index in INDEXES.values()
        for entry in index.published()
        for row in index.rows(entry)
    ]


def rebuild(batch_size: int = 2000) -> int:
    """Rebuild the whole index from the content; returns the number of rows written."""
    written = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for index in INDEXES.values():
            batch = []
            for entry in index.published().iterator(chunk_size=batch_size):
                batch.extend(index.rows(entry))
                if len(batch) >= batch_size:
                    written += len(SearchEntry.objects.bulk_create(batch))
                    batch = []
            written += len(SearchEntry.objects.bulk_create(batch))
    return written
