"""The search index never drifts: after any edit an editor can make, the index holds
exactly the rows a full rebuild would write, and concurrent edits of one entry neither
deadlock nor leave duplicate or stale rows."""

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causes import indexing
from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
    SearchEntry,
    Source,
    Status,
    TargetKind,
)

pytestmark = pytest.mark.django_db

ROW = ("target_kind", "target_id", "field", "alias_kind", "term", "norm", "compact")
ROW += ("title", "url", "description", "context")


def index_rows(**filters) -> Counter:
    """The index as stored; a Counter, so a duplicated row shows."""
    return Counter(SearchEntry.objects.filter(**filters).values_list(*ROW))


def rebuilt_rows(**filters) -> Counter:
    """The rows `indexing.rebuild()` would write, built without writing them."""
    rows = indexing.all_rows()
    return Counter(
        tuple(getattr(r, f) for f in ROW)
        for r in rows
        if all(getattr(r, k) == v for k, v in filters.items())
    )


def assert_index_is_rebuilt() -> None:
    now, rebuilt = index_rows(), rebuilt_rows()
    assert now == rebuilt, {"stale or duplicated": now - rebuilt, "missing": rebuilt - now}


def test_all_rows_are_what_rebuild_writes():
    expected = rebuilt_rows()
    assert indexing.rebuild() == sum(expected.values())
    assert index_rows() == expected


# --- random edits ---------------------------------------------------------------------------

TAG = "idx-"  # slugs and names of the objects these tests make
names = itertools.count()


def fresh(word: str) -> str:
    return f"{TAG}{word}-{next(names)}"


def mine(model):
    """The objects this test made (the loaded content is left alone)."""
    lookup = {
        CauseAlias: "cause__slug__startswith",
        DrugAlias: "drug__slug__startswith",
        BrandName: "drug__slug__startswith",
    }.get(model, "slug__startswith")
    return model.objects.filter(**{lookup: TAG}).order_by("pk")


def pick(model, n: int):
    rows = list(mine(model))
    return rows[n % len(rows)] if rows else None


def new_cause(category: Category, status=Status.PUBLISHED) -> Cause:
    slug = fresh("cause")
    return Cause.objects.create(
        slug=slug,
        name=slug,
        category=category,
        summary=f"About {slug}.",
        last_reviewed=date(2026, 1, 1),
        status=status,
    )


def new_drug(cause: Cause, status=Status.PUBLISHED) -> Drug:
    slug = fresh("drug")
    return Drug.objects.create(
        slug=slug,
        name=slug,
        cause=cause,
        drug_class="test class",
        summary=f"About {slug}.",
        last_reviewed=date(2026, 1, 1),
        status=status,
    )


def new_mechanism() -> Mechanism:
    slug = fresh("mechanism")
    return Mechanism.objects.create(slug=slug, name=slug, short_name=slug, explanation="How.")


def make_world() -> None:
    """Two categories (one draft), two mechanisms, three causes, two drugs."""
    shown = Category.objects.create(slug=fresh("cat"), name=fresh("Cat"), status=Status.PUBLISHED)
    hidden = Category.objects.create(slug=fresh("cat"), name=fresh("Cat"), status=Status.DRAFT)
    first, second = new_mechanism(), new_mechanism()
    one, two = new_cause(shown), new_cause(shown)
    new_cause(hidden)
    one.mechanisms.add(first)
    CauseAlias.objects.create(cause=one, name=fresh("alias"))
    source = Source.objects.order_by("pk").first()  # publishing needs one
    for cause in (one, two):
        cause.sources.add(source)
        drug = new_drug(cause)
        drug.sources.add(source)
        drug.mechanisms.add(second)
        BrandName.objects.create(drug=drug, name=fresh("Brand"))
        DrugAlias.objects.create(drug=drug, name=fresh("alias"))


# Each operation is one edit an editor can make, through the ORM paths the admin and the
# editorial service use; it gets two numbers to pick what to edit. Add more with @operation.
OPERATIONS: list[Callable[[int, int], None]] = []


