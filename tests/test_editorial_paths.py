"""Every editorial rule on every write path, from both sides.

`CASES` below is the table: one row per (path, rule, role) cell and what must happen. A
refused cell shows the user an exact message (or a 403) and changes nothing: not the live
fields, links, children, status or review fields, not the pending changes, not search. An
allowed cell changes what it should. The paths:

    form      the admin change/add form, with its inlines (brand names, aliases)
    action    a bulk action on the change list
    import    a CSV through the admin import and its confirm step
    revert    "revert" on an entry's versions page
    restore   "restore" of a deleted entry
    pending   the pending-changes page: publish, discard, submit
    service   `causes.editing` called directly, as an API would

The tests after the table follow one editor's pending change through every page that
shows it.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from causes import editing, snapshots
from causes.models import (
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    Mechanism,
    PendingChange,
    Revision,
    Source,
    Status,
)
from causes.rules import Refusal
from causes.search import search_entries

pytestmark = pytest.mark.django_db

# A word no entry has: it shows whether an edit reached the public site and its search.
MARKER = "Glimmerfold"
SEARCH_TERMS = ("Zelbrix", "Quorvix", MARKER)


# --- the people -------------------------------------------------------------------------


def staff(username: str, group: str | None = None, perms: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, password=f"{username}-pass-1234", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="causes", codename=codename)
        )
    return user


def view_only_codenames() -> tuple[str, ...]:
    return tuple(
        Permission.objects.filter(
            content_type__app_label="causes", codename__startswith="view_"
        ).values_list("codename", flat=True)
    )


# The roles of the table, each made when a test first needs it.
ROLES = {
    "editor": lambda: staff("editor", "Editors"),
    "publisher": lambda: staff("publisher", "Publishers"),
    "viewer": lambda: staff("viewer", perms=view_only_codenames()),
    # Import rights without the right to add or change, and the other way round.
    "importless": lambda: staff("importless", perms=("view_cause", "add_cause", "change_cause")),
    "import-view-only": lambda: staff("importer", perms=("view_cause", "import_cause")),
    "import-change-only": lambda: staff(
        "changer", perms=("view_cause", "import_cause", "change_cause")
    ),
}


@dataclass
class World:
    """The site's content and the people who edit it, with a logged-in client each."""

    cause: Cause
    drug: Drug
    source: Source
    users: dict[str, User] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    follow: bool = True  # to the page that shows the message; off when none is checked

    def user(self, role: str) -> User:
        if role not in self.users:
            self.users[role] = ROLES[role]()
        return self.users[role]

    def client(self, role: str) -> Client:
        if role not in self.clients:
            self.clients[role] = Client()
            if role != "anonymous":
                self.clients[role].force_login(self.user(role))
        return self.clients[role]

    def post(self, role: str, url: str, data=None):
        return self.client(role).post(url, data or {}, follow=self.follow)

    def form(self, role: str, obj, **changes):
        """Post an entry's change form as it is, with these changes, as `role`."""
        data = {**form_data(obj), **changes}
        return self.post(role, admin_url(obj, "change"), data)

    def action(self, role: str, model, action: str, *objs, **extra):
        data = {"action": action, "_selected_action": [o.pk for o in objs], **extra}
        return self.post(role, changelist(model), data)

    def import_csv(self, role: str, model, text: str, confirm: bool = True):
        """The import preview; confirmed too, when it has no errors and `confirm` is set."""
        name = model._meta.model_name
        upload = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
        preview = self.client(role).post(
            reverse(f"admin:causes_{name}_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )
        if not confirm or preview.status_code != 200 or not preview.context.get("confirm_form"):
            return preview
        return self.post(
            role,
            reverse(f"admin:causes_{name}_process_import"),
            preview.context["confirm_form"].initial,
        )


@pytest.fixture
def world(cause, drug, source) -> World:
    drug.sources.add(source)  # a published drug with its evidence, as the rules want
    return World(cause=cause, drug=drug, source=source)


# --- reading the state: what must not move when an edit is refused ------------------------


def entry(model, pk) -> dict | None:
    obj = model._base_manager.filter(pk=pk).first()
    return snapshots.take(obj) if obj else None


def state(w: World) -> dict:
    """Everything an edit could change: live content (fields, status, review fields, links,
    children), what the public finds, counts, and the pending changes."""
    return {
        "cause": entry(Cause, w.cause.pk),
        "drug": entry(Drug, w.drug.pk),
        "source": entry(Source, w.source.pk),
        "counts": {
            m.__name__: m._base_manager.count()
            for m in (Category, Cause, Drug, Source, BrandName, CauseAlias, Revision)
        },
        "search": {
            term: [(r.kind, r.title, r.url) for r in search_entries(term).results]
            for term in SEARCH_TERMS
        },
        "pending": pending_state(),
    }


def pending_state() -> list:
    return sorted(
        (
            p.entry_type.model,
            p.entry_id,
            json.dumps(p.snapshot, sort_keys=True),
            bool(p.submitted_at),
        )
        for p in PendingChange.objects.select_related("entry_type")
    )


def live(s: dict) -> dict:
    return {k: v for k, v in s.items() if k != "pending"}


def found(term: str) -> list[str]:
    return [r.url for r in search_entries(term).results]


def form_data(obj) -> dict:
    """The change form's values as a browser posts them back unchanged: the values
    `tests.test_editorial.change_form_data` reads, from the form built but not rendered."""
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)  # every field
    form = admin.site.get_model_admin(type(obj)).get_form(request, obj, change=True)(instance=obj)
    data = {}
    for name, form_field in form.fields.items():
        value = form.initial.get(name, form_field.initial)
        if isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        if value is True:
            value = "on"
        if value is None or value == "" or value is False:
            continue
        data[name] = value
    for prefix in ("aliases", "drugs", "brand_names"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def admin_url(obj, view: str, *args) -> str:
    return reverse(f"admin:causes_{obj._meta.model_name}_{view}", args=[obj.pk, *args])


def changelist(model) -> str:
    return reverse(f"admin:causes_{model._meta.model_name}_changelist")


def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def set_fields(obj, **values) -> None:
    type(obj)._base_manager.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()


# --- CSV rows as an editor would export, change and import them -------------------------


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def slugs(related) -> str:
    return "|".join(sorted(related.values_list("slug", flat=True)))


def cause_csv(cause: Cause, **changes) -> str:
    cause = fresh(cause)
    row = {
        "slug": cause.slug,
        "name": cause.name,
        "category": cause.category.slug,
        "status": cause.status,
        "summary": cause.summary,
        "mechanisms": slugs(cause.mechanisms),
        "mechanism_note": cause.mechanism_note,
        "source_wording": cause.source_wording,
        "sources": slugs(cause.sources),
        "last_reviewed": cause.last_reviewed.isoformat() if cause.last_reviewed else "",
        "order": cause.order,
    }
    return csv_text([{**row, **changes}])


def drug_csv(drug: Drug, **changes) -> str:
    """A drug's row; without a `brand_names` change the file has no brand names column."""
    drug = fresh(drug)
    row = {
        "slug": drug.slug,
        "name": drug.name,
        "cause": drug.cause.slug,
        "drug_class": drug.drug_class,
        "status": drug.status,
        "summary": drug.summary,
        "mechanisms": slugs(drug.mechanisms),
        "mechanism_note": drug.mechanism_note,
        "sources": slugs(drug.sources),
        "last_reviewed": drug.last_reviewed.isoformat() if drug.last_reviewed else "",
        "order": drug.order,
    }
    return csv_text([{**row, **changes}])


def source_csv(source: Source, **changes) -> str:
    source = fresh(source)
    row = {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "accessed": source.accessed.isoformat(),
    }
    return csv_text([{**row, **changes}])


def service(call):
    """Run a `causes.editing` call; a refusal comes back as its message."""
    try:
        return call()
    except Refusal as refusal:
        return refusal.messages[0]


# --- the scenarios: each prepares the world and returns the attempt, given a role ---------


def draft(w: World) -> None:
    set_fields(w.cause, status=Status.DRAFT)


def drug_without_source(w: World) -> None:
    set_fields(w.drug, status=Status.DRAFT)
    w.drug.sources.clear()


def edit_as(user, obj, **values) -> editing.Edit:
    """One edit through `causes.editing`, as a service caller would make it."""
    with editing.edit(user, type(obj), obj.pk) as current:
        fresh_obj = fresh(obj)
        for name, value in values.items():
            setattr(fresh_obj, name, value)
        fresh_obj.save()
    return current


def with_revisions(w: World) -> Revision:
    """Two versions of the cause by a publisher: an earlier wording, then today's again.
    Returns the earlier one."""
    original = w.cause.summary
    earlier = edit_as(w.user("publisher"), w.cause, summary=f"Earlier wording {MARKER}.")
    edit_as(w.user("publisher"), w.cause, summary=original)
    return earlier.revision


def brand_revisions(w: World) -> Revision:
    """The drug with only "Quorvix", then with "Extrabrand" added. Returns the first."""
    first = edit_as(w.user("publisher"), w.drug, summary="Version one.")
    with editing.edit(w.user("publisher"), Drug, w.drug.pk):
        BrandName.objects.create(drug=w.drug, name="Extrabrand")
    return first.revision


def pending_summary(w: World) -> PendingChange:
    """An editor's change to the published cause, waiting for a publisher."""
    current = edit_as(w.user("editor"), w.cause, summary=f"Pending wording {MARKER}.")
    assert current.outcome == "pending"
    return editing.pending_for(Cause, w.cause.pk)


def deleted_drug(w: World) -> Revision:
    return editing.delete(w.user("publisher"), w.drug)


def draft_category(w: World) -> Category:
    return Category.objects.create(slug="hidden", name="Hidden", status=Status.DRAFT, order=98)


def publish_by_form(w):
    draft(w)
    return lambda role: w.form(role, w.cause, status=Status.PUBLISHED)


def publish_by_action(w):
    draft(w)
    return lambda role: w.action(role, Cause, "publish", w.cause)


def unpublish_by_action(w):
    return lambda role: w.action(role, Cause, "unpublish", w.cause)


def publish_by_import(w):
    draft(w)
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, status=Status.PUBLISHED))


