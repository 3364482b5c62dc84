"""Read side of search: one function, `search_entries()`, used by the site and the admin.

Step by step:
1. Parse the query (`Query.parse`): normalise it as the index was normalised
   (`causes.text.normalize`), then sort its words (`causes.query_words`) into noise
   (question words, doses, "side effects", "tablets" …), general words (neutrophils,
   blood …) and specific words (a drug, a condition).
2. Search the whole query as a name (`_search_name`), as the site always has:
   - candidates: names that start with the query (B-tree index on `compact`); names that
     contain a piece of it (SQLite FTS5 trigram table, PostgreSQL pg_trgm), pieces cut so
     that one or two typos leave one whole; texts (summaries, what a drug is used to treat)
     holding every word of it as a word prefix (SQLite FTS5, PostgreSQL full-text search);
   - ranking in Python, the same code on both databases: exact name > exact other name or
     brand > prefix > typo > what it is used to treat > mentioned in the text; then by
     closeness, kind and title, so both databases give the same order.
   A query that names an entry this way is answered here: single names rank as always.
   The candidates of the whole query and of its meaningful words (step 3) are read in one
   statement, a UNION of the candidate queries (`_fetch`); the whole query's texts only
   when they can matter (see `search_entries`).
3. Otherwise, if the query has words that carry no meaning here, search its meaningful
   words as a name the same way ("valcyte 450 mg" is "valcyte"). When the visitor asks for
   a treatment ("rheumatoid arthritis medication"), entries used to treat those words rank
   above the entry named after them.
4. Otherwise, a phrase of several meaningful words (`_search_phrase`): entries matching any
   specific word are candidates, ranked by how many specific words they match, then where
   (a name > what it treats > the text), then by the general words.
5. Drug names, at steps 2 and 3: if the name searched is itself a drug name (the site's own,
   or one the drug dictionary knows, `causes.drug_dictionary`), never offer a different
   drug as a close spelling or a "did you mean". A dictionary name of a listed drug puts
   that drug first; a dictionary name of a drug this reference does not list is named as
   such.

Results are presented (wording, highlights, snippets) by `causes.search_display`.
"""

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from causes import drug_dictionary
from causes.drug_dictionary import DictionaryEntry
from causes.models import AliasKind, MatchField, SearchEntry, TargetKind
from causes.query_words import GENERAL_WORDS, INTENT_WORDS, is_noise
from causes.search_display import (
    EXACT_ALIAS,
    EXACT_NAME,
    FUZZY,
    PREFIX,
    SOME_WORDS,
    SUMMARY,
    TEXT_FIELDS,
    USES,
    Result,
    named_by,
    present,
)
from causes.text import STOPWORDS, allowed_typos, compact, normalize, word_matches

__all__ = [
    "EXACT_ALIAS",
    "EXACT_NAME",
    "FUZZY",
    "PREFIX",
    "SOME_WORDS",
    "SUMMARY",
    "USES",
    "MAX_QUERY_LENGTH",
    "Query",
    "Result",
    "SearchOutcome",
    "search_entries",
]

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 200
CANDIDATE_LIMIT = 200
# Entries a phrase is scored on in full (each brings all its index rows).
PHRASE_ENTRIES = 60
KIND_ORDER = {kind: i for i, kind in enumerate(TargetKind.values)}
FIELD_ORDER = {field: i for i, field in enumerate(MatchField.values)}
NAME_FIELDS = (MatchField.NAME, MatchField.ALIAS, MatchField.BRAND)


