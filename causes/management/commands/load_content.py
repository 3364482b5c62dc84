from django.core.management import call_command
from django.core.management.base import BaseCommand

from causes import indexing
from causes.content import CONTENT_MODELS


class Command(BaseCommand):
    help = (
        "Load fixtures/neutropenia.json into an empty database, then build the search index. "
        "A database that already has content is left alone, so editors' changes survive."
    )

    def handle(self, *args, **options):
        if any(model.objects.exists() for model in CONTENT_MODELS):
            self.stdout.write(
                "Content already present: fixture not loaded (editors' changes kept)."
            )
        else:
            call_command("loaddata", "neutropenia", verbosity=options["verbosity"])
        rows = indexing.rebuild()
        self.stdout.write(f"Search index: {rows} rows.")