def unpublish_by_import(w):
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, status=Status.DRAFT))


def publish_by_revert(w):
    """The earlier version was published; the cause is a draft now."""
    earlier = with_revisions(w)
    draft(w)
    return lambda role: w.post(role, admin_url(w.cause, "revert", earlier.pk))


def restore_deleted_drug(w):
    record = deleted_drug(w)
    url = reverse("admin:causes_drug_restore", args=[record.pk])
    return lambda role: w.post(role, url)


def restore_deleted_drug_without_source(w):
    w.drug.sources.clear()
    return restore_deleted_drug(w)


def publish_pending_page(w):
    pending_summary(w)
    return lambda role: w.post(role, admin_url(w.cause, "pending"), {"act": "publish"})


def discard_pending_page(w):
    pending_summary(w)
    return lambda role: w.post(role, admin_url(w.cause, "pending"), {"act": "discard"})


def submit_pending_page(w):
    pending_summary(w)
    return lambda role: w.post(role, admin_url(w.cause, "pending"), {"act": "submit"})


def publish_by_service(w):
    draft(w)
    return lambda role: service(lambda: editing.set_status(w.user(role), w.cause, Status.PUBLISHED))


def publish_drug_without_source_by_form(w):
    drug_without_source(w)
    return lambda role: w.form(role, w.drug, status=Status.PUBLISHED)