# --- the query ------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    norm: str
    compact: str
    words: tuple[str, ...]
    # Words that must be found in a text for it to match (no stop words, two letters+).
    content_words: tuple[str, ...]
    # The words that carry meaning here, and the query as a visitor typed them.
    specific: tuple[str, ...] = ()
    general: tuple[str, ...] = ()
    core_text: str = ""
    wants_treatment: bool = False

    @classmethod
    def parse(cls, text: str) -> "Query":
        text = text[: MAX_QUERY_LENGTH * 2]
        norm = normalize(text)
        words = tuple(norm.split())
        content = tuple(w for w in words if w not in STOPWORDS and len(w) >= 2)
        specific = tuple(w for w in words if not is_noise(w) and w not in GENERAL_WORDS)
        general = tuple(w for w in words if w in GENERAL_WORDS)
        if not specific:
            # "Which drugs cause agranulocytosis": asking for medicines, of no one condition.
            specific = tuple(w for w in words if w in INTENT_WORDS)
        kept = set(specific or general)
        core = " ".join(t for t in text.split() if set(normalize(t).split()) & kept)
        return cls(
            text,
            norm,
            compact(norm),
            words,
            content,
            specific,
            general,
            core.strip(" ,.;:?!"),
            any(w in INTENT_WORDS for w in words),
        )

    @property
    def core(self) -> "Query":
        """The query without the words that carry no meaning (itself if none are dropped)."""
        if not self.core_text or normalize(self.core_text) == self.norm:
            return self
        return Query.parse(self.core_text)

    def substring_pieces(self) -> list[str]:
        """Pieces of the query of 3+ letters such that a typo or two leaves one intact."""
        n = len(self.compact)
        if n < 3:
            return []
        if n <= 6:
            # Too short to cut into two intact pieces: its first and its last three letters
            # (one typo leaves at least one whole unless it falls where they overlap).
            pieces = {self.compact[:3], self.compact[-3:]}
        else:
            parts = allowed_typos(n) + 1
            while parts > 1 and n // parts < 3:
                parts -= 1
            size = n // parts
            pieces = {
                self.compact[i * size : (i + 1) * size if i < parts - 1 else n]
                for i in range(parts)
            }
        pieces.update(w for w in self.words if len(w) >= 3)
        # A piece that contains another finds nothing more; drop it.
        return sorted(p for p in pieces if not any(o != p and o in p for o in pieces))


@dataclass
class SearchOutcome:
    query: Query
    results: list[Result]
    suggestion: str = ""
    # A medicine the dictionary knows by this name that no entry here lists.
    unlisted_drug: DictionaryEntry | None = None
    # The part of the query taken as a name ("Tegretol" of "Tegretol 200 mg").
    name: str = ""
    # Other medicines the dictionary gives this name, besides the listed one found.
    also_names: list[DictionaryEntry] = field(default_factory=list)

    @property
    def unlisted_drug_is_generic(self) -> bool:
        """True if the visitor typed the medicine's own name ('dapsone'), not another."""
        return self.unlisted_drug is not None and compact(normalize(self.unlisted_drug.name)) == (
            compact(normalize(self.name or self.query.text))
        )

    @property
    def found_by_name(self) -> bool:
        return any(r.tier <= FUZZY for r in self.results)


# --- candidates -------------------------------------------------------------------


class _CandidateQueries(ABC):
    """The candidate rules in each database's SQL; same rules, same rows."""

    table = SearchEntry._meta.db_table

    @functools.cached_property
    def columns(self) -> str:
        """The model's columns (a table may hold more: PostgreSQL's stored words)."""
        quote = connection.ops.quote_name
        return ", ".join(f"e.{quote(f.column)}" for f in SearchEntry._meta.concrete_fields)

    @abstractmethod
    def prefix(self, query: Query) -> tuple[str, list]:
        """Names that start with the whole query."""

    @abstractmethod
    def substring(self, pieces: list[str]) -> tuple[str, list]:
        """Names that contain any of the pieces, those with most pieces first."""

    @abstractmethod
    def texts(self, words: tuple[str, ...], every: bool) -> tuple[str, list]:
        """Texts holding every (or any) of the words as a word prefix."""


