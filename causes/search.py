"""Read side of search: one function, `search_entries()`, used by the site and the admin.

Step by step:
1. Normalise the query as the index was normalised (`causes.text.normalize`).
2. Fetch candidate index rows from the database, with the same three rules on every
   database (vendor SQL lives in `_CandidateQueries`):
   - names that start with the query (B-tree index on `compact`);
   - names that contain a piece of the query (SQLite FTS5 trigram table, PostgreSQL
     pg_trgm GIN index); pieces are cut so that one or two typos leave one piece whole;
   - summaries that contain every word of the query as a word prefix (SQLite FTS5,
     PostgreSQL full-text search).
3. Rank the candidates in Python, the same code on both databases:
   exact name > exact alias or brand name > prefix > typo (fuzzy) > summary words,
   then by closeness, then by title, so both databases give the same order.
4. If the query is itself a drug name (the site's own, or one the drug dictionary
   knows, `causes.drug_dictionary`), never offer a different drug as a close spelling
   or a "did you mean". A dictionary name of a listed drug puts that drug first; a
   dictionary name of a drug this reference does not list is named as such.
"""

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from causes import drug_dictionary
from causes.drug_dictionary import DictionaryEntry
from causes.models import AliasKind, MatchField, SearchEntry, TargetKind
from causes.text import STOPWORDS, compact, normalize

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 200
CANDIDATE_LIMIT = 200

# Tiers, best first.
EXACT_NAME, EXACT_ALIAS, PREFIX, FUZZY, SUMMARY = range(5)
TIER_LABELS = {
    EXACT_NAME: "name",
    EXACT_ALIAS: "other name",
    PREFIX: "starts with",
    FUZZY: "close spelling",
    SUMMARY: "mentioned in the text",
}
KIND_ORDER = {kind: i for i, kind in enumerate(TargetKind.values)}


def allowed_typos(length: int) -> int:
    """One typo in words of 4 to 6 letters, two in longer ones, none in shorter ones."""
    if length < 4:
        return 0
    return 1 if length <= 6 else 2


@dataclass(frozen=True)
class Query:
    text: str
    norm: str
    compact: str
    words: tuple[str, ...]
    content_words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "Query":
        norm = normalize(text[: MAX_QUERY_LENGTH * 2])
        words = tuple(norm.split())
        content = tuple(w for w in words if w not in STOPWORDS and len(w) >= 2)
        return cls(text, norm, compact(norm), words, content)

    def substring_pieces(self) -> list[str]:
        """Pieces of the query of 3+ letters such that a typo or two leaves one intact."""
        n = len(self.compact)
        if n < 3:
            return []
        if n <= 6:
            # Too short to cut into two intact pieces: its first and its last three letters
            # (one typo leaves at least one whole unless it falls where they overlap).
            pieces = {self.compact[:3], self.compact[-3:]}
            pieces.update(w for w in self.words if len(w) >= 3)
            return sorted(p for p in pieces if not any(o != p and o in p for o in pieces))
        parts = allowed_typos(n) + 1
        while parts > 1 and n // parts < 3:
            parts -= 1
        size = n // parts
        pieces = {
            self.compact[i * size : (i + 1) * size if i < parts - 1 else n] for i in range(parts)
        }
        pieces.update(w for w in self.words if len(w) >= 3)
        # A piece that contains another finds nothing more; drop it.
        return sorted(p for p in pieces if not any(o != p and o in p for o in pieces))


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
    highlighted_term: SafeString = mark_safe("")
    snippet: SafeString = mark_safe("")
    matched_words: list[str] = field(default_factory=list)

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


@dataclass
class SearchOutcome:
    query: Query
    results: list[Result]
    suggestion: str = ""
    # A medicine the dictionary knows by this name that no entry here lists.
    unlisted_drug: DictionaryEntry | None = None

    @property
    def unlisted_drug_is_generic(self) -> bool:
        """True if the visitor typed the medicine's own name ('dapsone'), not another."""
        return self.unlisted_drug is not None and compact(normalize(self.unlisted_drug.name)) == (
            self.query.compact
        )


# --- candidates -------------------------------------------------------------------