def publish_drug_without_source_by_action(w):
    drug_without_source(w)
    return lambda role: w.action(role, Drug, "publish", w.drug)


def publish_drug_without_source_by_import(w):
    drug_without_source(w)
    return lambda role: w.import_csv(role, Drug, drug_csv(w.drug, status=Status.PUBLISHED))


def publish_drug_without_source_by_service(w):
    drug_without_source(w)
    return lambda role: service(lambda: editing.set_status(w.user(role), w.drug, Status.PUBLISHED))


def strip_sources_by_import(w):
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, sources=""))


def into_draft_category_by_form(w):
    hidden = draft_category(w)
    return lambda role: w.form(role, w.cause, category=hidden.pk)


def into_draft_category_by_import(w):
    draft_category(w)
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, category="hidden"))


def out_of_draft_category_by_form(w):
    hidden = draft_category(w)
    visible = w.cause.category
    set_fields(w.cause, category=hidden)
    return lambda role: w.form(role, w.cause, category=visible.pk)


def review_date_by_form(w):
    """The review fields posted along with a change to the summary."""
    today = date.today().isoformat()
    return lambda role: w.form(
        role,
        w.cause,
        summary=f"New wording {MARKER}.",
        last_reviewed=today,
        reviewed_by=w.user(role).pk,
    )


def review_date_by_import(w):
    today = date.today().isoformat()
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, last_reviewed=today))


def mark_reviewed_by_action(w):
    return lambda role: w.action(role, Cause, "mark_reviewed", w.cause)


def mark_reviewed_by_service(w):
    return lambda role: service(lambda: editing.mark_reviewed(w.user(role), w.cause))


def rename_brand_by_form(w):
    brand = w.drug.brand_names.get()
    inline = {
        "brand_names-TOTAL_FORMS": "1",
        "brand_names-INITIAL_FORMS": "1",
        "brand_names-0-id": brand.pk,
        "brand_names-0-drug": w.drug.pk,
        "brand_names-0-name": "Quorvax",
        "brand_names-0-in_source": "on",
    }
    return lambda role: w.form(role, w.drug, **inline)


def delete_brand_by_form(w):
    brand = w.drug.brand_names.get()
    inline = {
        "brand_names-TOTAL_FORMS": "1",
        "brand_names-INITIAL_FORMS": "1",
        "brand_names-0-id": brand.pk,
        "brand_names-0-drug": w.drug.pk,
        "brand_names-0-name": brand.name,
        "brand_names-0-in_source": "on",
        "brand_names-0-DELETE": "on",
    }
    return lambda role: w.form(role, w.drug, **inline)


def rename_alias_by_form(w):
    alias = CauseAlias.objects.create(cause=w.cause, name="Zelbrix disease")
    inline = {
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "1",
        "aliases-0-id": alias.pk,
        "aliases-0-cause": w.cause.pk,
        "aliases-0-name": "Zelbrix illness",
        "aliases-0-kind": alias.kind,
    }
    return lambda role: w.form(role, w.cause, **inline)


def replace_brands_by_import(w):
    return lambda role: w.import_csv(role, Drug, drug_csv(w.drug, brand_names="Newbrand"))


def remove_brand_by_revert(w):
    earlier = brand_revisions(w)
    return lambda role: w.post(role, admin_url(w.drug, "revert", earlier.pk))


def remove_brand_by_service(w):
    def attempt(role):
        with editing.edit(w.user(role), Drug, w.drug.pk):
            BrandName.objects.filter(drug=w.drug).delete()

    return lambda role: service(lambda: attempt(role))


def change_summary_by_form(w):
    return lambda role: w.form(role, w.cause, summary=f"New wording {MARKER}.")


def add_cause_by_form(w):
    data = {
        "name": "Plorbex deficiency",
        "slug": "plorbex-deficiency",
        "kind": "condition",
        "category": w.cause.category.pk,
        "order": 50,
        "status": Status.PUBLISHED,  # read-only for editors: a new entry is a draft
        "summary": "A made-up cause added in a test.",
        "sources": [w.source.pk],
        **{f"{p}-{n}": "0" for p in ("aliases", "drugs") for n in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    return lambda role: w.post(role, reverse("admin:causes_cause_add"), data)


def submit_by_action(w):
    draft(w)
    return lambda role: w.action(role, Cause, "submit_for_publication", w.cause)


def change_summary_by_import(w):
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, summary=f"New {MARKER}."))


def change_summary_by_revert(w):
    earlier = with_revisions(w)
    return lambda role: w.post(role, admin_url(w.cause, "revert", earlier.pk))


def change_summary_by_service(w):
    return lambda role: service(lambda: edit_as(w.user(role), w.cause, summary=f"New {MARKER}."))


def revert_by_service(w):
    earlier = with_revisions(w)
    return lambda role: service(lambda: editing.revert(w.user(role), earlier))


def restore_by_service(w):
    record = deleted_drug(w)
    return lambda role: service(lambda: editing.restore(w.user(role), record))


def delete_by_form(w):
    return lambda role: w.post(role, admin_url(w.drug, "delete"), {"post": "yes"})


def delete_by_action(w):
    return lambda role: w.action(role, Drug, "delete_selected", w.drug, post="yes")


