"""Text normalisation shared by the search index and the search query.

Both sides go through `normalize()`, so whatever it folds (case, accents, hyphens,
apostrophes, British spellings) matches whichever way a visitor types it.
"""

import re
import unicodedata

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
