"""Inline citations on the page: `{% cited entry "summary" %}` renders a text with each
[source-slug] marker as a numbered link, and `{% numbered_sources entry as sources %}`
gives the numbered list they point to. Numbers come from `causes.citations`, worked out
once per entry per render from its (prefetched) sources, so they never disagree."""

from django import template

from causes import citations

register = template.Library()


@register.simple_tag
def numbered_sources(entry) -> list[citations.Numbered]:
    return citations.numbered_for(entry)


@register.simple_tag
def cited(entry, field: str, css: str = ""):
    """The entry's text as paragraphs, its citation markers as numbered links."""
    numbers = {n.source.slug: n.number for n in citations.numbered_for(entry)}
    return citations.render(getattr(entry, field) or "", numbers, css=css)


@register.simple_tag
def cited_inline(entry, field: str):
    """A one-line text (what a drug is used to treat), without paragraph tags."""
    numbers = {n.source.slug: n.number for n in citations.numbered_for(entry)}
    text = " ".join(citations.paragraphs(getattr(entry, field) or ""))
    return citations.render_paragraph(text, numbers)


@register.filter
def uncited(text: str) -> str:
    """The text without its citation markers (page descriptions, previews)."""
    return citations.without_markers(text)
