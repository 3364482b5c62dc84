"""Keeps the search index and the content generation (which cached pages are current) in
step with the content on every save, delete and change of a many-to-many relation.

The search index has one receiver: it turns the signal into the rows that changed and
asks `indexing.affected()` which entries those rows show up in, as declared beside each
kind of index entry. Nothing here knows which model affects which entry.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from causes import indexing
from causes.content import CONTENT_MODELS
from site_config.page_cache import generation


def _foreign_key_to(through, model, exclude=None):
    for field in through._meta.concrete_fields:
        if field.is_relation and field is not exclude:
            if issubclass(model._meta.concrete_model, field.related_model):
                return field
    raise LookupError(f"{through} has no foreign key to {model}")


def _links(through, instance, action, model, pk_set):
    """The link rows an m2m change adds or removes, from either side of the relation.

    Unsaved `through` instances for add and remove; for clear, the rows as they were just
    before it, the only moment they can be read (`mechanism.causes.clear()`).
    """
    mine = _foreign_key_to(through, type(instance))
    theirs = _foreign_key_to(through, model, exclude=mine)
    cleared = instance.__dict__.setdefault("_index_cleared_links", {})
    if action == "pre_clear":
        cleared[through] = list(through._base_manager.filter(**{mine.attname: instance.pk}))
    elif action == "post_clear":
        return cleared.pop(through, [])
    elif action in ("post_add", "post_remove"):
        return [through(**{mine.attname: instance.pk, theirs.attname: pk}) for pk in pk_set]
    return []


def reindex_affected_entries(sender, signal, instance, **kwargs):
    """Reindex the entries a save, delete or m2m change of `sender` rows affects."""
    if signal is pre_save:
        # A row about to move to another owner (an alias to another cause): the old
        # owner's rows must go too, and after the save only the new owner is known.
        instance._index_moved_from = indexing.moved_from(sender, instance)
        return
    if signal is m2m_changed:
        rows = _links(sender, instance, kwargs["action"], kwargs["model"], kwargs["pk_set"])
    else:
        rows = [instance]
        moved_from = instance.__dict__.pop("_index_moved_from", None)
        if moved_from is not None:
            rows.append(moved_from)
    if rows:
        indexing.reindex_affected(sender, rows, raw=kwargs.get("raw", False))


_SIGNALS = {
    "pre_save": pre_save,
    "post_save": post_save,
    "post_delete": post_delete,
    "m2m_changed": m2m_changed,  # sent only for link tables
}
for _model in indexing.WATCHED:
    for _name, _signal in _SIGNALS.items():
        _signal.connect(
            reindex_affected_entries, sender=_model, dispatch_uid=f"search-{_name}-{_model}"
        )


# --- cached pages: every change is recorded in its own transaction ---------------------------

for _model in CONTENT_MODELS:
    post_save.connect(generation.content_changed, sender=_model, dispatch_uid=f"pages-{_model}")
    post_delete.connect(generation.content_changed, sender=_model, dispatch_uid=f"pages-d-{_model}")
# Every m2m link table of the content, found on the models rather than listed.
for _through in dict.fromkeys(
    field.remote_field.through for model in CONTENT_MODELS for field in model._meta.many_to_many
):
    m2m_changed.connect(
        generation.content_changed, sender=_through, dispatch_uid=f"pages-{_through}"
    )
