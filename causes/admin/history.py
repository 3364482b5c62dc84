"""django-simple-history's History page, made readable for editors: whole texts (not cut
in the middle), the words that changed marked (<del>/<ins>, coloured by admin.css, as the
CSP allows no inline style), and an empty value said as "empty", not "None" or
"Deleted user (pk=None)"."""

from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from causes.diffs import word_diff

EMPTY = "empty"


def _shown(value) -> str:
    if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
        return EMPTY
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value) or EMPTY
    return str(value)


class ReadableHistory(HistoricalRecordContextHelper):
    def __init__(self, model, historical_record):
        super().__init__(model, historical_record, max_displayed_delta_change_chars=10**9)

    def stringify_delta_change_values(self, change, old, new):
        return word_diff(_shown(old), _shown(new))
