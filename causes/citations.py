"""Inline citations: a marker in the stored text names a source by its slug.

    Clozapine can cause a sudden fall in neutrophils.[dailymed-clozapine]

On the page each marker becomes a numbered superscript link to the entry's numbered list
of sources, as in a well-referenced encyclopaedia: sources are numbered in the order the
page first cites them (summary, uses, mechanism note, advice, body), then any never cited.

This module only reads and renders text; which markers an entry may use (those of its
attached sources) is an editorial rule (`causes.rules.check_citations`).
"""

import re
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A marker: a source slug in square brackets, nothing else inside ("[clozapine-label]").
MARKER = re.compile(r"\[([a-z0-9]+(?:[-_][a-z0-9]+)*)\]")
# The texts that carry citations, per model, in the order a page shows them.
CITED_FIELDS = ("summary", "used_to_treat", "mechanism_note", "advice", "body", "explanation")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MARKER_AND_SPACE = re.compile(r"[ \t]*" + MARKER.pattern)


def cited_slugs(text: str) -> list[str]:
    """The slugs the text cites, in order of first citation, each once."""
    return list(dict.fromkeys(MARKER.findall(text or "")))


def without_markers(text: str) -> str:
    """The text as read aloud or measured for reading level: no citation markers."""
    return _MARKER_AND_SPACE.sub("", text or "")


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by a blank line), without empty ones."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


def texts_of(entry) -> list[str]:
    """The entry's cited texts, in page order."""
    return [getattr(entry, name) or "" for name in CITED_FIELDS if hasattr(entry, name)]


@dataclass(frozen=True)
class Numbered:
    number: int
    source: object  # a Source

    @property
    def anchor(self) -> str:
        return f"source-{self.number}"


def numbered_sources(entry, sources) -> list[Numbered]:
    """The entry's sources numbered in the order its texts first cite them, then the rest
    (by title), so the list under the text reads 1, 2, 3 as the reader meets them."""
    by_slug = {source.slug: source for source in sources}
    order = [slug for text in texts_of(entry) for slug in cited_slugs(text) if slug in by_slug]
    first = list(dict.fromkeys(order))
    rest = sorted((s for s in sources if s.slug not in first), key=lambda s: s.title.casefold())
    ordered = [by_slug[slug] for slug in first] + rest
    return [Numbered(i, source) for i, source in enumerate(ordered, 1)]


def numbered_for(entry) -> list[Numbered]:
    """`numbered_sources` of the entry's (prefetched) sources, worked out once per entry
    object: the page's citations, its source list and its structured data share it."""
    numbered = getattr(entry, "_numbered_sources", None)
    if numbered is None:
        numbered = numbered_sources(entry, list(entry.sources.all()))
        entry._numbered_sources = numbered
    return numbered


def _marker_html(slug: str, numbers: dict[str, int]) -> str:
    number = numbers.get(slug)
    if number is None:  # not attached (only a draft can hold one): shown as nothing
        return ""
    return format_html(
        '<sup class="citation"><a href="#source-{0}" aria-label="source {0}">[{0}]</a></sup>',
        number,
    )


def render_paragraph(text: str, numbers: dict[str, int]) -> SafeString:
    """One paragraph, escaped, each marker a numbered link."""
    out, last = [], 0
    for match in MARKER.finditer(text):
        out.append(conditional_escape(text[last : match.start()].rstrip(" ")))
        out.append(_marker_html(match.group(1), numbers))
        last = match.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every part above is escaped)


def render(text: str, numbers: dict[str, int], *, tag: str = "p", css: str = "") -> SafeString:
    """The text as HTML paragraphs (a blank line separates them), markers as links;
    single line breaks inside a paragraph become <br>."""
    attrs = format_html(' class="{}"', css) if css else ""
    html = [
        format_html(
            "<{0}{1}>{2}</{0}>",
            mark_safe(tag),  # noqa: S308 (a fixed tag name from the template)
            attrs,
            mark_safe(render_paragraph(p, numbers).replace("\n", "<br>")),  # noqa: S308
        )
        for p in paragraphs(text)
    ]
    return mark_safe("\n".join(html))  # noqa: S308 (each paragraph escaped above)


@dataclass(frozen=True)
class CitationProblems:
    unknown: list[str]  # markers naming no attached source: refused on save
    uncited: list[str]  # attached sources no text cites: a warning
    bare_paragraphs: int  # paragraphs without any marker: a warning (a test, for content)


def problems(texts: list[str], attached_slugs: list[str]) -> CitationProblems:
    attached = set(attached_slugs)
    cited = [slug for text in texts for slug in cited_slugs(text)]
    return CitationProblems(
        unknown=list(dict.fromkeys(s for s in cited if s not in attached)),
        uncited=sorted(attached - set(cited)),
        bare_paragraphs=sum(1 for t in texts for p in paragraphs(t) if not MARKER.search(p)),
    )
