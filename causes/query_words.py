"""Which words of a search query carry meaning here.

Visitors type questions and phrases ("does clozapine lower white blood cells", "valcyte
450 mg", "rheumatoid arthritis medication"). Search drops the words that say nothing
about *which* entry is meant, so they never prevent a match, and tells specific words
(a drug, a condition) from general ones (neutrophils, blood), which only break ties.

The lists are normalised words (`causes.text.normalize`), folded as the index folds them.
"""

import re

from causes.text import normalize


def _words(text: str) -> frozenset[str]:
    """The words as the index folds them ("does" becomes "des", as "oe" in "diarrhoea")."""
    return frozenset(normalize(w) for w in text.split())


# Words that never need to match: question and function words, the verbs of the topic,
# side-effect and lab framing, forms and doses, people and time.
NOISE_WORDS = _words(
    """
    what whats which who whom why how when where whether is are was were be been being am
    can could does do did done will would should shall may might must i im ive me my mine
    you your we our us they them it its this that these those a an the and or but of in on
    at to for from with without within about after before during while by if than then so
    not no any some much many very really there here please tell know want need vs versus
    cause causes caused causing make makes made lower lowers lowered lowering drop drops
    dropped reduce reduces reduced decrease decreases decreased affect affects affected
    get gets got getting give gives given take takes taking took taken use uses used using
    start started stop stopped happen happens
    side effect effects adverse reaction reactions risk risks risky danger dangerous safe
    safety warning warnings problem problems issue issues serious seriously bad worse worry
    worried worrying mean means meaning symptom symptoms sign signs
    low high raised elevated count counts level levels number numbers result results test
    tests testing check
    checking monitoring monitor range normal
    mg mcg ug g gm ml iu unit units tab tabs capsule capsules cap caps injection injections
    iv oral liquid suspension syrup dose doses dosage daily twice weekly er xr xl sr la cr dr
    ec en entabs od bd bid tid tds qd generic brand name names
    year years yr month months week weeks day days old child children kid kids baby babies
    adult adults man men woman women elderly patient patients person people
    """
)

# Words that say the visitor wants a medicine for a condition ("hyperthyroidism
# treatment"): they never need to match, but rank what a medicine is used to treat
# above an entry named after the condition.
INTENT_WORDS = _words(
    """
    treatment treatments treat treats treated treating therapy therapies medicine medicines
    medication medications drug drugs pill pills tablet tablets prescription prescribed
    remedy remedies
    """
)

# Words that match but say little on this site, where everything is about low
# neutrophils: entries matching the specific words of a query rank above them.
GENERAL_WORDS = _words(
    """
    neutropenia neutropenic neutrophil neutrophils anc absolute white wbc blood cell cells
    leukopenia leucopenia granulocyte granulocytes granulocytopenia agranulocytosis immune
    immunity marrow bone infection infections fever sore throat disease diseases disorder
    disorders condition conditions syndrome
    """
)

# A number, or a number glued to a unit: "450", "10mg", "0 5" (from "0.5").
_DOSE = re.compile(r"\d+(?:mg|mcg|ug|g|ml|iu|mgs)?")


def is_dose(word: str) -> bool:
    return _DOSE.fullmatch(word) is not None


def is_noise(word: str) -> bool:
    """A word that never needs to match (intent words included)."""
    return word in NOISE_WORDS or word in INTENT_WORDS or is_dose(word)
