from django.core.management.base import BaseCommand

from causes import indexing


class Command(BaseCommand):
    help = "Rebuild the search index from the published content."

    def handle(self, *args, **options):
        rows = indexing.rebuild()
        self.stdout.write(f"Search index rebuilt: {rows} rows.")
