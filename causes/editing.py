"""The one write path for content. The admin form and its inlines, the bulk actions,
import, revert, restore and delete all change an entry inside `edit()`, which:

1. locks the entry's row (held to the end of the transaction, so two edits of one entry
   run one after the other) and takes a snapshot of it as it is live;
2. applies the entry's pending changes, if any, so every edit builds on the latest version;
3. lets the caller write, inside a savepoint;
4. checks the state the write leaves behind against `causes.rules`, refusing with a
   `Refusal` that rolls everything back;
5. keeps the write live (recording a `Revision`), or, for an editor's change to a published
   entry, rolls it back and keeps it as a `PendingChange` for a publisher.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from causes import rules, snapshots
from causes.citations import CITED_FIELDS
from causes.content import declaration
from causes.models import (
    Article,
    Cause,
    Drug,
    Mechanism,
    PendingChange,
    Revision,
    RevisionAction,
    Source,
    Status,
)
from causes.rules import Refusal


@dataclass
class Edit:
    actor: object
    model: type
    pk: int | None
    action: str | None = None
    reviewing: bool = False
    submit: bool = False
    reason: str = ""
    apply_pending: bool = True  # False: act on the live version, keep pending changes
    live: dict | None = None  # the entry as the public sees it before the edit
    review_baseline: dict | None = None  # review fields allowed to stay (a restore's)
    baseline: dict | None = None  # what the editor started from: live plus pending changes
    will_wait: bool = False  # the result is kept as pending changes, not made live
    abandoned: bool = False
    outcome: str = ""  # "live", "pending" or "" (nothing written)
    revision: Revision | None = field(default=None, repr=False)
    started: datetime = field(default_factory=timezone.now, repr=False)

    def abandon(self) -> None:
        """Nothing was written after all (a form with errors, a page only read)."""
        self.abandoned = True


def lock(model, pk):
    """The entry's row, locked to the end of the transaction: one edit at a time.

    FOR NO KEY UPDATE serialises edits of this entry without blocking the foreign-key
    checks of its children and index rows (no deadlock with them)."""
    no_key = connection.features.has_select_for_no_key_update
    return model._base_manager.select_for_update(no_key=no_key).get(pk=pk)


def entry_type(model) -> ContentType:
    return ContentType.objects.get_for_model(model)


def pending_for(model, pk) -> PendingChange | None:
    return PendingChange.objects.filter(entry_type=entry_type(model), entry_id=pk).first()


@contextmanager
def edit(actor, model, pk=None, **options):
    """Change one entry (or create it, with pk None: set `edit.pk` once it exists)."""
    current = Edit(actor, model, pk, **options)
    decl = declaration(model)
    with transaction.atomic():
        pending = None
        if pk is not None:
            live = lock(model, pk)
            current.live = snapshots.take(live)
            pending = pending_for(model, pk)
            current.will_wait = rules.waits_for_publisher(
                actor, model, decl.publishable, current.live
            )
        savepoint = transaction.savepoint()
        current.baseline = current.live
        if pending is not None and pending.snapshot and current.apply_pending:
            current.baseline = _keep_live_status(pending.snapshot, current.live)
            _apply_pending(model, pk, current.baseline, current.live["name"])
        yield current
        if current.abandoned or current.pk is None:
            transaction.savepoint_rollback(savepoint)
            return
        entry = model._base_manager.get(pk=current.pk)
        after = snapshots.take(entry)
        _check(current, entry, after)
        if current.will_wait:
            transaction.savepoint_rollback(savepoint)
            _keep_pending(current, after)
            current.outcome = "pending"
        else:
            transaction.savepoint_commit(savepoint)
            _made_live(current, entry, after, folded=pending if current.apply_pending else None)
            current.outcome = "live"


def _apply_pending(model, pk, snapshot: dict, name: str) -> None:
    """Write pending changes over the live entry; changes that clash with what others saved
    since (a brand name another drug took, a category deleted) are a message that says
    where to go, not an error."""
    try:
        with transaction.atomic():
            snapshots.apply(model, pk, snapshot)
    except Refusal as refusal:
        raise Refusal(
            f"The pending changes to “{name}” no longer apply: {refusal.messages[0]} "
            "Discard them on the entry's pending changes page (their author or a publisher "
            "can), then make the change again.",
            code="pending_stale",
        ) from None


def _keep_live_status(snapshot: dict, live: dict) -> dict:
    """Publication and review are acts of their own: a revision or pending change never
    carries a status or review date back over the live one."""
    kept = {k: live["fields"][k] for k in ("status", *rules.REVIEW_FIELDS) if k in live["fields"]}
    return {**snapshot, "fields": {**snapshot["fields"], **kept}}


def _check(current: Edit, entry, after: dict) -> None:
    """The rules, on the state the edit leaves behind."""
    model, actor = current.model, current.actor
    if current.live is None:
        rules.require(actor, "add", model, f"add {model._meta.verbose_name_plural}")
    elif after != current.live:
        rules.require(actor, "change", model, f"change “{after['name']}”")
    if "status" in after["fields"]:
        rules.check_status(actor, model, current.live, after)
        rules.check_public_needs_source(
            model, after["fields"]["status"], len(after["m2m"].get("sources", [])), after["name"]
        )
    if declaration(model).reviewed:
        baseline = current.review_baseline or current.live
        rules.check_review(actor, model, baseline, after, current.reviewing)
    for child in declaration(model).children:
        removed = snapshots.removed_children(current.baseline, after).get(
            child.model._meta.label_lower, []
        )
        rules.check_children_removed(actor, child.model, removed, after["name"])
    if model is Source and current.live is not None and after != current.live:
        rules.check_source_change(
            actor, entry, published_citations(entry), current.live["fields"]["title"]
        )
        old_slug = current.live["fields"]["slug"]
        rules.check_source_slug_kept(old_slug, after["fields"]["slug"], texts_citing(old_slug))
    if "sources" in after["m2m"] and any(f in after["fields"] for f in CITED_FIELDS):
        attached = Source.objects.filter(pk__in=after["m2m"]["sources"])
        rules.check_citations(model, after, list(attached.values_list("slug", flat=True)))


def texts_citing(slug: str) -> list[str]:
    """The entries (drafts too) whose texts cite the source by this slug, by name."""
    marker = f"[{slug}]"
    names = []
    for model in (Cause, Drug, Article, Mechanism):
        fields = [f.name for f in model._meta.concrete_fields if f.name in CITED_FIELDS]
        where = Q()
        for name in fields:
            where |= Q(**{f"{name}__contains": marker})
        names += [str(entry) for entry in model._base_manager.filter(where)]
    return names


def published_citations(source) -> int:
    return sum(
        getattr(source, related).published().count() for related in ("causes", "drugs", "articles")
    )


def _keep_pending(current: Edit, after: dict) -> None:
    """An editor's change to a published entry: visitors keep the live version."""
    model = current.model
    if after == current.baseline and not current.submit:
        return  # saved without a change: nothing to keep, no version to move on
    # The version still moves on, so a copy opened before this save is refused later.
    model._base_manager.filter(pk=current.pk).update(version=F("version") + 1)
    record = pending_for(model, current.pk)
    if after == current.live:
        if record is not None:
            record.delete()  # the edit undid every pending change
        return
    now = timezone.now()
    values = {
        "entry_name": after["name"],
        "snapshot": after,
        "author": current.actor,
        "updated": now,
    }
    if current.submit:
        values.update(submitted_at=now, submitted_by=current.actor)
    PendingChange.objects.update_or_create(
        entry_type=entry_type(model), entry_id=current.pk, defaults=values
    )


