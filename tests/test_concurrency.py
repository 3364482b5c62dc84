"""No edit is ever lost: of two saves of one entry made from copies of the same version,
exactly one succeeds and the other is refused as stale, whatever the timing.

Proved with real threads, each with a database connection of its own: at the model level
(every kind of entry), through `editing.edit()` with an inline child renamed in the same
edit, and through the admin change form, where the refused editor is told and no request
fails. Sequential stale saves of every form, inlines included, are refused too.
"""

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from causes import editing
from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    Mechanism,
    Source,
    Status,
)
from causes.rules import StaleEdit

STALE = "Someone else saved this"
TAG = "conc-"  # slugs and names of the objects these tests make
names = itertools.count()


def fresh(word: str) -> str:
    return f"{TAG}{word}-{next(names)}"


# --- what is edited ----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of edit: an entry's text field, and for a child edit the inline rows
    renamed in the same edit."""

    label: str
    model: type
    field: str  # a text field each writer sets to a value of its own
    child: str = ""  # related name of the inline children renamed with it

    def __str__(self):
        return self.label


ENTRIES = [
    Kind("source", Source, "title"),
    Kind("mechanism", Mechanism, "explanation"),
    Kind("category", Category, "intro"),
    Kind("cause", Cause, "summary"),
    Kind("drug", Drug, "summary"),
    Kind("article", Article, "summary"),
]
CHILDREN = [
    Kind("drug brand name", Drug, "summary", child="brand_names"),
    Kind("cause alias", Cause, "summary", child="aliases"),
]


def make_entries() -> dict[type, object]:
    """One published entry of each kind, with what its form needs: a source, a brand
    name, an alias."""
    source = Source.objects.create(
        slug=fresh("source"),
        title=fresh("Source"),
        publisher="Test Journal",
        url="https://example.org/source",
        accessed=date(2026, 1, 1),
    )
    name = fresh("mechanism")
    mechanism = Mechanism.objects.create(
        slug=name, name=name, short_name="test", explanation="How it happens."
    )
    name = fresh("category")
    category = Category.objects.create(slug=name, name=name, status=Status.PUBLISHED)
    name = fresh("cause")
    cause = Cause.objects.create(
        slug=name, name=name, category=category, summary="About it.", status=Status.PUBLISHED
    )
    cause.sources.add(source)
    CauseAlias.objects.create(cause=cause, name=fresh("alias"))
    name = fresh("drug")
    drug = Drug.objects.create(
        slug=name,
        name=name,
        cause=cause,
        drug_class="test class",
        summary="About it.",
        status=Status.PUBLISHED,
    )
    drug.sources.add(source)
    BrandName.objects.create(drug=drug, name=fresh("brand"))
    name = fresh("article")
    article = Article.objects.create(
        slug=name, title=name, summary="About it.", status=Status.PUBLISHED
    )
    article.sources.add(source)
    return {
        Source: source,
        Mechanism: mechanism,
        Category: category,
        Cause: cause,
        Drug: drug,
        Article: article,
    }


def child_of(entry, kind: Kind):
    return getattr(entry, kind.child).get()


# --- two writers in threads of their own ---------------------------------------------------


@dataclass
class Outcome:
    result: str  # "saved", "stale" or "error"
    detail: str = ""
    started: float = 0.0  # when the write began (after the barrier)
    ended: float = 0.0


class Writer(threading.Thread):
    """A thread with its own database connection, running the jobs it is given."""

    def __init__(self, barrier: threading.Barrier):
        super().__init__(daemon=True)
        self.barrier = barrier
        self.jobs: queue.Queue = queue.Queue()
        self.outcomes: queue.Queue = queue.Queue()

    def run(self):
        try:
            while (job := self.jobs.get()) is not None:
                try:
                    self.outcomes.put(job(self.barrier))
                except Exception as error:  # a failure to count, not to stop the rounds
                    self.barrier.abort()  # the other writer must not wait for this one
                    self.outcomes.put(Outcome("error", repr(error), ended=time.monotonic()))
        finally:
            connections.close_all()


class Pair:
    """Two writers that start each round's write together, at a barrier."""

    def __init__(self):
        self.barrier = threading.Barrier(2)
        self.writers = [Writer(self.barrier), Writer(self.barrier)]
        for writer in self.writers:
            writer.start()

    def race(self, first: Callable, second: Callable) -> list[Outcome]:
        for writer, job in zip(self.writers, (first, second), strict=True):
            writer.jobs.put(job)
        outcomes = [writer.outcomes.get(timeout=60) for writer in self.writers]
        if self.barrier.broken:
            self.barrier.reset()
        return outcomes

    def stop(self):
        for writer in self.writers:
            writer.jobs.put(None)
        for writer in self.writers:
            writer.join(timeout=30)
        assert not any(writer.is_alive() for writer in self.writers)


@pytest.fixture
def pair(db):
    """Stopped (and their connections closed) before the database is flushed."""
    writers = Pair()
    yield writers
    writers.stop()


