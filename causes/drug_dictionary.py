"""Drug names beyond the site's own: the one place the drug dictionary sits.

`lookup()` answers "which medicine is this name?" by exact match of the whole name after
`causes.text.normalize()`; it never guesses from a close spelling (the package's fuzzy
matcher maps real typos to other drugs). Search uses it so that a drug name is never
"corrected" to a different drug, and to name a medicine this reference does not list.

The names come from the `drug-named-entity-recognition` package (pinned in
requirements.txt), read from its bundled data file without importing the package:
importing it builds a fuzzy index of some 300 MiB and reads a cache file from $HOME, and
nothing here needs either. The file is read once per process, on first use. To replace
the dictionary, replace `_load_package_names()`.
"""

import bisect
import bz2
import ctypes
import functools
import gc
import importlib.util
import itertools
import os
import pickle
import subprocess
import sys
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from causes.text import compact, normalize

PACKAGE = "drug_named_entity_recognition"
DATA_FILE = "drug_ner_dictionary.pkl.bz2"
# ASCII separators, in no name: between records, fields, and names within a field.
RECORD, FIELD, UNIT = "\x1e", "\x1f", "\x1d"

# Names the package lacks that visitors of this site type: (name, the package's
# canonical name it is another name for). Keflex: its prescribing information names the
# drug cephalexin (read 2026-11-25 in a reproduction of the Keflex label,
# scholarsinmedicine.com/resources/drugs/518); Fazaclo is a brand of clozapine the site
# already lists in its fixture, with its source. UK brands, each named with its active
# substance in its patient leaflet on the UK's electronic medicines compendium (read
# 2026-11-25): Denzapine (medicines.org.uk/emc/product/6078/smpc, "the risk of
# agranulocytosis associated with clozapine"), Zaponex (emc/product/7138, "The active
# ingredient of Zaponex is clozapine") and Cymevene (emc/product/10242, "Cymevene
# contains the active substance ganciclovir").
SUPPLEMENT = (
    ("Keflex", "cephalexin"),
    ("Fazaclo", "clozapine"),
    ("Denzapine", "clozapine"),
    ("Zaponex", "clozapine"),
    ("Cymevene", "ganciclovir"),
)


@dataclass(frozen=True)
class DictionaryEntry:
    """One medicine: its generic (canonical) name and every other name it goes by."""

    name: str
    other_names: tuple[str, ...]
    drugbank_id: str = ""

    @property
    def name_in_text(self) -> str:
        """The name as written inside a sentence: 'carbamazepine', 'penicillin G'."""
        if len(self.name) > 1 and self.name[1].islower():
            return self.name[0].lower() + self.name[1:]
        return self.name


class _Table:
    """Records sorted by their first field, in one string, found by binary search: the
    whole dictionary in a few MiB, where a dict of its 95,000 names takes ten times that."""

    def __init__(self, text: str, starts: array):
        self.text = text
        self.starts = starts

    @classmethod
    def of(cls, records: list[str]) -> "_Table":
        starts = itertools.accumulate((len(r) + 1 for r in records[:-1]), initial=0)
        return cls(RECORD.join(records), array("I", starts))

    def parts(self) -> tuple[str, bytes]:
        return self.text, self.starts.tobytes()

    @classmethod
    def from_parts(cls, text: str, starts: bytes) -> "_Table":
        table = array("I")
        table.frombytes(starts)
        return cls(text, table)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> str:
        start = self.starts[i]
        end = self.text.find(RECORD, start)
        return self.text[start : end if end >= 0 else len(self.text)]

    def get(self, key: str) -> list[str] | None:
        """The fields after the first of the record whose first field is `key`."""
        i = bisect.bisect_left(self, key, key=lambda record: record.split(FIELD, 1)[0])
        if i < len(self):
            fields = self[i].split(FIELD)
            if fields[0] == key:
                return fields[1:]
        return None


@dataclass(frozen=True)
class _Names:
    keys: _Table  # compact normalised name -> medicine numbers, comma-separated
    medicines: _Table  # medicine number (zero-padded) -> name, DrugBank id, names as written


def _key(text: str) -> str:
    return compact(normalize(text))


def _drops_letters(name: str) -> bool:
    """True if normalising loses a letter of the name ('β-quinine', a name of quinidine,
    becomes 'quinine'): such a name never outweighs a medicine named so exactly."""
    return any(
        ch.isalpha() and not ch.isascii()
        for ch in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(ch)
    )