def _made_live(current: Edit, entry, after: dict, folded: PendingChange | None) -> None:
    model = current.model
    if folded is not None and (
        folded.snapshot or after["fields"].get("status") == Status.PUBLISHED
    ):
        folded.delete()  # its changes (or its draft) are public now
    if current.submit and after["fields"].get("status") == Status.DRAFT:
        now = timezone.now()
        PendingChange.objects.update_or_create(
            entry_type=entry_type(model),
            entry_id=current.pk,
            defaults={
                "entry_name": after["name"],
                "snapshot": None,
                "author": current.actor,
                "updated": now,
                "submitted_at": now,
                "submitted_by": current.actor,
            },
        )
    if after == current.live:
        return  # nothing changed: no revision
    current.revision = Revision.objects.create(
        entry_type=entry_type(model),
        entry_id=current.pk,
        entry_name=after["name"],
        version=entry.version,
        action=current.action or _action(current.live, after, current.reviewing),
        snapshot=after,
        user=current.actor,
        reason=current.reason[:300],
    )
    _label_history(model, current.pk, current.revision, current.started)


def _label_history(model, pk: int, revision: Revision, since: datetime) -> None:
    """django-simple-history's rows of this edit say what it was ("Reverted: …",
    "Imported", "Published"), as the versions page does, unless the editor gave a reason."""
    history = getattr(model, "history", None)
    if history is None:
        return
    label = revision.get_action_display()
    if revision.reason:
        label = f"{label}: {revision.reason}"
    history.filter(id=pk, history_date__gte=since).filter(
        Q(history_change_reason__isnull=True) | Q(history_change_reason="")
    ).update(history_change_reason=label[:100])