def delete_by_service(w):
    return lambda role: service(lambda: editing.delete(w.user(role), w.drug))


def change_cited_source_by_form(w):
    return lambda role: w.form(role, w.source, title="A renamed source")


def change_cited_source_by_import(w):
    return lambda role: w.import_csv(role, Source, source_csv(w.source, title="A renamed source"))


def change_cited_source_by_service(w):
    def attempt(role):
        with editing.edit(w.user(role), Source, w.source.pk):
            set_fields(w.source, title="A renamed source")

    return lambda role: service(lambda: attempt(role))


def import_new_cause(w):
    row = cause_csv(w.cause, slug="imported-cause", name="Imported cause", status="draft")
    return lambda role: w.import_csv(role, Cause, row)


def import_change_to_draft(w):
    draft(w)
    return lambda role: w.import_csv(role, Cause, cause_csv(w.cause, summary=f"New {MARKER}."))


def import_drug_without_brand_column(w):
    return lambda role: w.import_csv(role, Drug, drug_csv(w.drug, summary=f"New {MARKER}."))


# --- what must happen ---------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """The user reads `message` (or gets a 403 when it is None); nothing changes."""

    message: str | None = None

    def __str__(self):
        return "403" if self.message is None else "refused"


@dataclass(frozen=True)
class Pending:
    """Saved as pending changes: the live content and search stay as they were."""

    message: str = ""
    check: object = None

    def __str__(self):
        return "pending"


@dataclass(frozen=True)
class Done:
    """Written live; `check(world)` says how."""

    check: object
    message: str = ""

    def __str__(self):
        return "done"


def refusal(right: str, what: str, plural: str = "causes") -> str:
    # Named from the groups that hold the right: editors and publishers both add and change.
    role = "publishers" if right in {"publish", "delete", "review"} else "editors and publishers"
    return f"You may not {what}: that needs the “{right}” right on {plural}, which {role} have."


NO_ACTION = "No action selected."  # Django's answer to an action the user is not offered
SAVED_AS_DRAFT = "“Zelbrix syndrome” is saved as a draft: not public yet."
SAVED_PENDING = (
    "Your changes to “Zelbrix syndrome” are saved as pending changes: not public yet. "
    "Visitors still see the published version until a publisher publishes them."
)
DRUG_NEEDS_SOURCE = (
    "“Quorvatide” cannot be published without a source: attach at least one source "
    "to the drug first."
)
CAUSE_NEEDS_SOURCE = DRUG_NEEDS_SOURCE.replace("Quorvatide", "Zelbrix syndrome").replace(
    "the drug", "the cause"
)
REVIEW_ONLY_BY_MARK = (
    "The review date and reviewer of “Zelbrix syndrome” can only be set by “Mark reviewed”, "
    "which a publisher uses after checking the entry against its sources."
)
SOURCE_CITED = (
    "“A test source” is cited by 2 published entries, so only a publisher may change it. "
    "Add a new source instead, or ask a publisher."
)


def remove_refused(names: str, entry: str, children: str) -> str:
    return (
        f"You may not remove {names} from “{entry}”: removing {children} needs the "
        "“delete” right, which publishers have."
    )


def status_is(status: str, model=Cause):
    def check(w: World):
        obj = w.cause if model is Cause else w.drug
        assert fresh(obj).status == status

    return check


def cause_public(w: World):
    assert Client().get(w.cause.get_absolute_url()).status_code == 200
    assert w.cause.get_absolute_url() in found("Zelbrix")


def cause_hidden(w: World):
    assert Client().get(w.cause.get_absolute_url()).status_code == 404
    assert w.cause.get_absolute_url() not in found("Zelbrix")


def both(*checks):
    def check(w: World):
        for each in checks:
            each(w)

    return check


def summary_live(w: World):
    assert MARKER in fresh(w.cause).summary
    assert found(MARKER) == [w.cause.get_absolute_url()]
    assert editing.pending_for(Cause, w.cause.pk) is None


def review_kept(w: World):
    cause = fresh(w.cause)
    assert (cause.last_reviewed, cause.reviewed_by) == (date(2026, 1, 1), None)


def review_kept_pending(w: World):
    fields = editing.pending_for(Cause, w.cause.pk).snapshot["fields"]
    assert fields["summary"] == f"New wording {MARKER}."
    assert (fields["last_reviewed"], fields["reviewed_by_id"]) == ("2026-01-01", None)


def reviewed_today_by_publisher(w: World):
    cause = fresh(w.cause)
    assert (cause.last_reviewed, cause.reviewed_by) == (date.today(), w.user("publisher"))


def restored_as(status: str):
    def check(w: World):
        drug = Drug.objects.get(pk=w.drug.pk)
        assert drug.status == status
        assert [b.name for b in drug.brand_names.all()] == ["Quorvix"]
        assert [s.slug for s in drug.sources.all()] == ["test-source"]
        assert ("/drugs/quorvatide/" in found("Quorvix")) is (status == Status.PUBLISHED)

    return check


def brands_kept_pending(w: World):
    snapshot = editing.pending_for(Drug, w.drug.pk).snapshot
    assert [b["name"] for b in snapshot["children"]["causes.brandname"]] == ["Quorvix"]


def restored_without_source_as_draft(w: World):
    drug = Drug.objects.get(pk=w.drug.pk)
    assert (drug.status, list(drug.sources.all())) == (Status.DRAFT, [])
    assert [b.name for b in drug.brand_names.all()] == ["Quorvix"]