@dataclass
class Tally:
    what: str
    rounds: int = 0
    saved: int = 0
    stale: int = 0
    lost: int = 0
    overlapping: int = 0  # rounds where both writes were under way at once
    errors: list[str] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)

    def count(self, outcomes: list[Outcome], values: list[str], stored: list[str]) -> None:
        """One round: `values` is what each writer wrote, `stored` what the database
        holds afterwards, as one entry per field checked."""
        self.rounds += 1
        results = [o.result for o in outcomes]
        self.saved += results.count("saved")
        self.stale += results.count("stale")
        self.errors += [o.detail for o in outcomes if o.result == "error"]
        if results.count("saved") > 1:
            self.lost += 1  # two saves of one version: one overwrote the other
        elif "saved" in results:
            if any(value != values[results.index("saved")] for value in stored):
                self.lost += 1
        first, second = outcomes
        if first.started and second.started:
            self.overlapping += max(first.started, second.started) < min(first.ended, second.ended)

    def line(self) -> str:
        return (
            f"{self.what}: {self.rounds} rounds, {self.saved} saved, {self.stale} refused "
            f"as stale, {self.lost} lost updates, {len(self.errors)} errors "
            f"({self.overlapping} rounds with both writes in flight), "
            f"{time.monotonic() - self.began:.1f} s"
        )

    def assert_one_save_per_round(self) -> None:
        assert self.errors == [], self.errors[:5]
        assert (self.saved, self.stale, self.lost) == (self.rounds, self.rounds, 0), self.line()


def report(capsys, tally: Tally) -> None:
    """The figures in CI's output, whether the test passes or not."""
    with capsys.disabled():
        print(f"\n[{connection.vendor}] {tally.line()}")


# --- 1. the model and the editorial service --------------------------------------------------

ROUNDS = 200


def save_copy(kind: Kind, pk: int, value: str, actor: User, delay: float) -> Callable:
    """A writer's job: load a copy (the check: it reads the version), wait for the other
    writer, then save the copy, renaming the child in the same edit."""

    def job(barrier: threading.Barrier) -> Outcome:
        copy = kind.model._base_manager.get(pk=pk)
        setattr(copy, kind.field, value)
        child = child_of(copy, kind) if kind.child else None
        barrier.wait(timeout=10)
        time.sleep(delay)
        started = time.monotonic()
        try:
            if child is None:
                with transaction.atomic():
                    copy.save()
            else:
                with editing.edit(actor, kind.model, pk):
                    child.name = value
                    child.save()  # first, so a refused save must take the rename back too
                    copy.save()
        except StaleEdit:
            return Outcome("stale", started=started, ended=time.monotonic())
        return Outcome("saved", started=started, ended=time.monotonic())

    return job


def delays(round_: int) -> tuple[float, float]:
    """Both at once in half the rounds; in the others one writer starts up to 10 ms late,
    so every interleaving comes up: the later write waiting on the earlier one's lock, or
    starting after it committed."""
    late = (round_ * 0.618 % 1) * 0.010
    return [(0.0, 0.0), (late, 0.0), (0.0, 0.0), (0.0, late)][round_ % 4]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ENTRIES + CHILDREN, ids=str)
def test_of_two_simultaneous_saves_of_one_version_exactly_one_succeeds(
    postgresql, pair, capsys, kind
):
    """The loser gets `StaleEdit`, never another error; the winner's value is stored,
    child included; the version moves on by exactly one per round."""
    # transaction=True: the writers' commits are real, and flushed afterwards; the
    # transactional tests that follow load the content themselves.
    actor = User.objects.create_superuser(fresh("publisher"), "p@example.org", "pass-12345678")
    entry = make_entries()[kind.model]
    start = entry.version
    tally = Tally(f"{'editing.edit() with child' if kind.child else 'model save()'}, {kind}")
    for round_ in range(ROUNDS):
        values = [f"{TAG}{kind.label} round {round_} writer {w}" for w in (1, 2)]
        first, second = delays(round_)
        outcomes = pair.race(
            save_copy(kind, entry.pk, values[0], actor, first),
            save_copy(kind, entry.pk, values[1], actor, second),
        )
        entry.refresh_from_db()
        stored = [getattr(entry, kind.field)]
        if kind.child:
            stored.append(child_of(entry, kind).name)
        tally.count(outcomes, values, stored)
        if entry.version != start + round_ + 1:
            tally.errors.append(f"round {round_}: version {entry.version}")
    report(capsys, tally)
    tally.assert_one_save_per_round()
    assert tally.overlapping > ROUNDS // 10, "the writes hardly ever overlapped"


# --- 2. the admin change form, two editors at once ------------------------------------------

ADMIN_ROUNDS = 20


def change_url(obj) -> str:
    return reverse(f"admin:causes_{obj._meta.model_name}_change", args=[obj.pk])


