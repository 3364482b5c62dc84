"""Keeps the search index and the cached pages in step with the content on every save
and delete.

Each handler works out which entries' index rows a change affects and reindexes them:
an entry itself, the drug of a brand name, the causes and drugs under a renamed
category, the entries that show a renamed mechanism.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from causes import indexing, page_cache
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
    TargetKind,
)


def _reindex_cause_and_drugs(cause_ids):
    cause_ids = list(cause_ids)
    indexing.reindex(TargetKind.CAUSE, cause_ids)
    indexing.reindex(
        TargetKind.DRUG, Drug.objects.filter(cause__in=cause_ids).values_list("pk", flat=True)
    )


@receiver(post_save, sender=Cause)
def cause_saved(sender, instance, **kwargs):
    _reindex_cause_and_drugs([instance.pk])


@receiver(post_save, sender=Drug)
def drug_saved(sender, instance, **kwargs):
    indexing.reindex(TargetKind.DRUG, [instance.pk])


@receiver(post_save, sender=Article)
def article_saved(sender, instance, **kwargs):
    indexing.reindex(TargetKind.ARTICLE, [instance.pk])


@receiver(post_save, sender=Category)
def category_saved(sender, instance, **kwargs):
    indexing.reindex(TargetKind.CATEGORY, [instance.pk])
    _reindex_cause_and_drugs(instance.causes.values_list("pk", flat=True))


@receiver(post_save, sender=Mechanism)
def mechanism_saved(sender, instance, **kwargs):
    indexing.reindex(TargetKind.MECHANISM, [instance.pk])
    indexing.reindex(TargetKind.CAUSE, instance.causes.values_list("pk", flat=True))
    indexing.reindex(TargetKind.DRUG, instance.drugs.values_list("pk", flat=True))


@receiver(post_save, sender=CauseAlias)
@receiver(post_delete, sender=CauseAlias)
def cause_alias_changed(sender, instance, **kwargs):
    indexing.reindex(TargetKind.CAUSE, [instance.cause_id])


@receiver(post_save, sender=DrugAlias)
@receiver(post_delete, sender=DrugAlias)
@receiver(post_save, sender=BrandName)
@receiver(post_delete, sender=BrandName)
def drug_child_changed(sender, instance, **kwargs):
    indexing.reindex(TargetKind.DRUG, [instance.drug_id])


def _mechanisms_changed(kind, related_name, instance, action, reverse, pk_set):
    """Reindex the entries whose mechanisms changed, from either side of the relation."""
    if not reverse:
        if action.startswith("post_"):
            indexing.reindex(kind, [instance.pk])
        return
    # mechanism.causes.clear(): the affected ids are only known before the clear.
    if action == "pre_clear":
        instance._cleared_ids = list(getattr(instance, related_name).values_list("pk", flat=True))
    elif action == "post_clear":
        indexing.reindex(kind, getattr(instance, "_cleared_ids", []))
    elif action.startswith("post_"):
        indexing.reindex(kind, pk_set or [])


@receiver(m2m_changed, sender=Cause.mechanisms.through)
def cause_mechanisms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    _mechanisms_changed(TargetKind.CAUSE, "causes", instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=Drug.mechanisms.through)
def drug_mechanisms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    _mechanisms_changed(TargetKind.DRUG, "drugs", instance, action, reverse, pk_set)


_KIND_OF = {
    Cause: TargetKind.CAUSE,
    Drug: TargetKind.DRUG,
    Category: TargetKind.CATEGORY,
    Mechanism: TargetKind.MECHANISM,
    Article: TargetKind.ARTICLE,
}


@receiver(post_delete)
def entry_deleted(sender, instance, **kwargs):
    kind = _KIND_OF.get(sender)
    if kind:
        SearchEntry.objects.filter(target_kind=kind, target_id=instance.pk).delete()


# --- cached pages --------------------------------------------------------------------------

CONTENT_MODELS = [
    Source,
    Mechanism,
    Category,
    Cause,
    Drug,
    BrandName,
    CauseAlias,
    DrugAlias,
    Article,
]
for _model in CONTENT_MODELS:
    post_save.connect(page_cache.content_changed, sender=_model, dispatch_uid=f"pages-{_model}")
    post_delete.connect(page_cache.content_changed, sender=_model, dispatch_uid=f"pages-d-{_model}")
for _through in [
    Cause.mechanisms.through,
    Cause.sources.through,
    Drug.mechanisms.through,
    Drug.sources.through,
    Mechanism.sources.through,
    Article.sources.through,
]:
    m2m_changed.connect(
        page_cache.content_changed, sender=_through, dispatch_uid=f"pages-{_through}"
    )