def brands_are(*names):
    def check(w: World):
        assert sorted(b.name for b in BrandName.objects.filter(drug_id=w.drug.pk)) == list(names)

    return check


def drug_gone(w: World):
    assert not Drug.objects.filter(pk=w.drug.pk).exists()
    assert "/drugs/quorvatide/" not in found("Quorvatide")


def source_renamed(w: World):
    assert fresh(w.source).title == "A renamed source"


def cause_added(w: World):
    cause = Cause.objects.get(slug="plorbex-deficiency")
    assert cause.status == Status.DRAFT


def submitted(w: World):
    record = editing.pending_for(Cause, w.cause.pk)
    assert record.submitted_at is not None and record.snapshot is None


def pending_discarded(w: World):
    assert editing.pending_for(Cause, w.cause.pk) is None
    assert MARKER not in fresh(w.cause).summary
    assert found(MARKER) == []


def new_summary_live(w: World):
    assert fresh(w.cause).summary == f"New {MARKER}."
    assert found(MARKER) == []  # a draft is out of search


def earlier_wording_as_draft(w: World):
    cause = fresh(w.cause)
    assert (cause.summary, cause.status) == (f"Earlier wording {MARKER}.", Status.DRAFT)
    assert found(MARKER) == []


def drug_summary_live_with_brands(w: World):
    assert fresh(w.drug).summary == f"New {MARKER}."
    brands_are("Quorvix")(w)


