"""Admin index panels: what awaits publication, what is due for review, and where deleted
entries can be restored."""

from django import template
from django.utils.html import format_html

from causes.content import CONTENT
from causes.diffs import word_diff

register = template.Library()

PANEL_ROWS = 10
SOON_DAYS = 30


@register.inclusion_tag("admin/causes/review_panel.html", takes_context=True)
def review_panel(context):
    user = context["request"].user
    groups = []
    for model in (c.model for c in CONTENT if c.reviewed):
        if not user.has_perm(f"causes.view_{model._meta.model_name}"):
            continue
        due = model.objects.review_due(within_days=SOON_DAYS).order_by("last_reviewed")
        groups.append(
            {
                "opts": model._meta,
                "entries": list(due[:PANEL_ROWS]),
                "count": due.count(),
            }
        )
    return {"groups": groups, "soon_days": SOON_DAYS}


@register.inclusion_tag("admin/causes/awaiting_panel.html", takes_context=True)
def awaiting_panel(context):
    """Pending changes and submitted drafts, oldest first: a publisher's to-do list."""
    from causes.models import PendingChange

    user = context["request"].user
    rows = []
    for record in PendingChange.objects.select_related("entry_type", "author").order_by("updated"):
        model = record.entry_model
        if model is None or not user.has_perm(f"causes.view_{model._meta.model_name}"):
            continue
        rows.append(
            {
                "record": record,
                "opts": model._meta,
                "what": "pending changes" if record.snapshot else "draft submitted",
            }
        )
    return {"rows": rows[: PANEL_ROWS * 3], "count": len(rows)}


@register.simple_tag
def diff_cells(change):
    """The old and new values of one changed field, the words that differ marked."""
    old, new = word_diff(str(change["old"]), str(change["new"]))
    return format_html('<td class="old">{}</td><td class="new">{}</td>', old, new)


@register.simple_tag
def value_in_file(invalid_row, column: str, headers) -> str:
    """The value an imported row has in one column of the file, or "(empty)"; an invalid
    row's values come in the order of the result's `diff_headers`."""
    try:
        value = invalid_row.values[list(headers).index(column)]
    except (ValueError, IndexError, TypeError):
        return ""
    return str(value) if value not in (None, "") else "(empty)"
