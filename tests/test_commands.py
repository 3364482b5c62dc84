"""Management commands that `make run` and editors rely on."""

import pytest
from django.core.management import call_command

from causes.models import Cause, SearchEntry

pytestmark = pytest.mark.django_db


def test_load_content_keeps_editors_changes_when_run_again(capsys):
    cause = Cause.objects.get(slug="lupus")
    cause.summary = "Edited by an editor."
    cause.save()
    call_command("load_content")
    assert "fixture not loaded" in capsys.readouterr().out
    assert Cause.objects.get(slug="lupus").summary == "Edited by an editor."


def test_load_content_fills_an_empty_database_and_indexes_it():
    from causes.content import CONTENT_MODELS

    for model in reversed(CONTENT_MODELS):  # children before the entries they belong to
        model.objects.all().delete()
    SearchEntry.objects.all().delete()
    call_command("load_content", verbosity=0)
    # The source page's 29 items, and the causes added beyond it (issue 11).
    assert Cause.objects.filter(origin="source_page").count() == 29
    assert Cause.objects.count() > 29
    assert SearchEntry.objects.filter(term="Clozaril").exists()