# (path, rule, role, scenario, expected). Read a row as: on this path, under this rule,
# this role trying this scenario gets this outcome.
CASES = [
    # R1: only publishers publish or unpublish.
    ("form", "R1", "editor", publish_by_form, Done(status_is(Status.DRAFT), SAVED_AS_DRAFT)),
    ("form", "R1", "publisher", publish_by_form, Done(cause_public)),
    ("action", "R1", "editor", publish_by_action, Refused(NO_ACTION)),
    ("action", "R1", "publisher", publish_by_action, Done(cause_public, "Published 1 cause.")),
    ("action", "R1", "editor", unpublish_by_action, Refused(NO_ACTION)),
    (
        "action",
        "R1",
        "publisher",
        unpublish_by_action,
        Done(cause_hidden, "Unpublished 1 cause."),
    ),
    (
        "import",
        "R1",
        "editor",
        publish_by_import,
        Refused(refusal("publish", "publish “Zelbrix syndrome”")),
    ),
    ("import", "R1", "publisher", publish_by_import, Done(cause_public)),
    (
        "import",
        "R1",
        "editor",
        unpublish_by_import,
        Refused(refusal("publish", "unpublish “Zelbrix syndrome”")),
    ),
    ("import", "R1", "publisher", unpublish_by_import, Done(cause_hidden)),
    (
        "revert",
        "R1",
        "editor",
        publish_by_revert,
        Done(earlier_wording_as_draft, "Reverted “Zelbrix syndrome”."),
    ),
    (
        "restore",
        "R1",
        "editor",
        restore_deleted_drug,
        Done(
            restored_as(Status.DRAFT),
            "Restored “Quorvatide” as a draft: a publisher must publish it again.",
        ),
    ),
    (
        "restore",
        "R1",
        "publisher",
        restore_deleted_drug,
        Done(restored_as(Status.PUBLISHED), "Restored “Quorvatide”."),
    ),
    (
        "pending",
        "R1",
        "editor",
        publish_pending_page,
        Refused(refusal("publish", "publish pending changes")),
    ),
    (
        "pending",
        "R1",
        "publisher",
        publish_pending_page,
        Done(summary_live, "Published the pending changes to “Zelbrix syndrome”."),
    ),
    (
        "service",
        "R1",
        "editor",
        publish_by_service,
        Refused(refusal("publish", "publish “Zelbrix syndrome”")),
    ),
    ("service", "R1", "publisher", publish_by_service, Done(cause_public)),
    # R2: a cause or drug needs a source to be published.
    ("form", "R2", "publisher", publish_drug_without_source_by_form, Refused(DRUG_NEEDS_SOURCE)),
    (
        "action",
        "R2",
        "publisher",
        publish_drug_without_source_by_action,
        Refused(DRUG_NEEDS_SOURCE),
    ),
    (
        "import",
        "R2",
        "publisher",
        publish_drug_without_source_by_import,
        Refused(DRUG_NEEDS_SOURCE),
    ),
    ("import", "R2", "editor", strip_sources_by_import, Refused(CAUSE_NEEDS_SOURCE)),
    ("import", "R2", "publisher", strip_sources_by_import, Refused(CAUSE_NEEDS_SOURCE)),
    (
        "restore",
        "R2",
        "publisher",
        restore_deleted_drug_without_source,
        Done(
            restored_without_source_as_draft,
            "Restored “Quorvatide” as a draft: it has no source, so attach one before "
            "publishing it again.",
        ),
    ),
    (
        "service",
        "R2",
        "publisher",
        publish_drug_without_source_by_service,
        Refused(DRUG_NEEDS_SOURCE),
    ),
    # R3: a cause is public only when its category is; an editor's re-parenting waits.
    ("form", "R3", "editor", into_draft_category_by_form, Pending(SAVED_PENDING)),
    ("form", "R3", "publisher", into_draft_category_by_form, Done(cause_hidden)),
    ("form", "R3", "editor", out_of_draft_category_by_form, Pending(SAVED_PENDING)),
    ("form", "R3", "publisher", out_of_draft_category_by_form, Done(cause_public)),
    ("import", "R3", "editor", into_draft_category_by_import, Pending()),
    ("import", "R3", "publisher", into_draft_category_by_import, Done(cause_hidden)),
    # R4: only "Mark reviewed" sets the review fields, and only publishers use it.
    ("form", "R4", "editor", review_date_by_form, Pending(SAVED_PENDING, review_kept_pending)),
    ("form", "R4", "publisher", review_date_by_form, Done(both(summary_live, review_kept))),
    ("import", "R4", "editor", review_date_by_import, Refused(REVIEW_ONLY_BY_MARK)),
    ("import", "R4", "publisher", review_date_by_import, Refused(REVIEW_ONLY_BY_MARK)),
    ("action", "R4", "editor", mark_reviewed_by_action, Refused(NO_ACTION)),
    (
        "action",
        "R4",
        "publisher",
        mark_reviewed_by_action,
        Done(reviewed_today_by_publisher, "Marked reviewed today: 1 cause."),
    ),
    (
        "service",
        "R4",
        "editor",
        mark_reviewed_by_service,
        Refused(refusal("review", "mark “Zelbrix syndrome” reviewed")),
    ),
    ("service", "R4", "publisher", mark_reviewed_by_service, Done(reviewed_today_by_publisher)),
    # R5: removing brand names or aliases needs the delete right.
    (
        "form",
        "R5",
        "editor",
        rename_brand_by_form,
        Refused(remove_refused("“Quorvix”", "Quorvatide", "brand names")),
    ),
    ("form", "R5", "publisher", rename_brand_by_form, Done(brands_are("Quorvax"))),
    ("form", "R5", "publisher", delete_brand_by_form, Done(brands_are())),
    (
        "form",
        "R5",
        "editor",
        rename_alias_by_form,
        Refused(remove_refused("“Zelbrix disease”", "Zelbrix syndrome", "cause aliases")),
    ),
    (
        "import",
        "R5",
        "editor",
        replace_brands_by_import,
        Refused(remove_refused("“Quorvix”", "Quorvatide", "brand names")),
    ),
    ("import", "R5", "publisher", replace_brands_by_import, Done(brands_are("Newbrand"))),
    (
        "revert",
        "R5",
        "editor",
        remove_brand_by_revert,
        Refused(remove_refused("“Extrabrand”", "Quorvatide", "brand names")),
    ),
    ("revert", "R5", "publisher", remove_brand_by_revert, Done(brands_are("Quorvix"))),
    (
        "service",
        "R5",
        "editor",
        remove_brand_by_service,
        Refused(remove_refused("“Quorvix”", "Quorvatide", "brand names")),
    ),
    ("service", "R5", "publisher", remove_brand_by_service, Done(brands_are())),
    # R6: adding and changing need the rights; view-only staff change nothing anywhere.
    ("form", "R6", "viewer", change_summary_by_form, Refused()),
    ("form", "R6", "viewer", add_cause_by_form, Refused()),
    (
        "form",
        "R6",
        "editor",
        add_cause_by_form,
        Done(cause_added, "“Plorbex deficiency” is saved as a draft: not public yet."),
    ),
    ("action", "R6", "viewer", publish_by_action, Refused(NO_ACTION)),
    (
        "action",
        "R6",
        "viewer",
        submit_by_action,
        Refused(refusal("change", "submit entries for publication")),
    ),
    ("action", "R6", "editor", submit_by_action, Done(submitted)),
    ("import", "R6", "viewer", change_summary_by_import, Refused()),
    (
        "import",
        "R6",
        "import-view-only",
        import_change_to_draft,
        Refused(refusal("change", "change “Zelbrix syndrome”")),
    ),
    ("import", "R6", "import-change-only", import_change_to_draft, Done(new_summary_live)),
    (
        "import",
        "R6",
        "import-change-only",
        import_new_cause,
        Refused(refusal("add", "add causes")),
    ),
    ("revert", "R6", "viewer", change_summary_by_revert, Refused()),
    ("restore", "R6", "viewer", restore_deleted_drug, Refused()),
    (
        "pending",
        "R6",
        "viewer",
        publish_pending_page,
        Refused(refusal("publish", "publish pending changes")),
    ),
    (
        "pending",
        "R6",
        "viewer",
        discard_pending_page,
        Refused(refusal("publish", "discard someone else's pending changes")),
    ),
    ("pending", "R6", "publisher", discard_pending_page, Done(pending_discarded)),
    (
        "pending",
        "R6",
        "viewer",
        submit_pending_page,
        Refused(refusal("change", "submit entries for publication")),
    ),
    (
        "service",
        "R6",
        "viewer",
        change_summary_by_service,
        Refused(refusal("change", "change “Zelbrix syndrome”")),
    ),
    (
        "service",
        "R6",
        "viewer",
        revert_by_service,
        Refused(refusal("change", "change “Zelbrix syndrome”")),
    ),
    (
        "service",
        "R6",
        "viewer",
        restore_by_service,
        Refused(refusal("add", "add drugs", "drugs")),
    ),
    # R7: an editor's change to a published entry waits as pending changes.
    ("form", "R7", "editor", change_summary_by_form, Pending(SAVED_PENDING)),
    ("form", "R7", "publisher", change_summary_by_form, Done(summary_live)),
    ("import", "R7", "editor", change_summary_by_import, Pending()),
    ("import", "R7", "publisher", change_summary_by_import, Done(summary_live)),
    (
        "revert",
        "R7",
        "editor",
        change_summary_by_revert,
        Pending("The revert of “Zelbrix syndrome” is saved as pending changes: not public yet."),
    ),
    (
        "revert",
        "R7",
        "publisher",
        change_summary_by_revert,
        Done(summary_live, "Reverted “Zelbrix syndrome”."),
    ),
    ("service", "R7", "editor", change_summary_by_service, Pending()),
    ("service", "R7", "publisher", change_summary_by_service, Done(summary_live)),
    # R8: deleting needs the delete right (restore by a non-publisher: see R1).
    ("form", "R8", "editor", delete_by_form, Refused()),
    ("form", "R8", "publisher", delete_by_form, Done(drug_gone)),
    ("action", "R8", "editor", delete_by_action, Refused(NO_ACTION)),
    ("action", "R8", "publisher", delete_by_action, Done(drug_gone)),
    (
        "service",
        "R8",
        "editor",
        delete_by_service,
        Refused(refusal("delete", "delete “Quorvatide”", "drugs")),
    ),
    ("service", "R8", "publisher", delete_by_service, Done(drug_gone)),
    # R9: a source cited by published entries is changed only by a publisher.
    ("form", "R9", "editor", change_cited_source_by_form, Refused(SOURCE_CITED)),
    ("form", "R9", "publisher", change_cited_source_by_form, Done(source_renamed)),
    ("import", "R9", "editor", change_cited_source_by_import, Refused(SOURCE_CITED)),
    ("import", "R9", "publisher", change_cited_source_by_import, Done(source_renamed)),
    ("service", "R9", "editor", change_cited_source_by_service, Refused(SOURCE_CITED)),
    ("service", "R9", "publisher", change_cited_source_by_service, Done(source_renamed)),
    # R10: import needs its own right and never drops brand names it was not given.
    ("import", "R10", "importless", change_summary_by_import, Refused()),
    (
        "import",
        "R10",
        "editor",
        import_drug_without_brand_column,
        Pending(check=brands_kept_pending),
    ),
    (
        "import",
        "R10",
        "publisher",
        import_drug_without_brand_column,
        Done(drug_summary_live_with_brands),
    ),
]