class _SQLiteQueries(_CandidateQueries):
    def prefix(self, query):
        # Names that start with the query, as a range of the B-tree index on compact:
        # normalised text holds only [a-z0-9], and "{" sorts after all of them. (A bound
        # GLOB pattern, which the index can serve too, makes SQLite prepare the statement
        # again on every run: 29 µs against 9.)
        sql = (
            f"SELECT {self.columns} FROM {self.table} e WHERE e.compact >= %s "
            "AND e.compact < %s ORDER BY length(e.compact), e.compact LIMIT %s"
        )
        return sql, [query.compact, query.compact + "{", CANDIDATE_LIMIT]

    def substring(self, pieces):
        match = " OR ".join(f'"{p}"' for p in pieces)
        return self._fts("trgm", match)

    def texts(self, words, every):
        match = (" AND " if every else " OR ").join(f'"{w}"*' for w in words)
        return self._fts("words", match)

    def _fts(self, kind, match):
        sql = (
            f"SELECT {self.columns} FROM {self.table} e JOIN ("
            f"  SELECT rowid, rank FROM {self.table}_{kind} WHERE {self.table}_{kind} MATCH %s"
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

    def substring(self, pieces):
        # Rows matching more pieces first (as FTS5's rank does); cheap boolean sums rather
        # than a trigram similarity computed for every match.
        likes = " OR ".join("e.compact LIKE %s" for _ in pieces)
        matched = " + ".join("(e.compact LIKE %s)::int" for _ in pieces)
        patterns = [f"%{p}%" for p in pieces]
        sql = (
            f"SELECT {self.columns} FROM {self.table} e "
            f"WHERE e.field NOT IN ('summary', 'uses') AND ({likes}) "
            f'ORDER BY {matched} DESC, length(e.compact), e.compact COLLATE "C" LIMIT %s'
        )
        return sql, patterns + patterns + [CANDIDATE_LIMIT]

    def texts(self, words, every):
        tsquery = (" & " if every else " | ").join(f"{w}:*" for w in words)
        sql = (
            f"SELECT {self.columns} FROM {self.table} e "
            "WHERE e.field IN ('summary', 'uses') "
            "AND e.norm_words @@ to_tsquery('simple', %s) "
            "ORDER BY length(e.norm), e.id LIMIT %s"
        )
        return sql, [tsquery, CANDIDATE_LIMIT]


_VENDOR_QUERIES = {"postgresql": _PostgreSQLQueries(), "sqlite": _SQLiteQueries()}


def _vendor_queries() -> _CandidateQueries:
    return _VENDOR_QUERIES[connection.vendor]


Part = tuple[str, list]  # one candidate query: its SQL and parameters


def _fetch(parts: list[Part]) -> list[list[SearchEntry]]:
    """The rows of each candidate query, all read in one statement (one round trip)."""
    if not parts:
        return []
    # Each part is wrapped as a subquery, so its own ORDER BY and LIMIT keep their meaning.
    sql = " UNION ALL ".join(
        f"SELECT p{i}.*, {i} AS part FROM ({part_sql}) p{i}"
        for i, (part_sql, _) in enumerate(parts)
    )
    params = [param for _, part_params in parts for param in part_params]
    fetched: list[list[SearchEntry]] = [[] for _ in parts]
    for row in SearchEntry.objects.raw(sql, params):
        fetched[row.part].append(row)
    return fetched


def _unique(rows: list[SearchEntry]) -> list[SearchEntry]:
    return list({row.id: row for row in rows}.values())


def _joined(fetched: list[list[SearchEntry]]) -> list[SearchEntry]:
    return _unique([row for rows in fetched for row in rows])


def name_parts(query: Query, texts: bool = True) -> list[Part]:
    """The candidate queries for the whole query as a name: names that start with it,
    names that hold a piece of it and, with `texts`, texts that hold all its words."""
    if not query.compact:
        return []
    vendor = _vendor_queries()
    parts = [vendor.prefix(query)]
    if pieces := query.substring_pieces():
        parts.append(vendor.substring(pieces))
    if texts:
        parts += text_parts(query)
    return parts


def text_parts(query: Query) -> list[Part]:
    """Texts holding every content word of the query (no query without such words)."""
    if not query.content_words:
        return []
    return [_vendor_queries().texts(query.content_words, every=True)]


def name_candidates(query: Query, texts: bool = True) -> list[SearchEntry]:
    """Index rows worth ranking for the whole query as a name, in one statement."""
    return _joined(_fetch(name_parts(query, texts)))


def phrase_candidates(query: Query) -> list[SearchEntry]:
    """Every index row of the entries that match any specific word (two statements)."""
    vendor = _vendor_queries()
    pieces = sorted({p for w in query.specific for p in Query.parse(w).substring_pieces()})
    parts = [vendor.substring(pieces)] if pieces else []
    text_words = tuple(w for w in query.specific if len(w) >= 2)
    if text_words:
        parts.append(vendor.texts(text_words, every=False))
    targets: dict[str, set[int]] = {}
    for row in _preselect(query, _joined(_fetch(parts))):
        targets.setdefault(row.target_kind, set()).add(row.target_id)
    if not targets:
        return []
    where = Q()
    for kind, ids in targets.items():
        where |= Q(target_kind=kind, target_id__in=ids)
    return list(SearchEntry.objects.filter(where).order_by())  # (no sort: see _listed_drug)


def _preselect(query: Query, rows: list[SearchEntry]) -> list[SearchEntry]:
    """The rows of the PHRASE_ENTRIES entries that match most specific words."""
    by_entry: dict[tuple, list[SearchEntry]] = {}
    for row in rows:
        by_entry.setdefault((row.target_kind, row.target_id), []).append(row)
    scored = sorted(
        by_entry.items(),
        key=lambda item: (_phrase_key(query, item[1]), item[1][0].title.casefold()),
    )
    return [row for _, entry_rows in scored[:PHRASE_ENTRIES] for row in entry_rows]


# --- ranking a name ---------------------------------------------------------------


def _all_words_match(query: Query, words: list[str]) -> int | None:
    """Total typos if every query word matches some word of the name, else None."""
    total = 0
    for q in query.words:
        found = [d for w in words if (d := word_matches(q, w)) is not None]
        if not found:
            return None
        total += min(found)
    return total


def _text_match(query: Query, row: SearchEntry) -> tuple[int, float] | None:
    """Every content word of the query starts a word of the text; closer when the words
    stand together as a phrase, and when they come early in the text."""
    wanted = query.content_words
    if not wanted:
        return None
    words = row.norm.split()
    firsts = []
    for q in wanted:
        first = next((i for i, w in enumerate(words) if w.startswith(q)), None)
        if first is None:
            return None
        firsts.append(first)
    n = len(wanted)
    # A phrase: the query's words in order, from some word that starts with the first.
    phrase = n > 1 and any(
        words[i].startswith(wanted[0])
        and all(words[i + j].startswith(q) for j, q in enumerate(wanted[1:], 1))
        for i in range(firsts[0], len(words) - n + 1)
    )
    score = (0.5 if phrase else 0.0) + 0.5 / (1 + min(firsts) / 20)
    return (USES if row.field == MatchField.USES else SUMMARY), score


def classify(query: Query, row: SearchEntry) -> tuple[int, float] | None:
    """The tier and closeness (0..1, higher is closer) of one row, or None if no match."""
    if row.field in TEXT_FIELDS:
        return _text_match(query, row)

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


def _best_per_entry(matches) -> list[tuple[SearchEntry, int, float]]:
    """One (row, tier, score) per entry, its best match, from (row, tier, score) triples."""
    best: dict[tuple[str, int], tuple[tuple, SearchEntry, int, float]] = {}
    for row, tier, score in matches:
        # Within one entry, its own name beats an alias or brand of the same tier.
        key = (tier, FIELD_ORDER[row.field], -score, row.term.casefold())
        target = (row.target_kind, row.target_id)
        if target not in best or key < best[target][0]:
            best[target] = (key, row, tier, score)
    return [(row, tier, score) for _, row, tier, score in best.values()]


def _order(entry: tuple[SearchEntry, int, float]) -> tuple:
    row, tier, score = entry
    # A related term (febrile neutropenia of chemotherapy) never outranks an entry that
    # is itself named so: within a tier, names and true other names come first.
    related = row.alias_kind == AliasKind.RELATED
    return (tier, related, -round(score, 6), KIND_ORDER[row.target_kind], row.title.casefold())


def rank(query: Query, rows: list[SearchEntry]) -> list[Result]:
    """One result per entry, its best match first; ties broken by kind and title."""
    matches = [(row, *m) for row in rows if (m := classify(query, row)) is not None]
    treating = {(row.target_kind, row.target_id) for row, tier, _ in matches if tier == USES}
    ordered = sorted(_best_per_entry(matches), key=_order)[:MAX_RESULTS]
    results = [
        present(row, tier, score, query.words, query.compact) for row, tier, score in ordered
    ]
    for result in results:
        result.treats = (result.kind, result.target_id) in treating
    return results


def suggest_spelling(query: Query, rows: list[SearchEntry], results: list[Result]) -> str:
    """The site's own name closest to the query, when the query itself found little."""
    if any(r.tier <= FUZZY for r in results) or len(query.compact) < 3:
        return ""
    scored = [
        (fuzz.ratio(query.compact, row.compact), row.term)
        for row in rows
        if row.field in NAME_FIELDS and row.compact != query.compact
    ]
    scored = [s for s in scored if s[0] >= 75]
    if not scored:
        return ""
    return min(scored, key=lambda s: (-s[0], s[1].casefold()))[1]


# --- drug names -------------------------------------------------------------------


def _listed_drug(entry: DictionaryEntry) -> SearchEntry | None:
    """A row of the drug entry that goes by one of this medicine's names, if any.

    Rows are found by their names alone, so the database uses the index on `compact`
    (given the kind too, SQLite chose the index on kind, and read every drug's rows),
    and unsorted (sorted by id, PostgreSQL planned parallel workers, 8 ms to start).
    """
    rows = SearchEntry.objects.filter(compact__in=drug_dictionary.name_keys(entry)).order_by()
    drugs = [
        row
        for row in rows
        if row.target_kind == TargetKind.DRUG and row.field in (MatchField.NAME, MatchField.BRAND)
    ]
    return min(drugs, key=lambda row: (row.title, row.target_id), default=None)


def _guard_drug_name(query: Query, outcome: SearchOutcome) -> SearchOutcome:
    """If the query is a drug name, offer no other drug for a close spelling (step 5)."""
    results = outcome.results
    site_drug = [r for r in results if r.tier <= EXACT_ALIAS and r.kind == TargetKind.DRUG]
    known = drug_dictionary.lookup_all(query.norm) if query.compact else ()
    if not known and not site_drug:
        return outcome
    site_name = any(r.tier <= EXACT_ALIAS for r in results)
    entry = known[0] if len(known) == 1 and not site_name else None
    listed = _listed_drug(entry) if entry else None
    named = (listed.target_kind, listed.target_id) if listed else None
    # A close spelling of another entry, or the start of another drug's name ("procaina",
    # a name of procaine, starts "procainamide"), is never offered for a drug name.
    results = [
        r
        for r in results
        if (r.kind, r.target_id) == named
        or not (r.tier == FUZZY or (entry and r.tier == PREFIX and r.kind == TargetKind.DRUG))
    ]
    if listed:
        # Found by a close spelling of another of its names: say it is named so instead.
        own = [r for r in results if (r.kind, r.target_id) == named and r.tier <= PREFIX]
        others = [r for r in results if (r.kind, r.target_id) != named]
        results = (own or [named_by(listed, query.text.strip())]) + others
    # An entry whose name holds the medicine's name as whole words ("cocaine" and "cut
    # cocaine") is named by it; one that only shares letters ("vitamin d" and "Vitamin
    # deficiencies") is not, and the medicine is named as such.
    named_here = any(
        r.tier <= EXACT_ALIAS
        or (r.tier == PREFIX and set(query.words) <= set(normalize(r.term).split()))
        for r in results
    )
    unlisted = entry if entry and not listed and not named_here else None
    also = [e for e in known if site_name and not _names_site_drug(e, site_drug)]
    return SearchOutcome(
        outcome.query, results, unlisted_drug=unlisted, name=outcome.name, also_names=also
    )


def _names_site_drug(entry: DictionaryEntry, site_results: list[Result]) -> bool:
    """True if the dictionary medicine is the site drug the query named."""
    keys = set(drug_dictionary.name_keys(entry))
    return any(compact(normalize(r.title)) in keys for r in site_results)


def _search_name(query: Query, rows: list[SearchEntry]) -> SearchOutcome:
    """Steps 2 and 5: the whole query as a name, ranked among these candidate rows."""
    results = rank(query, rows)
    outcome = SearchOutcome(query, results, name=query.text.strip())
    guarded = _guard_drug_name(query, outcome)
    if guarded is outcome:
        outcome.suggestion = suggest_spelling(query, rows, results)
    return guarded


# --- ranking a phrase -------------------------------------------------------------

# Where a word of the query was found in an entry, best last.
IN_TEXT, IN_USES, IN_NAME = 1, 2, 3


def _place(word: str, row: SearchEntry, typos: bool) -> int:
    """Where (IN_NAME, IN_USES, IN_TEXT) this row holds the word, or 0."""
    words = row.norm.split()
    if row.field in NAME_FIELDS:
        # A word of one or two letters ("hepatitis c", "en") must be a whole word of the
        # name: as the start of a word it matches almost anything.
        if len(word) <= 2:
            return IN_NAME if word in words else 0
        # Typos only in words of five letters or more: in a phrase, a short word a letter
        # away ("diff", "duff") is more often another word than a typo.
        typos = typos and len(word) >= 5
        return IN_NAME if any(word_matches(word, w, typos) is not None for w in words) else 0
    if len(word) < 2:
        return 0
    if any(w.startswith(word) for w in words):
        return IN_USES if row.field == MatchField.USES else IN_TEXT
    return 0


def _weight(place: int, wants_treatment: bool) -> float:
    """A name counts most, unless the visitor asks for a treatment: then what it treats."""
    if wants_treatment and place == IN_USES:
        return 3.5
    return float(place)


@functools.lru_cache(maxsize=4096)
def _may_be_typo(word: str) -> bool:
    """A word that is itself a drug name is never read as a typo of another name."""
    return not drug_dictionary.is_known_drug_name(word)


def _coverage(words: tuple[str, ...], rows: list[SearchEntry], wants_treatment: bool) -> list:
    """The best weight of each word among one entry's rows (0 where it is not found)."""
    return [
        max((_weight(_place(w, row, _may_be_typo(w)), wants_treatment) for row in rows), default=0)
        for w in words
    ]


def _phrase_key(query: Query, rows: list[SearchEntry]) -> tuple:
    """Sort key of one entry for a phrase, best first."""
    specific = _coverage(query.specific, rows, query.wants_treatment)
    general = _coverage(query.general, rows, query.wants_treatment)
    return (
        -sum(1 for w in specific if w),
        -sum(specific),
        -sum(1 for w in general if w),
        -sum(general),
        KIND_ORDER[rows[0].target_kind],
    )


def _reason_row(query: Query, rows: list[SearchEntry]) -> tuple[SearchEntry, int, float]:
    """The row that best says why the entry matched the phrase, with its tier."""
    named = [
        r
        for r in rows
        if r.field in NAME_FIELDS and any(_place(w, r, True) for w in query.specific)
    ]
    if named:
        row = max(named, key=lambda r: sum(1 for w in query.specific if _place(w, r, True)))
        return row, SOME_WORDS, 0.0
    texts = [r for r in rows if r.field in TEXT_FIELDS]
    if query.wants_treatment:
        texts.sort(key=lambda r: r.field != MatchField.USES)
    for row in texts:
        if any(_place(w, row, False) for w in query.specific + query.general):
            return row, USES if row.field == MatchField.USES else SUMMARY, 0.0
    return rows[0], SUMMARY, 0.0


def _search_phrase(query: Query) -> SearchOutcome:
    """Step 4: a phrase of several meaningful words."""
    by_entry: dict[tuple, list[SearchEntry]] = {}
    for row in phrase_candidates(query):
        by_entry.setdefault((row.target_kind, row.target_id), []).append(row)
    scored = []
    for rows in by_entry.values():
        rows.sort(key=lambda r: r.id)
        key = _phrase_key(query, rows)
        if key[0] < 0:  # matches at least one specific word
            scored.append((key, rows[0].title.casefold(), rows))
    scored.sort(key=lambda s: s[:2])
    words = query.specific + query.general
    results = [
        present(*_reason_row(query, rows), words, query.compact)
        for _, _, rows in scored[:MAX_RESULTS]
    ]
    return SearchOutcome(query, results, name=query.text.strip())


def _names_a_drug(query: Query, outcome: SearchOutcome) -> bool:
    """'Methimazole tablets' asks about methimazole, not for what treats it."""
    by_name = [r for r in outcome.results if r.tier <= FUZZY]
    return bool(by_name and by_name[0].kind == TargetKind.DRUG) or (
        drug_dictionary.is_known_drug_name(query.norm)
    )


def _treatments_first(query: Query, outcome: SearchOutcome) -> SearchOutcome:
    """Entries used to treat what was asked come before the entry named after it, unless
    that entry's name holds the very words asked for ("medications for an overactive
    thyroid" is the group of those medicines)."""
    intent = [w for w in query.words if w in INTENT_WORDS]

    def named_with_intent(r: Result) -> bool:
        words = normalize(r.term).split()
        return r.tier <= PREFIX and all(any(w.startswith(i) for w in words) for i in intent)

    first = [r for r in outcome.results if named_with_intent(r)]
    treating = [r for r in outcome.results if r.treats and r not in first]
    others = [r for r in outcome.results if r not in first and r not in treating]
    outcome.results = first + treating + others
    return outcome


# --- the search -------------------------------------------------------------------


def search_entries(text: str, names_only: bool = False) -> SearchOutcome:
    """Search everything a visitor may type; see the module docstring for the steps.

    `names_only` (suggestions as you type): only entries a name of which matches, found
    without reading texts or ranking a phrase.
    """
    query = Query.parse(text or "")
    core = query.core
    # The whole query's texts are only read when its core has no words to read them by:
    # a text holding every word of the query holds every word of its core, and only a
    # name found for the whole query (never a text) is answered before the core's.
    whole_texts = not names_only and (core is query or not core.content_words)
    # The candidates of the whole query and of its core, read in one round trip.
    parts = name_parts(query, texts=whole_texts)
    core_parts = name_parts(core, texts=not names_only) if core is not query else []
    fetched = _fetch(parts + core_parts)
    rows = _joined(fetched[: len(parts)])
    outcome = _search_name(query, rows)
    if outcome.found_by_name or outcome.unlisted_drug:
        if not whole_texts and not names_only:
            # Named as a whole after all ("low white count"): its texts too, as any name.
            outcome = _search_name(query, _joined([rows, *_fetch(text_parts(query))]))
        return outcome
    if core is not query:
        core_outcome = _search_name(core, _joined(fetched[len(parts) :]))
        if core_outcome.found_by_name or core_outcome.unlisted_drug or len(query.specific) < 2:
            if query.wants_treatment and not _names_a_drug(core, core_outcome):
                core_outcome = _treatments_first(query, core_outcome)
            core_outcome.query = query
            return core_outcome if core_outcome.results or core_outcome.unlisted_drug else outcome
    if len(query.specific) >= 2 and not names_only:
        return _search_phrase(query)
    return outcome
