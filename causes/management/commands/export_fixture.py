from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from causes.content import CONTENT


class Command(BaseCommand):
    help = "Write the database's content to fixtures/neutropenia.json (natural keys, stable order)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.FIXTURE_DIRS[0]) / "neutropenia.json"),
            help="Where to write the fixture (default: fixtures/neutropenia.json).",
        )

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            # Parents first; the search index is derived and never exported.
            *(content.label for content in CONTENT),
            natural_foreign=True,
            natural_primary=True,
            indent=2,
            output=output,
            verbosity=0,
        )
        # dumpdata leaves no final newline; add one so the file diffs cleanly.
        path = Path(output)
        text = path.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            path.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
