"""Two texts compared word by word, as editors read a change: removed words in <del>,
added words in <ins>, everything escaped. Used by the History page, the versions and
pending-changes tables and the import preview; coloured by causes/static/causes/admin.css
(the CSP allows no inline style)."""

import difflib
import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


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