def data_file() -> Path:
    """The package's bundled dictionary, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{PACKAGE} is not installed (see requirements.txt)")
    return Path(spec.submodule_search_locations[0]) / DATA_FILE


def _load_package_names() -> tuple[str, str]:
    """The package's names as two blocks of text, so that nothing of its data stays in
    memory once they are made: (name, canonical) records and (canonical, name, DrugBank
    id) records. (Parsed straight into the index, the unpickled data leaves the worker some
    80 MiB larger; freed whole, it gives its memory back.)"""
    with bz2.open(data_file()) as f:
        data = pickle.load(f)  # noqa: S301 (the pinned package's own file, not user input)
    names = RECORD.join(
        f"{variant}{FIELD}{canonical}"
        for variant, canonicals in data["drug_variant_to_canonical"].items()
        for canonical in canonicals
    )
    medicines = RECORD.join(
        FIELD.join((canonical, info.get("name") or canonical, info.get("drugbank_id") or ""))
        for canonical, info in data["drug_canonical_to_data"].items()
    )
    return names, medicines


def _records(text: str) -> Iterator[str]:
    """The records of a block one at a time (a list of them all would fragment memory)."""
    start = 0
    while start <= len(text):
        end = text.find(RECORD, start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


@functools.cache
def _names() -> _Names:
    """The dictionary's two tables, built in a child process: building them leaves the
    Python heap fragmented (some 60 MiB a worker never gets back, measured), and only the
    finished tables, a few MiB of text, come back from the child. (A fresh interpreter,
    not multiprocessing: that would import the caller's main script again.)"""
    try:
        keys, medicines = _tables_from_child()
    except (OSError, subprocess.SubprocessError, pickle.UnpicklingError, ValueError):
        # No child process here (a sandbox): build in this one.
        keys, medicines = _built_tables()
    return _Names(keys=_Table.from_parts(*keys), medicines=_Table.from_parts(*medicines))


def _tables_from_child() -> tuple:
    code = "import sys, pickle; from causes.drug_dictionary import _built_tables; "
    code += "sys.stdout.buffer.write(pickle.dumps(_built_tables()))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.run(  # noqa: S603 (this interpreter, a fixed command)
        [sys.executable, "-c", code], capture_output=True, check=True, env=env, timeout=120
    )
    return pickle.loads(child.stdout)  # noqa: S301 (our own child's output)


def _built_tables() -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    names = _build_names()
    return names.keys.parts(), names.medicines.parts()


def _build_names() -> _Names:
    names_text, medicines_text = _load_package_names()
    gc.collect()
    info = {}
    for record in _records(medicines_text):
        canonical, name, drugbank_id = record.split(FIELD)
        info[canonical] = (name, drugbank_id)
    numbers: dict[str, int] = {}
    variants: list[list[str]] = []
    keys: dict[str, set[int]] = {}
    weak: dict[str, set[int]] = {}  # names that lose letters when normalised
    supplement = (FIELD.join(pair) for pair in SUPPLEMENT)
    # The package lists other names of a medicine but not always its own ("procaine"
    # has "novocaine" and "procaina", not "procaine"): a medicine is known by its name too.
    own = (FIELD.join((name, canonical)) for canonical, (name, _) in info.items())
    for record in itertools.chain(_records(names_text), own, supplement):
        variant, canonical = record.split(FIELD)
        i = numbers.setdefault(canonical, len(numbers))
        if i == len(variants):
            variants.append([])
        variants[i].append(variant)
        if key := _key(variant):
            (weak if _drops_letters(variant) else keys).setdefault(key, set()).add(i)
    for key, found in weak.items():
        keys.setdefault(key, found)
    medicines = [
        FIELD.join((f"{i:06d}", *info.get(canonical, (canonical, "")), UNIT.join(variants[i])))
        for canonical, i in numbers.items()
    ]
    names = _Names(
        keys=_Table.of(
            sorted(f"{k}{FIELD}{','.join(map(str, sorted(v)))}" for k, v in keys.items())
        ),
        medicines=_Table.of(sorted(medicines)),
    )
    del info, numbers, variants, keys, medicines
    _give_memory_back()
    return names


def _give_memory_back() -> None:
    """Hand the memory the build used back to the system: without it, a worker stays
    some 9 MiB larger (glibc keeps freed memory; elsewhere this does nothing)."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def load() -> None:
    """Read the dictionary now rather than on the first search (a worker's start)."""
    _names()


def lookup_all(text: str) -> tuple[DictionaryEntry, ...]:
    """Every medicine this exact name (after normalising) belongs to; () if none."""
    names = _names()
    found = names.keys.get(_key(text))
    if not found:
        return ()
    entries = []
    for number in found[0].split(","):
        name, drugbank_id, written = names.medicines[int(number)].split(FIELD)[1:]
        entries.append(DictionaryEntry(name, tuple(written.split(UNIT)), drugbank_id))
    return tuple(entries)


def lookup(text: str) -> DictionaryEntry | None:
    """The medicine this exact name belongs to, or None if unknown or ambiguous."""
    found = lookup_all(text)
    return found[0] if len(found) == 1 else None


def is_known_drug_name(text: str) -> bool:
    """True if the whole text is, exactly, a name of some medicine in the dictionary."""
    return _names().keys.get(_key(text)) is not None


# Salt and form words: "Penicillin G (Potassium, Sodium)" and "quinidine sulfate" are
# penicillin G and quinidine, as an entry of this reference names them.
_SALT_WORDS = frozenset(
    "potassium sodium calcium magnesium hydrochloride hcl dihydrochloride sulfate sulphate "
    "gluconate polygalacturonate mesylate maleate tartrate citrate phosphate acetate".split()
)


def _without_salt(name: str) -> str:
    words = normalize(name.split("(")[0]).split()
    return " ".join(w for w in words if w not in _SALT_WORDS)


def name_keys(entry: DictionaryEntry) -> list[str]:
    """Every name of the medicine, normalised and without spaces (as the search index),
    and its generic name without the salt ("penicillin g" for "Penicillin G (Potassium,
    Sodium)"), so a listed drug is found whichever salt the dictionary names."""
    names = (entry.name, _without_salt(entry.name), *entry.other_names)
    return sorted({k for k in map(_key, names) if k})