def operation(func):
    OPERATIONS.append(func)
    return func


def _entry(n: int):
    return pick((Cause, Drug)[n % 2], n // 2)


@operation
def edit_summary(a, b):
    if entry := _entry(a):
        entry.summary = f"Summary {b}: neutrophils {fresh('word')}."
        entry.save()


@operation
def rename_entry(a, b):
    if entry := _entry(a):
        entry.name = fresh("renamed")
        entry.save()


@operation
def toggle_status(a, b):
    if entry := pick((Category, Cause, Drug)[a % 3], b):
        entry.status = Status.DRAFT if entry.is_published else Status.PUBLISHED
        entry.save()


@operation
def move_cause_to_another_category(a, b):
    cause, category = pick(Cause, a), pick(Category, b)
    if cause and category:
        cause.category = category
        cause.save()


@operation
def move_drug_to_another_cause(a, b):
    drug, cause = pick(Drug, a), pick(Cause, b)
    if drug and cause:
        drug.cause = cause
        drug.save()


@operation
def add_mechanism(a, b):
    entry, mechanism = _entry(a), pick(Mechanism, b)
    if entry and mechanism:
        entry.mechanisms.add(mechanism)


@operation
def add_mechanism_from_its_side(a, b):
    entry, mechanism = _entry(a), pick(Mechanism, b)
    if entry and mechanism:
        getattr(mechanism, "causes" if isinstance(entry, Cause) else "drugs").add(entry)


@operation
def remove_mechanism(a, b):
    if (entry := _entry(a)) and (mechanism := entry.mechanisms.order_by("pk").first()):
        if b % 2:
            entry.mechanisms.remove(mechanism)
        else:
            getattr(mechanism, "causes" if isinstance(entry, Cause) else "drugs").remove(entry)


@operation
def set_mechanisms(a, b):
    if entry := _entry(a):
        entry.mechanisms.set([m for i, m in enumerate(mine(Mechanism)) if b >> i & 1])


@operation
def clear_mechanisms(a, b):
    if entry := _entry(a):
        entry.mechanisms.clear()


@operation
def clear_mechanism_from_its_side(a, b):
    if mechanism := pick(Mechanism, a):
        (mechanism.causes if b % 2 else mechanism.drugs).clear()


@operation
def add_alias(a, b):
    if entry := _entry(a):
        entry.aliases.create(name=fresh("alias"), kind=("synonym", "misspelling")[b % 2])


@operation
def rename_alias(a, b):
    if alias := pick((CauseAlias, DrugAlias)[a % 2], b):
        alias.name = fresh("alias")
        alias.save()


@operation
def delete_alias(a, b):
    if alias := pick((CauseAlias, DrugAlias)[a % 2], b):
        alias.delete()


@operation
def add_brand_name(a, b):
    if drug := pick(Drug, a):
        BrandName.objects.create(drug=drug, name=fresh("Brand"))


@operation
def rename_brand_name(a, b):
    if brand := pick(BrandName, a):
        brand.name = fresh("Brand")
        brand.save()


@operation
def move_brand_name_to_another_drug(a, b):
    brand, drug = pick(BrandName, a), pick(Drug, b)
    if brand and drug:
        brand.drug = drug
        brand.save()


@operation
def delete_brand_name_as_a_bulk_action(a, b):
    if brand := pick(BrandName, a):
        BrandName.objects.filter(pk=brand.pk).delete()  # the admin's "delete selected"


@operation
def rename_category(a, b):
    if category := pick(Category, a):
        category.name = fresh("Cat")
        category.intro = f"Intro {b}"
        category.save()


@operation
def rename_mechanism(a, b):
    if mechanism := pick(Mechanism, a):
        mechanism.name = fresh("mechanism")
        mechanism.short_name = fresh("short")
        mechanism.save()


@operation
def add_cause_or_drug(a, b):
    if a % 2 and (cause := pick(Cause, b)):
        new_drug(cause)
    elif category := pick(Category, b):
        new_cause(category)


@operation
def delete_drug(a, b):
    if drug := pick(Drug, a):
        drug.delete()


@operation
def delete_cause_without_drugs(a, b):
    if (cause := pick(Cause, a)) and not cause.drugs.exists():
        cause.delete()  # one with drugs is PROTECTed


# --- the same edits through the editorial service: publish, pending, revert, restore, import


def _person(group: str):
    from django.contrib.auth.models import Group, User

    user, made = User.objects.get_or_create(username=f"{TAG}{group}", defaults={"is_staff": True})
    if made:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def _quietly(act) -> None:
    """An act the rules refuse changes nothing: the index must still equal a rebuild."""
    from causes.rules import Refusal

    try:
        act()
    except Refusal:
        pass


@operation
def publish_or_unpublish_through_the_service(a, b):
    from causes import editing

    if entry := _entry(a):
        status = Status.DRAFT if entry.status == Status.PUBLISHED else Status.PUBLISHED
        _quietly(lambda: editing.set_status(_person("Publishers"), entry, status))


@operation
def editor_change_waits_then_is_published_or_discarded(a, b):
    from causes import editing

    if not (entry := _entry(a)):
        return
    model = type(entry)

    def change():
        with editing.edit(_person("Editors"), model, entry.pk) as current:
            copy = model.objects.get(pk=entry.pk)
            copy.name = fresh("pending")
            copy.save()
            if model is Drug:
                copy.brand_names.create(name=fresh("PendingBrand"))
            current.pk = copy.pk

    _quietly(change)
    if editing.pending_for(model, entry.pk):
        act = editing.publish_pending if b % 2 else editing.discard_pending
        _quietly(lambda: act(_person("Publishers"), model, entry.pk))


@operation
def revert_to_an_earlier_version(a, b):
    from causes import editing
    from causes.models import Revision

    if not (entry := _entry(a)):
        return
    model, publisher = type(entry), _person("Publishers")

    def rename():
        with editing.edit(publisher, model, entry.pk) as current:
            copy = model.objects.get(pk=entry.pk)
            copy.name = fresh("version")
            copy.save()
            current.pk = copy.pk

    for _ in range(2):
        _quietly(rename)
    oldest = Revision.objects.filter(
        entry_id=entry.pk, entry_type__model=model._meta.model_name
    ).last()
    if oldest is not None:
        _quietly(lambda: editing.revert(publisher, oldest))


@operation
def delete_and_restore_through_the_service(a, b):
    from causes import editing

    if drug := pick(Drug, a):
        publisher = _person("Publishers")
        record = editing.delete(publisher, drug)
        if b % 3:  # sometimes it stays deleted
            _quietly(lambda: editing.restore(publisher, record))


@operation
def import_a_drug_row(a, b):
    from causes.resources import DrugResource

    if not (drug := pick(Drug, a)):
        return
    resource = DrugResource(user=_person("Publishers"))
    data = resource.export(queryset=Drug.objects.filter(pk=drug.pk))
    data.dict = [{**data.dict[0], "name": fresh("imported"), "brand_names": fresh("ImpBrand")}]
    resource.import_data(data, dry_run=False, use_transactions=True)


@settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 63), st.integers(0, 63)),
        max_size=8,
    )
)
def test_after_every_edit_the_index_is_what_a_rebuild_writes(db, steps):
    with transaction.atomic():
        make_world()
        assert_index_is_rebuilt()
        for step, a, b in steps:
            step(a, b)
            assert_index_is_rebuilt()
        transaction.set_rollback(True)  # the next example starts from the loaded content