def form_data(client: Client, obj) -> dict:
    """The change form as a browser posts it back unchanged, its inline rows included
    (the empty extra rows left out)."""
    response = client.get(change_url(obj))
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not False and value not in (None, "", []):  # as a browser omits them
                data[form.add_prefix(name)] = value
    return data


def child_field(kind: Kind) -> str:
    """The name field of the inline's first row (an inline's prefix is its related name)."""
    return f"{kind.child}-0-name"


def post_form(client: Client, url: str, data: dict, statuses: list[int]) -> Callable:
    """A writer's job: wait for the other editor, then press Save."""

    def job(barrier: threading.Barrier) -> Outcome:
        barrier.wait(timeout=10)
        started = time.monotonic()
        response = client.post(url, data)
        ended = time.monotonic()
        statuses.append(response.status_code)
        page = response.content.decode()
        if response.status_code == 302:
            return Outcome("saved", started=started, ended=ended)
        if response.status_code == 200 and STALE in page:
            return Outcome("stale", page, started=started, ended=ended)
        return Outcome("error", f"{response.status_code}: {page[:300]}")

    return job


def editor_client(name: str) -> tuple[Client, User]:
    """Publishers' rights, so both saves go live rather than one becoming pending."""
    client = Client(raise_request_exception=False)  # a server error is a 500, counted
    user = User.objects.create_superuser(fresh(name), f"{name}@example.org", "x")
    client.force_login(user)
    return client, user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", [Kind("cause", Cause, "summary"), CHILDREN[0]], ids=str)
def test_two_editors_saving_one_form_at_once_one_is_saved_one_is_told(pair, capsys, kind):
    """Exactly one 302; the other editor sees the form again with "Someone else saved
    this"; never a server error. On SQLite as on PostgreSQL."""
    entry = make_entries()[kind.model]
    editors = [editor_client("alice"), editor_client("bob")]
    tally = Tally(f"admin form, {kind}")
    statuses = []
    for round_ in range(ADMIN_ROUNDS):
        values = [f"{TAG}{kind.label} round {round_} editor {w}" for w in (1, 2)]
        posts = []
        for (client, _), value in zip(editors, values, strict=True):
            data = form_data(client, entry)  # both open the form before either saves
            data[kind.field] = value
            if kind.child:
                data[child_field(kind)] = value
            posts.append(post_form(client, change_url(entry), data, statuses))
        outcomes = pair.race(*posts)
        entry.refresh_from_db()
        stored = [getattr(entry, kind.field)]
        if kind.child:
            stored.append(child_of(entry, kind).name)
        tally.count(outcomes, values, stored)
        results = [o.result for o in outcomes]
        if sorted(results) == ["saved", "stale"]:
            winner = editors[results.index("saved")][1]
            if f"by {winner.username}" not in outcomes[results.index("stale")].detail:
                tally.errors.append(f"round {round_}: the refused editor is not told who saved")
    report(capsys, tally)
    assert 500 not in statuses
    tally.assert_one_save_per_round()


# --- 3. a form opened before someone else saved ---------------------------------------------


@pytest.fixture
def entries(db) -> dict[type, object]:
    return make_entries()


@pytest.mark.parametrize("kind", ENTRIES + CHILDREN, ids=str)
def test_a_form_opened_before_someone_else_saved_is_refused_and_changes_nothing(
    admin_client, entries, kind
):
    """The older copy is posted after a save: refused with the message, nothing of it
    stored. For a child the stale copy changes only the inline row, which must not slip
    through on its own."""
    entry = entries[kind.model]
    url = change_url(entry)
    stale = form_data(admin_client, entry)
    saved = form_data(admin_client, entry)
    saved[kind.field] = "The first save."
    assert admin_client.post(url, saved).status_code == 302
    child = child_of(entry, kind).name if kind.child else None
    if kind.child:
        stale[child_field(kind)] = f"{TAG}renamed from a stale copy"
    else:
        stale[kind.field] = "Written on a stale copy."
    entry.refresh_from_db()
    version = entry.version
    response = admin_client.post(url, stale)
    assertContains(response, STALE)
    entry.refresh_from_db()
    assert (getattr(entry, kind.field), entry.version) == ("The first save.", version)
    if kind.child:
        assert child_of(entry, kind).name == child


def test_a_change_form_posted_without_the_version_it_was_opened_at_is_refused(
    admin_client, entries
):
    """A save that does not say which version it was made from cannot be checked, so it
    must not overwrite what someone else saved meanwhile."""
    entry = entries[Cause]
    url = change_url(entry)
    stale = form_data(admin_client, entry)
    saved = form_data(admin_client, entry)
    saved["summary"] = "The first save."
    assert admin_client.post(url, saved).status_code == 302
    del stale["seen_version"]  # an old page, a script, a form that lost the hidden field
    stale["summary"] = "Written on a stale copy."
    admin_client.post(url, stale)
    entry.refresh_from_db()
    assert entry.summary == "The first save."
