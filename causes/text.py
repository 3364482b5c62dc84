"""Text normalisation shared by the search index and the search query, and how two words
compare (a prefix, or a typo or two away).

Both sides go through `normalize()`, so whatever it folds (case, accents, hyphens,
apostrophes, British spellings) matches whichever way a visitor types it.
"""

import functools
import re
import unicodedata

from rapidfuzz.distance import OSA

# British spellings folded to American ones, on both sides of the match.
_SPELLING_FOLDS = (
    (re.compile(r"ae"), "e"),  # leukaemia, anaemia, haemorrhage
    (re.compile(r"(?<=[a-z])oe(?=[a-z])"), "e"),  # oesophagus, diarrhoea
    (re.compile(r"sulph"), "sulf"),  # sulphasalazine
)
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")

STOPWORDS = frozenset(
    "a an and are as at be by can for from has have in is it its of on or that the this to "
    "was what when which who why with your you my me i do does cause causes caused".split()
)


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: 'Leukämie-X’s' -> 'leukamie xs'."""
    # Words and names recur on every search (the words of results, highlighted): those
    # are remembered; long texts (summaries, when indexing) are not.
    return _normalize_short(text) if len(text) <= 64 else _normalize(text)


@functools.lru_cache(maxsize=50_000)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text).strip()
    for pattern, replacement in _SPELLING_FOLDS:
        text = pattern.sub(replacement, text)
    return text


def compact(norm: str) -> str:
    """A normalised text without spaces, so 'chicken pox' meets 'chickenpox'."""
    return norm.replace(" ", "")


def allowed_typos(length: int) -> int:
    """One typo in words of 4 to 6 letters, two in longer ones, none in shorter ones."""
    if length < 4:
        return 0
    return 1 if length <= 6 else 2


def word_matches(q: str, word: str, typos: bool = True) -> int | None:
    """Typos between a query word and a word of a text, or None if they do not match.

    A query word matches a word that starts with it ("chemo" -> "chemotherapy"), or, if
    `typos`, one a typo or two away, in full or in its first letters ("vancomicin").
    """
    if word.startswith(q):
        return 0
    limit = allowed_typos(len(q)) if typos else 0
    if not limit:
        return None
    whole = OSA.distance(q, word, score_cutoff=limit)
    start = OSA.distance(q, word[: len(q)], score_cutoff=limit) if len(word) > len(q) else whole
    best = min(whole, start)
    return best if best <= limit else None
