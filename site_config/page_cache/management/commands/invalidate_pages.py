from django.core.management.base import BaseCommand

from site_config.page_cache import generation


class Command(BaseCommand):
    help = (
        "Start a new content generation: every cached page on every app server is stale "
        "at once. Run it after restoring a backup (docs/deploy.md)."
    )

    def handle(self, *args, **options):
        generation.bump()
        self.stdout.write(f"Content generation: {generation.read_from_database()}")