def _action(before: dict | None, after: dict, reviewing: bool) -> str:
    if before is None:
        return RevisionAction.CREATED
    if reviewing:
        return RevisionAction.REVIEWED
    old, new = rules.status_of(before), rules.status_of(after)
    if old != new:
        return RevisionAction.PUBLISHED if new == Status.PUBLISHED else RevisionAction.UNPUBLISHED
    return RevisionAction.CHANGED


def apply_pending_for_preview(record: PendingChange) -> bool:
    """Write the pending version for a staff preview; the caller rolls it back. Pending
    changes that no longer apply leave the live version (False): the entry's form and
    pending changes page say why."""
    model = record.entry_model
    live = snapshots.take(model._base_manager.get(pk=record.entry_id))
    try:
        _apply_pending(model, record.entry_id, _keep_live_status(record.snapshot, live), "")
    except Refusal:
        return False
    return True


# --- the acts an editor or publisher performs ------------------------------------------------


def set_status(actor, entry, status: str) -> Edit:
    """Publishing makes the latest version live, pending changes included; unpublishing
    hides the live version and leaves pending changes waiting."""
    keep_pending = status != Status.PUBLISHED
    with edit(actor, type(entry), entry.pk, apply_pending=not keep_pending) as current:
        fresh = type(entry)._base_manager.get(pk=entry.pk)
        if fresh.status != status:
            fresh.status = status
            fresh.save()
    return current


def mark_reviewed(actor, entry) -> Edit:
    """Today's date and the reviewer; the only way the review fields change."""
    rules.require(actor, "review", type(entry), f"mark “{entry}” reviewed")
    # The review is of the live version: pending changes stay pending.
    with edit(actor, type(entry), entry.pk, reviewing=True, apply_pending=False) as current:
        fresh = type(entry)._base_manager.get(pk=entry.pk)
        fresh.last_reviewed = date.today()
        fresh.reviewed_by = actor
        fresh.save()
    return current


def publish_pending(actor, model, pk) -> Edit:
    """A publisher makes an entry's pending changes live."""
    rules.require(actor, "publish", model, "publish pending changes")
    if pending_for(model, pk) is None:
        raise Refusal("There are no pending changes to publish.", code="nothing")
    with edit(actor, model, pk, action=RevisionAction.PUBLISHED_PENDING) as current:
        pass  # applying the pending changes is the whole edit
    return current


def discard_pending(actor, model, pk) -> None:
    """A publisher, or the editor who made them, throws pending changes away."""
    with transaction.atomic():
        lock(model, pk)
        record = pending_for(model, pk)
        if record is None:
            raise Refusal("There are no pending changes to discard.", code="nothing")
        if record.author_id != getattr(actor, "pk", None):
            rules.require(actor, "publish", model, "discard someone else's pending changes")
        record.delete()
        # A form opened with them applied carries their version: it is stale now.
        model._base_manager.filter(pk=pk).update(version=F("version") + 1)


def submit(actor, model, pk) -> PendingChange:
    """An editor asks a publisher to publish a draft or pending changes."""
    rules.require(actor, "change", model, "submit entries for publication")
    if not declaration(model).publishable:
        raise Refusal(
            f"{model._meta.verbose_name_plural.capitalize()} have no drafts: a change to one "
            "is live when saved, so there is nothing to submit.",
            code="nothing",
        )
    with transaction.atomic():
        entry = lock(model, pk)  # two submits of one entry run one after the other
        record = pending_for(model, pk)
        if record is None and entry.status == Status.PUBLISHED:
            raise Refusal(f"“{entry}” is published and has no pending changes.", code="nothing")
        now = timezone.now()
        record = record or PendingChange(
            entry_type=entry_type(model), entry_id=pk, entry_name=str(entry), author=actor
        )
        record.updated, record.submitted_at, record.submitted_by = now, now, actor
        record.save()
    return record


