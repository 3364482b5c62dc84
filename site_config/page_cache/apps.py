from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "site_config.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"