# --- each declared dependency reindexes ----------------------------------------------------


def _setup_for(kind, model, cause: Cause, drug: Drug, mechanism: Mechanism):
    """An edit of a `model` row that must change the rows of one `kind` entry.

    Returns that entry's pk and the edit, to run after the index is looked at."""
    category = cause.category
    through = {Cause.mechanisms.through, Drug.mechanisms.through}
    if kind == TargetKind.CAUSE:
        if model is Cause:
            return cause.pk, lambda: _rename(cause)
        if model is CauseAlias:
            return cause.pk, lambda: cause.aliases.create(name="Zelbrix disease")
        if model is Category:
            return cause.pk, lambda: _rename(category)
        if model is Mechanism:
            return cause.pk, lambda: _rename(mechanism, "short_name")
        if model in through:  # from the mechanism's side, all its causes at once
            return cause.pk, lambda: mechanism.causes.clear()
    if kind == TargetKind.DRUG:
        drug.mechanisms.add(mechanism)
        if model is Drug:
            return drug.pk, lambda: _rename(drug)
        if model is BrandName:
            return drug.pk, lambda: drug.brand_names.get().delete()
        if model is DrugAlias:
            return drug.pk, lambda: drug.aliases.create(name="Quorva")
        if model is Cause:
            return drug.pk, lambda: _set(cause, status=Status.DRAFT)
        if model is Category:
            return drug.pk, lambda: _rename(category)
        if model is Mechanism:
            return drug.pk, lambda: _rename(mechanism, "short_name")
        if model in through:
            return drug.pk, lambda: drug.mechanisms.remove(mechanism)
    if kind == TargetKind.CATEGORY:
        return category.pk, lambda: _set(category, intro="Now with an intro.")
    if kind == TargetKind.MECHANISM:
        return mechanism.pk, lambda: _set(mechanism, explanation="Explained anew.")
    if kind == TargetKind.ARTICLE:
        article = Article.objects.published().first()
        return article.pk, lambda: _set(article, search_terms="white cell count low")
    raise AssertionError(f"no test edit of a {model.__name__} for the {kind} index")


