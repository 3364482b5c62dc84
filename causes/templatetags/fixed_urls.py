"""URLs that stay the same while a process runs, looked up once per process.

Every public page has the same header and footer links and the same two static files;
`{% url %}` and `{% static %}` would work them out again on every render (some 20
microseconds each). For a URL that takes no arguments, `{% fixed_url 'causes:search' %}`
gives what `{% url 'causes:search' %}` gives, and `{% static_url 'causes/site.css' %}`
what `{% static 'causes/site.css' %}` gives, from a per-process memo that is emptied
when a test changes the URLconf or the static files' settings.
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

register = template.Library()


@functools.lru_cache(maxsize=64)
def _reverse(name: str, script_prefix: str) -> str:
    return reverse(name)  # reverse() reads the same script prefix


@functools.lru_cache(maxsize=64)
def _static(path: str) -> str:
    return static(path)


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a URL without arguments, reversed once per process."""
    return _reverse(name, get_script_prefix())


@functools.lru_cache(maxsize=64)
def _reverse_slug(name: str, slug: str, script_prefix: str) -> str:
    return reverse(name, args=[slug])


@register.simple_tag
def get_help_url() -> str:
    """The “When to get help” page, linked from every cause and drug page and the footer."""
    from causes.models import GET_HELP_SLUG

    return _reverse_slug("causes:article-detail", GET_HELP_SLUG, get_script_prefix())


@register.simple_tag
def static_url(path: str) -> str:
    """`{% static path %}`, with the hashed file name looked up once per process."""
    return _static(path)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _reverse.cache_clear()
        _reverse_slug.cache_clear()
        _static.cache_clear()
