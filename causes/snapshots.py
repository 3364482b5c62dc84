"""An entry as plain data: its fields, its many-to-many links and its children (brand names,
aliases), in one JSON-ready dict. Pending changes, revisions, revert, restore and the
diffs publishers read are all built on `take()`, `apply()` and `diff()`.

    {"name": "Clozapine",
     "fields": {"name": "Clozapine", "cause_id": 7, "status": "published", ...},
     "m2m": {"mechanisms": [2], "sources": [4, 9]},
     "children": {"causes.brandname": [{"id": 3, "name": "Clozaril", "in_source": true}]}}
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import SET_NULL

from causes.content import declaration
from causes.rules import Refusal

# Bookkeeping, not content: never compared, restored or shown.
NOT_CONTENT = {"id", "version"}


def _dump(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _content_fields(model):
    return [f for f in model._meta.concrete_fields if f.attname not in NOT_CONTENT]


def _row_fields(obj, skip=()) -> dict:
    return {
        f.attname: _dump(f.value_from_object(obj))
        for f in _content_fields(type(obj))
        if f.attname not in skip
    }


def take(entry) -> dict:
    """The entry's content as stored now."""
    decl = declaration(type(entry))
    snapshot = {
        "name": str(entry),
        "fields": _row_fields(entry),
        "m2m": {
            f.name: sorted(getattr(entry, f.name).values_list("pk", flat=True))
            for f in type(entry)._meta.many_to_many
        },
        "children": {},
    }
    for child in decl.children:
        fk_attname = child.model._meta.get_field(child.fk).attname
        rows = child.model._default_manager.filter(**{child.fk: entry}).order_by(child.identity)
        snapshot["children"][child.model._meta.label_lower] = [
            {"id": row.pk, **_row_fields(row, skip={fk_attname})} for row in rows
        ]
    return snapshot


def _load(model, attname: str, value):
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return None if value is None else field.to_python(value)


def _missing_targets(model, fields: dict):
    """The foreign keys of a snapshot whose rows have been deleted since it was taken."""
    for field in model._meta.concrete_fields:
        value = fields.get(field.attname)
        if field.many_to_one and value is not None:
            target = field.related_model._base_manager.filter(**{field.target_field.name: value})
            if not target.exists():
                yield field


def settle(model, snapshot: dict) -> dict:
    """The snapshot as the database would have left it: a foreign key whose row was deleted
    since, and which the database empties on deletion (a reviewer), is empty."""
    emptied = {
        f.attname: None
        for f in _missing_targets(model, snapshot["fields"])
        if f.remote_field.on_delete is SET_NULL
    }
    return {**snapshot, "fields": {**snapshot["fields"], **emptied}} if emptied else snapshot


def apply(model, pk: int, snapshot: dict, *, creating: bool = False):
    """Write a snapshot back: the entry's fields, links and children become exactly the
    snapshot's. Saves go through the models, so versions, history and the index follow;
    a clash (a brand name another drug now has, a category deleted since) is a `Refusal`,
    not an error."""
    snapshot = settle(model, snapshot)
    for field in _missing_targets(model, snapshot["fields"]):
        raise Refusal(
            f"Cannot bring back “{snapshot['name']}” as it was: its {field.verbose_name} "
            "no longer exists.",
            code="clash",
        )
    entry = model(pk=pk) if creating else model._base_manager.get(pk=pk)
    for attname, value in snapshot["fields"].items():
        setattr(entry, attname, _load(model, attname, value))
    _validate(entry)
    entry.save()
    for name, ids in snapshot["m2m"].items():
        related = getattr(entry, name)
        related.set(related.model._default_manager.filter(pk__in=ids))
    for child in declaration(model).children:
        _sync_children(entry, child, snapshot["children"].get(child.model._meta.label_lower, []))
    return entry


def _validate(obj) -> None:
    """Unique names and slugs, checked before writing, as a message an editor can act on."""
    try:
        obj.validate_unique()
        obj.validate_constraints()
    except ValidationError as error:
        messages = "; ".join(m for msgs in error.message_dict.values() for m in msgs)
        raise Refusal(f"Cannot bring back “{obj}” as it was: {messages}", code="clash") from None


def _sync_children(entry, child, wanted: list[dict]) -> None:
    model = child.model
    fk_attname = model._meta.get_field(child.fk).attname
    existing = {
        getattr(row, child.identity).casefold(): row
        for row in model._default_manager.filter(**{child.fk: entry})
    }
    for data in wanted:
        key = data[child.identity].casefold()
        row = existing.pop(key, None)
        fields = {k: _load(model, k, v) for k, v in data.items() if k != "id"}
        if row is None:
            free = data.get("id") and not model._default_manager.filter(pk=data["id"]).exists()
            row = model(pk=data["id"] if free else None, **{fk_attname: entry.pk}, **fields)
            _validate(row)
            row.save()
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            _validate(row)
            row.save()
    for row in existing.values():
        row.delete()


def removed_children(before: dict | None, after: dict) -> dict[str, list[str]]:
    """Per child model, the names of children the edit removes."""
    removed = {}
    for label, rows in (before or {}).get("children", {}).items():
        kept = {r["name"].casefold() for r in after["children"].get(label, [])}
        gone = [r["name"] for r in rows if r["name"].casefold() not in kept]
        if gone:
            removed[label] = gone
    return removed


def diff(model, old: dict | None, new: dict) -> list[dict]:
    """What differs between two snapshots, field by field, in words an editor reads."""
    old = old or {"fields": {}, "m2m": {}, "children": {}}
    changes = []
    for field in _content_fields(model):
        a, b = old["fields"].get(field.attname), new["fields"].get(field.attname)
        if a != b:
            changes.append(_change(field.verbose_name, _show(field, a), _show(field, b)))
    for field in model._meta.many_to_many:
        a, b = old["m2m"].get(field.name, []), new["m2m"].get(field.name, [])
        if sorted(a) != sorted(b):
            names = _names(field.related_model)
            changes.append(
                _change(
                    field.verbose_name,
                    ", ".join(names(a)) or "none",
                    ", ".join(names(b)) or "none",
                )
            )
    for child in declaration(model).children:
        label = child.model._meta.label_lower
        a = _child_lines(child.model, old["children"].get(label, []))
        b = _child_lines(child.model, new["children"].get(label, []))
        if a != b:
            changes.append(
                _change(
                    child.model._meta.verbose_name_plural,
                    "; ".join(a) or "none",
                    "; ".join(b) or "none",
                )
            )
    return changes


def _change(label: str, old: str, new: str) -> dict:
    return {"field": str(label).capitalize(), "old": old, "new": new}


def _names(model):
    def names(ids):
        return [str(obj) for obj in model._default_manager.filter(pk__in=ids)]

    return names


def _show(field, value) -> str:
    if value is None or value == "":
        return "empty"
    if field.is_relation:
        target = field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target else f"deleted ({value})"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _child_lines(model, rows: list[dict]) -> list[str]:
    """'Clozaril (in source: yes)', 'SLE (kind: Abbreviation)': a child as an editor reads it."""
    fields = {f.attname: f for f in _content_fields(model)}
    lines = []
    for row in sorted(rows, key=lambda r: r["name"].casefold()):
        # In the model's field order: a snapshot read back from PostgreSQL's jsonb has
        # its keys in another order.
        extra = [
            f"{field.verbose_name}: {_show(field, row[name])}"
            for name, field in fields.items()
            if name in row and name != "name"
        ]
        lines.append(row["name"] + (f" ({', '.join(extra)})" if extra else ""))
    return lines
