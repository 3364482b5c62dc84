"""django-simple-history's History page, made readable for editors: whole texts (not cut
in the middle), the words that changed marked (<del>/<ins>, coloured by admin.css, as the
CSP allows no inline style), and an empty value said as "empty", not "None" or
"Deleted user (pk=None)"."""

import difflib
import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

EMPTY = "empty"
_TOKENS = re.compile(r"\s+|[^\s]+")


def _shown(value) -> str:
    if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
        return EMPTY
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value) or EMPTY
    return str(value)


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, with removed words in <del> and added words in <ins>; words
    changed together are marked together ("<del>made-up condition</del>", not word by
    word around the unchanged space between them)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = [
        ("equal" if op == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    merged: list[list] = []
    for index, (kind, removed, added) in enumerate(parts):
        between_changes = 0 < index < len(parts) - 1 and removed.isspace()
        if kind == "equal" and between_changes:
            kind = "change"
        if merged and kind == "change" and merged[-1][0] == "change":
            merged[-1][1] += removed
            merged[-1][2] += added
        else:
            merged.append([kind, removed, added])
    left, right = [], []
    for kind, removed, added in merged:
        if kind == "equal":
            left.append(conditional_escape(removed))
            right.append(conditional_escape(added))
            continue
        if removed:
            left.append(format_html("<del>{}</del>", removed))
        if added:
            right.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 (escaped above)


class ReadableHistory(HistoricalRecordContextHelper):
    def __init__(self, model, historical_record):
        super().__init__(model, historical_record, max_displayed_delta_change_chars=10**9)

    def stringify_delta_change_values(self, change, old, new):
        return word_diff(_shown(old), _shown(new))