def revert(actor, revision: Revision, reason: str = "") -> Edit:
    """The entry's content, links and children become exactly the revision's again."""
    model = revision.entry_model
    with edit(actor, model, revision.entry_id, action=RevisionAction.REVERTED) as current:
        current.reason = reason or f"Reverted to the version of {revision.created:%d %b %Y %H:%M}."
        snapshots.apply(
            model, revision.entry_id, _keep_live_status(revision.snapshot, current.live)
        )
    return current


def delete(actor, entry) -> Revision:
    """Delete an entry with its children, recording exactly what went with it."""
    model = type(entry)
    rules.require(actor, "delete", model, f"delete “{entry}”")
    with transaction.atomic():
        entry = model._base_manager.select_for_update().get(pk=entry.pk)
        blockers = delete_blockers(entry)
        if blockers:
            raise Refusal(blockers[0], code="needs_source")
        record = Revision.objects.create(
            entry_type=entry_type(model),
            entry_id=entry.pk,
            entry_name=str(entry),
            version=entry.version,
            action=RevisionAction.DELETED,
            snapshot=snapshots.take(entry),
            user=actor,
        )
        PendingChange.objects.filter(entry_type=entry_type(model), entry_id=entry.pk).delete()
        entry.delete()
    return record


def delete_blockers(entry) -> list[str]:
    """Why deleting this entry would break a rule elsewhere: a source that is the only one
    of a published cause or drug would leave it public without a source."""
    if not isinstance(entry, Source):
        return []
    reasons = []
    try:
        rules.check_source_not_cited(texts_citing(entry.slug), str(entry))
    except Refusal as refusal:
        reasons.append(refusal.messages[0])
    for related in ("causes", "drugs"):
        cited = getattr(entry, related).filter(status=Status.PUBLISHED).values("pk")
        counted = getattr(entry, related).model._base_manager.filter(pk__in=cited)
        for other in counted.annotate(n=Count("sources")).filter(n=1):
            try:
                rules.check_public_needs_source(type(other), other.status, 0, str(other))
            except Refusal as refusal:
                reasons.append(
                    f"“{entry}” cannot be deleted while it is the only source of a published "
                    f"{other._meta.verbose_name}: {refusal.messages[0]}"
                )
    return reasons


def deleted_entries(model) -> list[Revision]:
    """The deletion record of each entry of this kind that is deleted now, newest first."""
    records = Revision.objects.filter(
        entry_type=entry_type(model), action=RevisionAction.DELETED
    ).exclude(entry_id__in=model._base_manager.values("pk"))
    latest = {}
    for record in records.select_related("user"):
        latest.setdefault(record.entry_id, record)
    return list(latest.values())


def _may_be_public(model, snapshot: dict) -> bool:
    """Whether the entry would still have the source that going public needs: a deleted
    entry cannot have one attached first, so without it, it comes back as a draft."""
    if model._meta.model_name not in rules.NEEDS_SOURCE:
        return True
    return Source.objects.filter(pk__in=snapshot["m2m"].get("sources", [])).exists()


def restore(actor, record: Revision) -> tuple[object, bool]:
    """Bring a deleted entry back exactly as it was deleted, children and links included.
    Someone who may not publish, or an entry left without a source, comes back as a draft.
    Returns (entry, made_draft)."""
    model = record.entry_model
    if (
        record.action != RevisionAction.DELETED
        or model._base_manager.filter(pk=record.entry_id).exists()
    ):
        raise Refusal(f"“{record.entry_name}” is not deleted.", code="nothing")
    snapshot = snapshots.settle(model, record.snapshot)
    made_draft = False
    if snapshot["fields"].get("status") == Status.PUBLISHED and not (
        rules.may(actor, "publish", model) and _may_be_public(model, snapshot)
    ):
        snapshot = {**snapshot, "fields": {**snapshot["fields"], "status": Status.DRAFT}}
        made_draft = True
    with edit(actor, model, None, action=RevisionAction.RESTORED) as current:
        current.review_baseline = snapshot
        entry = snapshots.apply(model, record.entry_id, snapshot, creating=True)
        current.pk = entry.pk
    return entry, made_draft