def _rename(obj, field="name"):
    _set(obj, **{field: f"{getattr(obj, field)} renamed"})


def _set(obj, **values):
    obj = type(obj).objects.get(pk=obj.pk)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()


DEPENDENCIES = [
    pytest.param(kind, model, id=f"{kind}<-{model._meta.label}")
    for kind, index in indexing.INDEXES.items()
    for model in index.depends_on
]


@pytest.mark.parametrize("kind, model", DEPENDENCIES)
def test_each_declared_dependency_reindexes_the_entries_it_names(kind, model, cause, drug):
    mechanism = new_mechanism()
    cause.mechanisms.add(mechanism)
    target_id, edit = _setup_for(kind, model, cause, drug, mechanism)
    before = index_rows(target_kind=kind, target_id=target_id)
    assert before == rebuilt_rows(target_kind=kind, target_id=target_id)
    edit()
    after = index_rows(target_kind=kind, target_id=target_id)
    assert after != before
    assert after == rebuilt_rows(target_kind=kind, target_id=target_id)
    assert_index_is_rebuilt()


def test_renaming_a_category_renames_it_in_its_causes_and_drugs_rows(cause, drug):
    _set(cause.category, name="Made-up heading")
    cause_rows = SearchEntry.objects.filter(target_kind=TargetKind.CAUSE, target_id=cause.pk)
    drug_rows = SearchEntry.objects.filter(target_kind=TargetKind.DRUG, target_id=drug.pk)
    assert set(cause_rows.values_list("description", flat=True)) == {"Made-up heading"}
    assert {c.split(" · ")[0] for c in drug_rows.values_list("context", flat=True)} == {
        "Made-up heading"
    }


def test_deleting_a_brand_name_removes_its_row(drug):
    drug.brand_names.get(name="Quorvix").delete()
    assert not SearchEntry.objects.filter(term="Quorvix").exists()
    assert SearchEntry.objects.filter(target_kind=TargetKind.DRUG, target_id=drug.pk).exists()


