"""The "Check my medicines" list: each item resolved by the site's search, in words.

`parse_items()` turns what a visitor pasted into at most MAX_ITEMS distinct items;
`check()` answers each with a `MedicineAnswer`. An item counts as listed only when its
best search result is a drug or cause found by a name (its own, another name, a brand,
the start of a name, or a close spelling), never because the word appears in some text.
Nothing here stores, caches or logs the list: it is health information.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError

from causes.search import EXACT_ALIAS, EXACT_NAME, FUZZY, Result, search_entries
from causes.text import compact, normalize

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 100
# The whole text: room for MAX_ITEMS long items, generously spaced, and no more.
MAX_TEXT_LENGTH = 10_000
# Below this many letters, the start of a name or a close spelling is a guess, not a match
# (the search itself allows no typo in a word this short).
MIN_LETTERS_FOR_CLOSE_MATCH = 4
# A comma separates items, except between digits: "Metformin 1,000 mg" is one item.
COMMA = re.compile(r"(?<!\d),|,(?!\d)")


class Status(StrEnum):
    LISTED_DRUG = "listed drug"
    DRUG_OTHER_NAME = "another name for a listed drug"
    DRUG_CLOSE_MATCH = "close match to a listed drug"
    LISTED_CAUSE = "listed cause"
    CAUSE_OTHER_NAME = "another name for a listed cause"
    CAUSE_CLOSE_MATCH = "close match to a listed cause"
    OTHER_PAGE = "a page here, not a drug or a cause"
    UNLISTED_MEDICINE = "known medicine not listed"
    UNKNOWN = "unknown"


STATUS_OF = {
    ("drug", EXACT_NAME): Status.LISTED_DRUG,
    ("drug", EXACT_ALIAS): Status.DRUG_OTHER_NAME,
    ("drug", FUZZY): Status.DRUG_CLOSE_MATCH,
    ("cause", EXACT_NAME): Status.LISTED_CAUSE,
    ("cause", EXACT_ALIAS): Status.CAUSE_OTHER_NAME,
    ("cause", FUZZY): Status.CAUSE_CLOSE_MATCH,
}


@dataclass(frozen=True, repr=False)
class MedicineAnswer:
    """What this reference says about one item of the list."""

    item: str  # as typed, its spaces tidied
    status: Status
    kind: str = ""  # of the entry found: "drug", "cause", "category" ...
    title: str = ""  # the entry found, when there is one
    url: str = ""
    description: str = ""  # a drug's class; a cause's category
    reason: str = ""  # how the item names the entry: "brand name", "abbreviation" ...
    mechanism: str = ""  # "destruction", "decreased production, destruction" ...
    dictionary_name: str = ""  # a medicine this reference does not list, as in a sentence
    name: str = ""  # the part of the item read as that medicine's name ("Tegretol")
    is_generic: bool = False  # the item is that medicine's own name

    def __repr__(self) -> str:
        # Health information stays out of logs: Django's template logger, at DEBUG, prints
        # the whole context when a template looks up a missing variable.
        return "<MedicineAnswer>"

    @property
    def is_listed(self) -> bool:
        return self.status in STATUS_OF.values()

    @property
    def is_close_match(self) -> bool:
        return self.status in (Status.DRUG_CLOSE_MATCH, Status.CAUSE_CLOSE_MATCH)

    @property
    def is_other_name(self) -> bool:
        return self.status in (Status.DRUG_OTHER_NAME, Status.CAUSE_OTHER_NAME)

    @property
    def relation(self) -> str:
        """How the item names the entry: 'a brand name of', 'an abbreviation for' ..."""
        if self.reason in ("", "name", "other name"):
            return "another name for"
        article = "an" if self.reason[0] in "aeiou" else "a"
        preposition = "of" if "brand" in self.reason or "spelling" in self.reason else "for"
        return f"{article} {self.reason} {preposition}"


def tidy(raw: str) -> str:
    """Control characters and runs of spaces become one space; no space around."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def parse_items(text: str) -> list[str]:
    """The distinct items of a list, one per line or separated by commas, in order."""
    items: dict[str, str] = {}
    for line in text.splitlines():
        for raw in COMMA.split(line):
            if item := tidy(raw):
                items.setdefault(item.casefold(), item)
    if not items:
        raise ValidationError("Please type at least one medicine.", code="empty")
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            f"Your list has {len(items)} different items. Please check at most "
            f"{MAX_ITEMS} at a time.",
            code="too_many",
        )
    _check_lengths(items.values())
    return list(items.values())


def _check_lengths(items) -> None:
    for item in items:
        if len(item) > MAX_ITEM_LENGTH:
            raise ValidationError(
                f"“{item[:30]}…” is {len(item)} characters long. Please keep each item to "
                f"{MAX_ITEM_LENGTH} characters: a medicine's name is enough.",
                code="too_long",
            )


def mechanism_of(context: str) -> str:
    """'destruction' from 'Drugs · mechanism: destruction'; 'not established' if so."""
    for part in context.split(" · "):
        if part.startswith("mechanism: "):
            return part.removeprefix("mechanism: ")
        if part == "mechanism not established":
            return "not established"
    return ""


def _is_close_match(item: str, result: Result) -> bool:
    """The start of a name or a close spelling (not a mention in a text), from an item
    long enough to tell."""
    letters = len(compact(normalize(item)))
    return result.tier <= FUZZY and letters >= MIN_LETTERS_FOR_CLOSE_MATCH


def _found(item: str, result: Result) -> MedicineAnswer:
    """The answer for an item that names an entry of this reference."""
    # The start of a name and a close spelling are both a close match.
    closeness = result.tier if result.tier <= EXACT_ALIAS else FUZZY
    return MedicineAnswer(
        item=item,
        status=STATUS_OF.get((result.kind, closeness), Status.OTHER_PAGE),
        kind=result.kind,
        title=result.title,
        url=result.url,
        description=result.description,
        reason=result.reason,
        mechanism=mechanism_of(result.context),
    )


def answer(item: str) -> MedicineAnswer:
    """What this reference says about one item."""
    outcome = search_entries(item)
    best = outcome.results[0] if outcome.results else None
    if best is not None and best.tier <= EXACT_ALIAS:
        return _found(item, best)
    if medicine := outcome.unlisted_drug:
        return MedicineAnswer(
            item=item,
            status=Status.UNLISTED_MEDICINE,
            dictionary_name=medicine.name_in_text,
            name=outcome.name,
            is_generic=outcome.unlisted_drug_is_generic,
        )
    if best is not None and _is_close_match(item, best):
        return _found(item, best)
    return MedicineAnswer(item=item, status=Status.UNKNOWN)


def check(items: list[str]) -> list[MedicineAnswer]:
    """One answer per item, in the order given."""
    return [answer(item) for item in items]