class _CandidateQueries(ABC):
    """The three candidate rules in each database's SQL; same rules, same rows."""

    columns = (
        "e.id, e.target_kind, e.target_id, e.field, e.alias_kind, e.term, e.norm, "
        "e.compact, e.title, e.url, e.description, e.context"
    )
    table = SearchEntry._meta.db_table

    @abstractmethod
    def prefix(self, query: Query) -> tuple[str, list]:
        """SQL and parameters for this rule."""

    @abstractmethod
    def substring(self, query: Query, pieces: list[str]) -> tuple[str, list]:
        """SQL and parameters for this rule."""

    @abstractmethod
    def summary(self, query: Query) -> tuple[str, list]:
        """SQL and parameters for this rule."""


class _SQLiteQueries(_CandidateQueries):
    def prefix(self, query):
        # GLOB is case-sensitive, so SQLite can use the B-tree index on compact;
        # normalised text holds only [a-z0-9], so nothing needs escaping.
        sql = (
            f"SELECT {self.columns} FROM {self.table} e WHERE e.compact GLOB %s "
            "ORDER BY length(e.compact), e.compact LIMIT %s"
        )
        return sql, [query.compact + "*", CANDIDATE_LIMIT]

    def substring(self, query, pieces):
        match = " OR ".join(f'"{p}"' for p in pieces)
        sql = (
            f"SELECT {self.columns} FROM {self.table} e JOIN ("
            f"  SELECT rowid, rank FROM {self.table}_trgm WHERE {self.table}_trgm MATCH %s"
            "  ORDER BY rank LIMIT %s"
            ") t ON t.rowid = e.id"
        )
        return sql, [match, CANDIDATE_LIMIT]

    def summary(self, query):
        match = " AND ".join(f'"{w}"*' for w in query.content_words)
        sql = (
            f"SELECT {self.columns} FROM {self.table} e JOIN ("
            f"  SELECT rowid, rank FROM {self.table}_words WHERE {self.table}_words MATCH %s"
            "  ORDER BY rank LIMIT %s"
            ") t ON t.rowid = e.id"
        )
        return sql, [match, CANDIDATE_LIMIT]


class _PostgreSQLQueries(_CandidateQueries):
    def prefix(self, query):
        sql = (
            f"SELECT {self.columns} FROM {self.table} e WHERE e.compact LIKE %s "
            'ORDER BY length(e.compact), e.compact COLLATE "C" LIMIT %s'
        )
        return sql, [query.compact + "%", CANDIDATE_LIMIT]

    def substring(self, query, pieces):
        # Rows matching more pieces first (as FTS5's rank does); cheap boolean sums rather
        # than a trigram similarity computed for every match.
        likes = " OR ".join("e.compact LIKE %s" for _ in pieces)
        matched = " + ".join("(e.compact LIKE %s)::int" for _ in pieces)
        patterns = [f"%{p}%" for p in pieces]
        sql = (
            f"SELECT {self.columns} FROM {self.table} e "
            f"WHERE e.field <> 'summary' AND ({likes}) "
            f'ORDER BY {matched} DESC, length(e.compact), e.compact COLLATE "C" LIMIT %s'
        )
        return sql, patterns + patterns + [CANDIDATE_LIMIT]

    def summary(self, query):
        tsquery = " & ".join(f"{w}:*" for w in query.content_words)
        sql = (
            f"SELECT {self.columns} FROM {self.table} e "
            "WHERE e.field = 'summary' "
            "AND to_tsvector('simple', e.norm) @@ to_tsquery('simple', %s) "
            "ORDER BY length(e.norm), e.id LIMIT %s"
        )
        return sql, [tsquery, CANDIDATE_LIMIT]


def _vendor_queries() -> _CandidateQueries:
    return _PostgreSQLQueries() if connection.vendor == "postgresql" else _SQLiteQueries()


