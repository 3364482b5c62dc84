from django.apps import AppConfig


class CausesConfig(AppConfig):
    name = "causes"
    verbose_name = "Neutropenia causes"

    def ready(self):
        from causes import signals  # noqa: F401  (connects search index upkeep)
