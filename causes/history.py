"""Undo for editors, on top of django-simple-history: who changed what last, which entries
were deleted, and restoring a deleted entry with its many-to-many links and the children
(aliases, brand names) that were deleted with it."""

from datetime import timedelta

from django.db import transaction
from simple_history.utils import get_m2m_reverse_field_name

from causes.models import BrandName, Cause, CauseAlias, Drug, DrugAlias

# Children deleted together with their parent (CASCADE), restored together with it.
CHILDREN = {
    Cause: [(CauseAlias, "cause")],
    Drug: [(BrandName, "drug"), (DrugAlias, "drug")],
}
# A cascade deletes children within the same request; allow for a slow one.
CASCADE_WINDOW = timedelta(seconds=30)


class RestoreRefused(Exception):
    """A deleted entry cannot come back as it was, e.g. its slug has been reused."""


def last_change(instance):
    """The newest history record of an entry, or None."""
    return instance.history.select_related("history_user").order_by("-history_date").first()


def deleted_records(model) -> list:
    """The deletion record of each entry that is deleted now, newest first."""
    records = (
        model.history.filter(history_type="-")
        .exclude(id__in=model._default_manager.values("pk"))
        .select_related("history_user")
        .order_by("-history_date")
    )
    latest = {}
    for record in records:
        latest.setdefault(record.id, record)
    return list(latest.values())


def _saved_links(record) -> dict:
    """Many-to-many links as they were just before the deletion (a deletion record has none)."""
    before = (
        type(record)
        .objects.filter(id=record.id, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date")
        .first()
    )
    links = {}
    for field in getattr(record, "_history_m2m_fields", []):
        target = get_m2m_reverse_field_name(field)
        rows = getattr(before, field.name).all() if before else []
        links[field.name] = [getattr(row, f"{target}_id") for row in rows]
    return links


def _deleted_children(model, record):
    for child_model, fk_name in CHILDREN.get(model, []):
        rows = child_model.history.filter(
            history_type="-",
            history_date__gte=record.history_date - CASCADE_WINDOW,
            history_date__lte=record.history_date + CASCADE_WINDOW,
            **{f"{fk_name}_id": record.id},
        ).exclude(id__in=child_model._default_manager.values("pk"))
        yield from rows


def _refuse_conflicts(model, instance, children) -> None:
    if hasattr(instance, "slug") and model._default_manager.filter(slug=instance.slug).exists():
        raise RestoreRefused(
            f"Cannot restore “{instance}”: another {model._meta.verbose_name} now uses "
            f"the address “{instance.slug}”. Change that one's slug first."
        )
    for child in children:
        if isinstance(child, BrandName):
            clash = BrandName.objects.filter(name__iexact=child.name).select_related("drug").first()
            if clash:
                raise RestoreRefused(
                    f"Cannot restore “{instance}”: its brand name “{child.name}” now belongs "
                    f"to {clash.drug.name}."
                )


@transaction.atomic
def restore(record):
    """Bring a deleted entry back from its deletion record, as it was."""
    model = record.instance_type
    instance = record.instance
    children = [row.instance for row in _deleted_children(model, record)]
    _refuse_conflicts(model, instance, children)
    links = _saved_links(record)
    instance._state.adding = True
    instance.save()
    for name, ids in links.items():
        related = getattr(instance, name)
        related.set(related.model._default_manager.filter(pk__in=ids))
    for child in children:
        child._state.adding = True
        child.save()
    return instance