def _fetch(sql: str, params: list) -> list[SearchEntry]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [SearchEntry(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def candidates(query: Query) -> list[SearchEntry]:
    """Index rows worth ranking for this query, at most three queries."""
    if not query.compact:
        return []
    vendor = _vendor_queries()
    rows = _fetch(*vendor.prefix(query))
    pieces = query.substring_pieces()
    if pieces:
        rows += _fetch(*vendor.substring(query, pieces))
    if query.content_words:
        rows += _fetch(*vendor.summary(query))
    unique = {row.id: row for row in rows}
    return list(unique.values())


# --- ranking ----------------------------------------------------------------------


def _word_matches(q: str, word: str) -> int | None:
    """Typos between a query word and a word of a name, or None if they do not match.

    A query word matches a word that starts with it ("chemo" -> "chemotherapy"), or one
    a typo or two away, in full or in its first letters ("vancomicin", "methimazol").
    """
    if word.startswith(q):
        return 0
    limit = allowed_typos(len(q))
    if not limit:
        return None
    whole = OSA.distance(q, word, score_cutoff=limit)
    start = OSA.distance(q, word[: len(q)], score_cutoff=limit) if len(word) > len(q) else whole
    best = min(whole, start)
    return best if best <= limit else None


def _all_words_match(query: Query, words: list[str]) -> int | None:
    """Total typos if every query word matches some word of the name, else None."""
    total = 0
    for q in query.words:
        found = [d for w in words if (d := _word_matches(q, w)) is not None]
        if not found:
            return None
        total += min(found)
    return total


def _summary_match(query: Query, words: list[str]) -> tuple[int, float] | None:
    """Every content word of the query starts a word of the text; closer when the words
    stand together as a phrase, and when they come early in the text."""
    wanted = query.content_words
    if not wanted:
        return None
    firsts = []
    for q in wanted:
        positions = [i for i, w in enumerate(words) if w.startswith(q)]
        if not positions:
            return None
        firsts.append(positions[0])
    n = len(wanted)
    phrase = any(
        all(words[i + j].startswith(q) for j, q in enumerate(wanted))
        for i in range(len(words) - n + 1)
    )
    score = (0.5 if phrase and n > 1 else 0.0) + 0.5 / (1 + min(firsts) / 20)
    return SUMMARY, score


def classify(query: Query, row: SearchEntry) -> tuple[int, float] | None:
    """The tier and closeness (0..1, higher is closer) of one row, or None if no match."""
    if row.field == MatchField.SUMMARY:
        return _summary_match(query, row.norm.split())

    exact_tier = EXACT_NAME if row.field == MatchField.NAME else EXACT_ALIAS
    words = row.norm.split()
    if row.compact == query.compact or sorted(words) == sorted(query.words):
        return exact_tier, 1.0
    if row.compact.startswith(query.compact) or all(
        any(w.startswith(q) for w in words) for q in query.words
    ):
        return PREFIX, len(query.compact) / max(len(row.compact), 1)

    typos = _all_words_match(query, words)
    limit = allowed_typos(len(query.compact))
    if limit:
        whole = OSA.distance(query.compact, row.compact, score_cutoff=limit)
        start = OSA.distance(query.compact, row.compact[: len(query.compact)], score_cutoff=limit)
        best = min(whole, start)
        if best <= limit:
            typos = best if typos is None else min(typos, best)
    if typos is None:
        return None
    return FUZZY, 1 - typos / max(len(query.compact), 1)


def _matched_word(query: Query, word_norm: str) -> bool:
    return any(_word_matches(q, word_norm) is not None for q in query.words)


_WORD = re.compile(r"\w+(?:['’]\w+)?")


def highlight(text: str, query: Query, whole: bool = False) -> SafeString:
    """The text, escaped, with the words that matched the query inside <mark>."""
    if whole:
        return format_html("<mark>{}</mark>", text)
    out, last = [], 0
    for m in _WORD.finditer(text):
        norm = normalize(m.group())
        if norm and _matched_word(query, compact(norm)):
            out.append(conditional_escape(text[last : m.start()]))
            out.append(format_html("<mark>{}</mark>", m.group()))
            last = m.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every part above is escaped)


def snippet(text: str, query: Query, width: int = 160) -> SafeString:
    """A window of the text around the first matching word, highlighted."""
    start = 0
    for m in _WORD.finditer(text):
        if any(compact(normalize(m.group())).startswith(q) for q in query.content_words):
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
    return format_html("{}{}{}", prefix, highlight(window, query), suffix)


def _entry_of(row: SearchEntry) -> dict:
    """What a result shows of the entry an index row points at."""
    return {
        "kind": row.target_kind,
        "target_id": row.target_id,
        "title": row.title,
        "url": row.url,
        "description": row.description,
        "context": row.context,
    }


def _to_result(query: Query, row: SearchEntry, tier: int, score: float) -> Result:
    result = Result(
        **_entry_of(row),
        field=row.field,
        alias_kind=row.alias_kind,
        term=row.term,
        tier=tier,
        score=score,
    )
    if row.field == MatchField.SUMMARY:
        result.snippet = snippet(row.term, query)
        result.highlighted_term = mark_safe("")
    else:
        whole = row.compact == query.compact and " " not in row.norm
        result.highlighted_term = highlight(row.term, query, whole=whole)
    return result


def rank(query: Query, rows: list[SearchEntry]) -> list[Result]:
    """One result per entry, its best match first; ties broken by kind and title."""
    best: dict[tuple[str, int], tuple[tuple, SearchEntry, int, float]] = {}
    for row in rows:
        match = classify(query, row)
        if match is None:
            continue
        tier, score = match
        # Within one entry, its own name beats an alias or brand of the same tier.
        key = (tier, MatchField.values.index(row.field), -score, row.term.casefold())
        target = (row.target_kind, row.target_id)
        if target not in best or key < best[target][0]:
            best[target] = (key, row, tier, score)
    ordered = sorted(
        best.values(),
        key=lambda b: (b[2], -round(b[3], 6), KIND_ORDER[b[1].target_kind], b[1].title.casefold()),
    )
    return [_to_result(query, row, tier, score) for _, row, tier, score in ordered[:MAX_RESULTS]]


def suggest_spelling(query: Query, rows: list[SearchEntry], results: list[Result]) -> str:
    """The site's own name closest to the query, when the query itself found little."""
    if any(r.tier <= FUZZY for r in results) or len(query.compact) < 3:
        return ""
    scored = [
        (fuzz.ratio(query.compact, row.compact), row.term)
        for row in rows
        if row.field != MatchField.SUMMARY and row.compact != query.compact
    ]
    scored = [s for s in scored if s[0] >= 75]
    if not scored:
        return ""
    return min(scored, key=lambda s: (-s[0], s[1].casefold()))[1]


def _listed_drug(entry: DictionaryEntry) -> SearchEntry | None:
    """A row of the drug entry that goes by one of this medicine's names, if any."""
    return (
        SearchEntry.objects.filter(
            target_kind=TargetKind.DRUG,
            field__in=[MatchField.NAME, MatchField.BRAND],
            compact__in=drug_dictionary.name_keys(entry),
        )
        .order_by("title", "target_id")
        .first()
    )


def _dictionary_result(query: Query, row: SearchEntry) -> Result:
    """The listed drug, found by another name of it that the dictionary knows."""
    term = query.text.strip()
    return Result(
        **_entry_of(row),
        field=MatchField.ALIAS,
        alias_kind="",
        term=term,
        tier=EXACT_ALIAS,
        score=1.0,
        highlighted_term=format_html("<mark>{}</mark>", term),
    )


def search_entries(text: str) -> SearchOutcome:
    """Search everything a visitor may type; see the module docstring for the steps."""
    query = Query.parse(text or "")
    rows = candidates(query)
    results = rank(query, rows)
    site_name = any(r.tier <= EXACT_ALIAS for r in results)
    in_dictionary = bool(query.compact) and drug_dictionary.is_known_drug_name(query.norm)
    if not in_dictionary and not any(
        r.tier <= EXACT_ALIAS and r.kind == TargetKind.DRUG for r in results
    ):
        return SearchOutcome(query, results, suggest_spelling(query, rows, results))

    # A drug name: only the drug it names may be offered for a close spelling.
    entry = drug_dictionary.lookup(query.norm) if in_dictionary and not site_name else None
    listed = _listed_drug(entry) if entry else None
    named = (listed.target_kind, listed.target_id) if listed else None
    results = [r for r in results if r.tier != FUZZY or (r.kind, r.target_id) == named]
    if listed:
        own = [r for r in results if (r.kind, r.target_id) == named]
        others = [r for r in results if (r.kind, r.target_id) != named]
        results = (own or [_dictionary_result(query, listed)]) + others
    unlisted = (
        entry if entry and not listed and not any(r.tier <= PREFIX for r in results) else None
    )
    return SearchOutcome(query, results, unlisted_drug=unlisted)
