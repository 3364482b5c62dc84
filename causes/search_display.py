"""How a search result is shown: its wording ("brand name of Clozapine") and the HTML of
highlighted names and text snippets. The search itself (`causes.search`) finds and ranks
index rows; this module only presents them.

Every piece of HTML built here escapes the text it wraps.
"""

import re
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from causes.models import AliasKind, MatchField, SearchEntry, TargetKind
from causes.text import compact, normalize, word_matches

# Why a result matched, best first; the search ranks by these tiers.
EXACT_NAME, EXACT_ALIAS, PREFIX, FUZZY, SOME_WORDS, USES, SUMMARY = range(7)
TIER_LABELS = {
    EXACT_NAME: "name",
    EXACT_ALIAS: "other name",
    PREFIX: "starts with",
    FUZZY: "close spelling",
    SOME_WORDS: "some words of the name",
    USES: "what it is used to treat",
    SUMMARY: "mentioned in the text",
}
TEXT_FIELDS = (MatchField.SUMMARY, MatchField.USES)


@dataclass
class Result:
    """One entry found, with the best reason it matched."""

    kind: str
    target_id: int
    title: str
    url: str
    description: str
    context: str
    field: str
    alias_kind: str
    term: str
    tier: int
    score: float
    # What the entry is used to treat matched the query too.
    treats: bool = False
    # The query words to mark, and the query without spaces (a one-word name equal to it
    # is marked whole). The HTML is made when a page shows the result, not for every one.
    marks: tuple[str, ...] = ()
    whole_query: str = ""
    marked_term: SafeString | None = None

    @property
    def highlighted_term(self) -> SafeString:
        """The name that matched, escaped, the words of the query marked."""
        if self.marked_term is None:
            if self.field in TEXT_FIELDS:
                self.marked_term = mark_safe("")
            else:
                norm = normalize(self.term)
                whole = compact(norm) == self.whole_query and " " not in norm
                self.marked_term = highlight(self.term, self.marks, whole=whole)
        return self.marked_term

    @property
    def snippet(self) -> SafeString:
        """For a text that matched: a window of it around the query's words, marked."""
        if self.field not in TEXT_FIELDS:
            return mark_safe("")
        return snippet(self.term, tuple(w for w in self.marks if len(w) >= 2))

    @property
    def kind_label(self) -> str:
        return TargetKind(self.kind).label

    @property
    def reason(self) -> str:
        """Why it matched, in words: 'brand name', 'abbreviation', 'name' ..."""
        if self.field == MatchField.BRAND:
            return "brand name"
        if self.field == MatchField.ALIAS:
            try:
                return AliasKind(self.alias_kind).label.lower()
            except ValueError:
                return "other name"
        if self.field == MatchField.USES:
            return "used to treat"
        if self.field == MatchField.SUMMARY:
            return "mentioned in the text"
        return "name"

    @property
    def description_phrase(self) -> str:
        """'an atypical antipsychotic': the description read as a phrase after a name."""
        if self.kind != TargetKind.DRUG or not self.description:
            return self.description
        article = "an" if self.description[0].lower() in "aeiou" else "a"
        return f"{article} {self.description}"

    @property
    def suggestion_text(self) -> str:
        """One line for a suggestion list: 'brand name of Clozapine, an atypical antipsychotic'."""
        if self.field == MatchField.BRAND:
            return f"brand name of {self.title}, {self.description_phrase}"
        if self.field == MatchField.ALIAS:
            return f"{self.reason} for {self.title}"
        return " · ".join(p for p in [self.kind_label, self.description] if p)

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]


_WORD = re.compile(r"\w+(?:['’]\w+)?")


def highlight(text: str, words: tuple[str, ...], whole: bool = False) -> SafeString:
    """The text, escaped, with the words that match a query word inside <mark>."""
    if whole:
        return format_html("<mark>{}</mark>", text)
    out, last = [], 0
    for m in _WORD.finditer(text):
        norm = compact(normalize(m.group()))
        if norm and any(word_matches(q, norm) is not None for q in words):
            out.append(conditional_escape(text[last : m.start()]))
            out.append(format_html("<mark>{}</mark>", m.group()))
            last = m.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every part above is escaped)


def snippet(text: str, words: tuple[str, ...], width: int = 160) -> SafeString:
    """A window of the text around the first word that starts with a query word."""
    start = 0
    for m in _WORD.finditer(text):
        if compact(normalize(m.group())).startswith(words):  # (a tuple: any of them)
            start = m.start()
            break
    if start > width // 3:
        cut = text.rfind(" ", 0, start - width // 3)
        begin = cut + 1 if cut >= 0 else 0
    else:
        begin = 0
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    window = text[begin:end]
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    return format_html("{}{}{}", prefix, highlight(window, words), suffix)


def entry_of(row: SearchEntry) -> dict:
    """What a result shows of the entry an index row points at."""
    return {
        "kind": row.target_kind,
        "target_id": row.target_id,
        "title": row.title,
        "url": row.url,
        "description": row.description,
        "context": row.context,
    }


def present(row: SearchEntry, tier: int, score: float, words: tuple[str, ...], whole: str):
    """The result for an entry found through this row of the index.

    `words` are the query words to mark; `whole` is the query without spaces: a one-word
    name that equals it is marked as a whole.
    """
    return Result(
        **entry_of(row),
        field=row.field,
        alias_kind=row.alias_kind,
        term=row.term,
        tier=tier,
        score=score,
        marks=words,
        whole_query=whole,
    )


def named_by(row: SearchEntry, term: str) -> Result:
    """The listed drug, found by another name of it that only the drug dictionary knows."""
    return Result(
        **entry_of(row),
        field=MatchField.ALIAS,
        alias_kind="",
        term=term,
        tier=EXACT_ALIAS,
        score=1.0,
        marked_term=format_html("<mark>{}</mark>", term),
    )