def cells() -> list:
    """The rows of one scenario, grouped into one test: the refusals first, then at most
    one row that writes. A refusal changes nothing (each asserts it), so the next role
    starts from exactly the state the scenario prepared."""
    groups: dict[tuple, list] = {}
    for case in CASES:
        path, rule, _, scenario, _ = case
        groups.setdefault((path, rule, scenario), []).append(case)
    params = []
    for (path, rule, scenario), rows in groups.items():
        refused = [r for r in rows if isinstance(r[4], Refused)]
        writes = [r for r in rows if not isinstance(r[4], Refused)]
        for group in [refused + writes[:1], *([w] for w in writes[1:])]:
            if group:
                who = ", ".join(f"{role} {expected}" for _, _, role, _, expected in group)
                params.append(pytest.param(group, id=f"{rule}-{path}-{scenario.__name__}: {who}"))
    return params


def assert_pending_is_shown(w: World, record: PendingChange) -> None:
    """Visitors see the live version, staff preview the pending one, publishers see the
    diff."""
    obj = record.entry_model._base_manager.get(pk=record.entry_id)
    assert MARKER not in Client().get(obj.get_absolute_url()).content.decode()
    assertContains(w.client("editor").get(obj.get_absolute_url()), "Pending changes preview")
    page = w.client("publisher").get(admin_url(obj, "pending"))
    assert page.context["changes"]
    assertContains(page, "Publish these changes")


def assert_message(response, message: str) -> None:
    if isinstance(response, str):  # a service call's refusal
        assert response == message
    else:
        assertContains(response, escape(message))


@pytest.mark.parametrize("rows", cells())
def test_rule_on_path(world, rows):
    attempt = rows[0][3](world)
    for _path, _rule, role, _scenario, expected in rows:
        check_cell(world, attempt, role, expected)


def check_cell(world: World, attempt, role: str, expected) -> None:
    world.follow = not isinstance(expected, Done) or bool(expected.message)
    before = state(world)
    response = attempt(role)
    after = state(world)
    if isinstance(expected, Refused):
        if expected.message is None:
            assert response.status_code == 403
        else:
            assert_message(response, expected.message)
        assert after == before
    elif isinstance(expected, Pending):
        if expected.message:
            assert_message(response, expected.message)
        assert live(after) == live(before)
        assert after["pending"] != before["pending"]
        for record in PendingChange.objects.exclude(snapshot=None):
            assert_pending_is_shown(world, record)
        if expected.check:
            expected.check(world)
    else:
        if expected.message:
            assert_message(response, expected.message)
        assert not isinstance(response, str), response  # not a refusal
        expected.check(world)


def test_the_table_covers_every_rule_on_every_path_it_names():
    """Each rule is tried by a role that may and by one that may not (R2 refuses anyone)."""
    cells = {(rule, path) for path, rule, *_ in CASES}
    assert {rule for rule, _ in cells} == {f"R{n}" for n in range(1, 11)}
    for path in ("form", "action", "import", "revert", "restore", "pending", "service"):
        assert any(p == path for _, p in cells), path


# --- one editor's pending change, through every page that shows it -------------------------


def drug_edit(w: World) -> dict:
    """An editor's change to the published drug: its text, both kinds of links, a brand name
    and an alias added (Quorvix kept)."""
    brand = w.drug.brand_names.get()
    return {
        "summary": f"Pending wording {MARKER}.",
        "mechanisms": [Mechanism.objects.get(slug="destruction").pk],
        "sources": [w.source.pk, Source.objects.get(slug="mayo-clinic-causes").pk],
        "brand_names-TOTAL_FORMS": "2",
        "brand_names-INITIAL_FORMS": "1",
        "brand_names-0-id": brand.pk,
        "brand_names-0-drug": w.drug.pk,
        "brand_names-0-name": "Quorvix",
        "brand_names-0-in_source": "on",
        "brand_names-1-name": "Newbrand",
        "brand_names-1-in_source": "on",
        "aliases-TOTAL_FORMS": "1",
        "aliases-0-name": "Quorva",
        "aliases-0-kind": "synonym",
    }