def test_a_brand_name_moved_to_another_drug_leaves_the_old_one(drug):
    other = new_drug(drug.cause)
    brand = drug.brand_names.get(name="Quorvix")
    brand.drug = other
    brand.save()
    owners = SearchEntry.objects.filter(term="Quorvix").values_list("target_id", flat=True)
    assert list(owners) == [other.pk]


def test_clearing_a_mechanism_from_its_side_reindexes_every_cause_it_had(cause, mechanism):
    causes = list(mechanism.causes.values_list("pk", flat=True))
    assert len(causes) > 1
    mechanism.causes.clear()
    assert_index_is_rebuilt()
    assert not SearchEntry.objects.filter(
        target_kind=TargetKind.CAUSE, target_id__in=causes, context__contains="destruction"
    ).exists()


def test_deleting_an_entry_removes_all_its_rows(cause, drug):
    drug.delete()
    assert not SearchEntry.objects.filter(target_kind=TargetKind.DRUG, target_id=drug.pk).exists()
    Cause.objects.get(pk=cause.pk).delete()
    assert not SearchEntry.objects.filter(target_kind=TargetKind.CAUSE, target_id=cause.pk).exists()
    assert_index_is_rebuilt()


def test_every_model_a_declaration_names_is_watched():
    assert set(indexing.WATCHED) == {
        Cause,
        CauseAlias,
        Category,
        Mechanism,
        Cause.mechanisms.through,
        Drug,
        BrandName,
        DrugAlias,
        Drug.mechanisms.through,
        Article,
    }
    assert Source not in indexing.WATCHED  # sources are not searched


# --- concurrent edits on PostgreSQL ---------------------------------------------------------

ROUNDS = 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_entry_neither_deadlock_nor_leave_stale_rows(postgresql):
    """Writers take the entries' index locks in one order, so none waits on another in a
    circle; each entry's rows are replaced by one writer at a time.

    Each writer first locks the row it edits FOR UPDATE, as `causes.editing` does. A
    cause's writer then reindexes the cause's drugs while a drug's writer waits for the
    cause's row (its foreign key check): locking the drugs' rows, rather than advisory
    locks, deadlocks here."""
    # transaction=True: what this makes is committed, and flushed afterwards like any
    # transactional test's data (those load the content themselves).
    category = Category.objects.create(
        slug=fresh("cat"), name=fresh("Cat"), status=Status.PUBLISHED
    )
    cause = new_cause(category)
    drug = new_drug(cause)
    mechanism = new_mechanism()
    CauseAlias.objects.create(cause=cause, name=fresh("alias"))
    indexing.rebuild()

    def rename_cause(i):
        entry = Cause.objects.select_for_update().get(pk=cause.pk)
        entry.name = f"{TAG}cause renamed {i}"
        entry.save()

    def edit_aliases(i):
        CauseAlias.objects.create(cause_id=cause.pk, name=f"{TAG}alias {i}")
        CauseAlias.objects.filter(cause_id=cause.pk, name=f"{TAG}alias {i - 1}").delete()

    def rename_category(i):
        entry = Category.objects.select_for_update().get(pk=category.pk)
        entry.name = f"{TAG}category renamed {i}"
        entry.save()

    def rename_drug(i):
        entry = Drug.objects.select_for_update().get(pk=drug.pk)
        entry.name = f"{TAG}drug renamed {i}"
        entry.save()

    def toggle_mechanism(i):
        (mechanism.causes.add if i % 2 else mechanism.causes.remove)(cause.pk)

    writers = [rename_cause, edit_aliases, rename_category, rename_drug, toggle_mechanism]
    barrier = threading.Barrier(len(writers))
    errors = []

    def run(write):
        try:
            for i in range(ROUNDS):
                barrier.wait(timeout=10)
                with transaction.atomic():
                    write(i)
        except Exception as error:
            errors.append(f"{write.__name__}: {error!r}")
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, "\n".join(errors)
    assert time.monotonic() - started < 10
    assert_index_is_rebuilt()
    assert SearchEntry.objects.filter(term=f"{TAG}cause renamed {ROUNDS - 1}").count() == 1