def test_an_editors_change_waits_is_previewed_diffed_and_published(world):
    w, visitor = world, Client()
    url = w.drug.get_absolute_url()
    before = state(w)

    saved = w.form("editor", w.drug, **drug_edit(w))
    assertContains(saved, "Your changes to “Quorvatide” are saved as pending changes: not public")
    assert live(state(w)) == live(before)
    public = visitor.get(url)
    assertContains(public, "A made-up drug for tests.")
    assertNotContains(public, MARKER)
    assertNotContains(public, "Newbrand")
    assertNotContains(public, "Pending changes preview")
    assert found("Newbrand") == []

    preview = w.client("editor").get(url)
    assertContains(preview, "Pending changes preview")
    assertContains(preview, MARKER)
    assertContains(preview, "Newbrand, Quorvix")

    page = w.client("publisher").get(admin_url(w.drug, "pending"))
    assert page.context["changes"] == [
        {
            "field": "Summary",
            "old": "A made-up drug for tests.",
            "new": f"Pending wording {MARKER}.",
        },
        {
            "field": "Mechanisms",
            "old": "none",
            "new": str(Mechanism.objects.get(slug="destruction")),
        },
        {
            "field": "Sources",
            "old": str(w.source),
            "new": f"{w.source}, {Source.objects.get(slug='mayo-clinic-causes')}",
        },
        {
            "field": "Brand names",
            "old": (
                "Quorvix (named on the source page: yes, where it is sold: Sold in the US, "
                "market note: empty)"
            ),
            "new": (
                "Newbrand (named on the source page: yes, where it is sold: Sold in the US, "
                "market note: empty); Quorvix (named on the source page: yes, where it is "
                "sold: Sold in the US, market note: empty)"
            ),
        },
        {"field": "Drug aliases", "old": "none", "new": "Quorva (kind: Other name)"},
    ]
    assertContains(page, f'<td class="new"><ins>Pending wording {MARKER}.</ins></td>')

    published = w.post("publisher", admin_url(w.drug, "pending"), {"act": "publish"})
    assertContains(published, "Published the pending changes to “Quorvatide”.")
    assert editing.pending_for(Drug, w.drug.pk) is None
    assertContains(visitor.get(url), MARKER)
    assert sorted(b.name for b in fresh(w.drug).brand_names.all()) == ["Newbrand", "Quorvix"]
    assert found("Newbrand") == [url]
    assert fresh(w.drug).status == Status.PUBLISHED


def test_a_discarded_pending_change_never_reaches_the_public(world):
    w = world
    before = state(w)
    alias = {
        "aliases-TOTAL_FORMS": "1",
        "aliases-0-name": "Zelbrix disease",
        "aliases-0-kind": "synonym",
    }
    w.form("editor", w.cause, summary=f"Pending wording {MARKER}.", **alias)
    page = w.client("publisher").get(admin_url(w.cause, "pending"))
    assert [c["field"] for c in page.context["changes"]] == ["Summary", "Cause aliases"]

    discarded = w.post("editor", admin_url(w.cause, "pending"), {"act": "discard"})
    assertContains(discarded, "Discarded the pending changes to “Zelbrix syndrome”.")
    assert state(w) == before
    assertNotContains(w.client("editor").get(w.cause.get_absolute_url()), "Pending changes")


def test_awaiting_publication_lists_pending_changes_and_submitted_drafts(world):
    w = world
    pending_summary(w)
    set_fields(w.drug, status=Status.DRAFT)
    w.action("editor", Drug, "submit_for_publication", w.drug)
    index = w.client("publisher").get(reverse("admin:index"))
    assertContains(index, "Awaiting publication (2)")
    panel = index.content.decode().split('id="awaiting-panel"')[1].split("</ul>")[0]
    assert " ".join(panel.split()).count("<li>") == 2
    assert "Zelbrix syndrome</a> (cause): pending changes by editor" in " ".join(panel.split())
    assert "Quorvatide</a> (drug): draft submitted by editor" in " ".join(panel.split())


def test_the_pending_filter_lists_exactly_the_entries_with_pending_changes(world):
    w = world
    pending_summary(w)
    lupus = Cause.objects.get(slug="lupus")
    assert edit_as(w.user("editor"), lupus, summary="Pending for lupus.").outcome == "pending"
    set_fields(w.drug, status=Status.DRAFT)
    editing.submit(w.user("editor"), Drug, w.drug.pk)  # submitted, with no pending changes

    def listed(model, value):
        response = w.client("publisher").get(changelist(model), {"publication": value})
        return sorted(obj.slug for obj in response.context["cl"].result_list)

    assert listed(Cause, "pending") == ["lupus", "zelbrix-syndrome"]
    assert listed(Drug, "pending") == []
    assert listed(Drug, "submitted") == ["quorvatide"]


@pytest.mark.parametrize("action", ["mark_reviewed", "unpublish"])
def test_a_publishers_review_or_status_change_leaves_pending_changes_pending(world, action):
    """Review and publication are acts of their own: they never carry an editor's pending
    changes live on the side."""
    w = world
    pending = pending_summary(w)
    w.action("publisher", Cause, action, w.cause)
    assert MARKER not in fresh(w.cause).summary
    assert found(MARKER) == []
    assert editing.pending_for(Cause, w.cause.pk).snapshot == pending.snapshot
