"""Drug names: the dictionary behind any name a visitor types, and look-alike names never
confused (issue 10)."""

import re
import socket
import subprocess
import sys
from unittest import mock

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from causes import drug_dictionary
from causes.medicines import Status, check
from causes.search import EXACT_ALIAS, FUZZY, search_entries
from causes.text import compact, normalize

# --- the dictionary module --------------------------------------------------------


def test_exact_name_gives_the_generic_and_its_other_names():
    entry = drug_dictionary.lookup("Tegretol")
    assert entry.name == "Carbamazepine"
    assert entry.drugbank_id == "DB00564"
    assert "tegretol" in entry.other_names
    assert "carbamazepine" in entry.other_names
    assert entry.name_in_text == "carbamazepine"


@pytest.mark.parametrize("typed", ["metamizole", "METAMIZOLE", " Metamizole ", "metamizol"])
def test_lookup_normalises_case_spaces_and_spelling(typed):
    assert drug_dictionary.lookup(typed).name == "Dipyrone"


def test_lookup_folds_hyphens_and_british_spelling_as_search_does():
    assert drug_dictionary.lookup("co trimoxazole").name == "Co-trimoxazole"
    assert drug_dictionary.lookup("sulphasalazine").name == "Sulfasalazine"


@pytest.mark.parametrize(
    "typed, generic",
    [("Keflex", "Cephalexin"), ("Fazaclo", "Clozapine"), ("Versacloz", "Clozapine")],
)
def test_the_project_supplement_fills_names_the_package_lacks(typed, generic):
    assert drug_dictionary.lookup(typed).name == generic
    assert drug_dictionary.is_known_drug_name(typed)


@pytest.mark.parametrize("typed", ["qqqxxzzv", "", "lupus", "methimazol", "vancomicin"])
def test_an_unknown_word_is_no_drug_name(typed):
    assert drug_dictionary.lookup(typed) is None
    assert not drug_dictionary.is_known_drug_name(typed)


def test_lookup_is_never_fuzzy():
    """A real typo of methimazole is not 'corrected' to another drug (the package's own
    fuzzy matcher turns 'metimazole' into Dimazole)."""
    assert drug_dictionary.lookup("metimazole") is None
    assert drug_dictionary.lookup("closapine") is None


def test_a_name_that_loses_a_letter_when_normalised_never_outweighs_an_exact_one():
    """'β-quinine' is a name of quinidine; 'quinine' is quinine, not quinidine."""
    assert [e.name for e in drug_dictionary.lookup_all("quinine")] == ["Quinine"]


def test_loading_reads_the_data_file_without_the_network_or_the_package(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the drug dictionary tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    drug_dictionary._names.cache_clear()
    # The build runs in a child process; here it runs in this one, under the patch.
    monkeypatch.setattr(drug_dictionary, "_tables_from_child", mock.Mock(side_effect=OSError))
    try:
        assert drug_dictionary.data_file().is_file()
        assert drug_dictionary.lookup("metamizole").name == "Dipyrone"
    finally:
        drug_dictionary._names.cache_clear()
    # Importing the package builds a fuzzy index of some 300 MiB: never done here.
    assert "drug_named_entity_recognition" not in sys.modules


def test_a_process_holds_the_dictionary_in_a_few_mib():
    """Built in a child process: this one keeps only the finished tables (it kept some
    65 MiB of fragmented heap when it built them itself)."""
    script = (
        "import sys; sys.path.insert(0, '.')\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20\n"
        "from causes import drug_dictionary as d\n"
        "before = rss(); d.load(); print(rss() - before)\n"
    )
    grown = float(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
    )
    assert grown < 25, f"{grown:.0f} MiB"


# --- search: look-alike names never confused ---------------------------------------

# Pairs from the research notes (docs/notes/issue-10-research.md §2): ISMP and other
# reported confusions touching this site's drugs and brands, metamizole/methimazole, and
# the names a typo or two from a site drug.
LOOK_ALIKES = [
    ("metamizole", "methimazole"),
    ("metamizole", "Tapazole"),
    ("Purinethol", "propylthiouracil"),
    ("mercaptopurine", "propylthiouracil"),
    ("Valtrex", "Valcyte"),
    ("valacyclovir", "valganciclovir"),
    ("valaciclovir", "valganciclovir"),
    ("clonazepam", "clozapine"),
    ("Klonopin", "Clozaril"),
    ("clonidine", "clozapine"),
    ("Colazal", "Clozaril"),
    ("balsalazide", "Clozaril"),
    ("loxapine", "clozapine"),
    ("chlorpropamide", "chlorpromazine"),
    ("chlordiazepoxide", "chlorpromazine"),
    ("prochlorperazine", "chlorpromazine"),
    ("chlorprocaine", "chlorpromazine"),
    ("thioridazine", "Thorazine"),
    ("quinine", "quinidine"),
    ("Qualaquin", "quinidine"),
    ("sulfadiazine", "sulfasalazine"),
    ("metolazone", "methimazole"),
    ("Zaroxolyn", "Tapazole"),
    ("penicillamine", "penicillin G"),
    ("Cuprimine", "penicillin G"),
    ("penicillin V", "penicillin G"),
    ("cloxacillin", "oxacillin"),
    ("famciclovir", "ganciclovir"),
    ("acyclovir", "ganciclovir"),
    ("aciclovir", "ganciclovir"),
    ("lincomycin", "vancomycin"),
    ("Cytosar", "Cytovene"),
    ("levetiracetam", "levamisole"),
]
BOTH_WAYS = LOOK_ALIKES + [(b, a) for a, b in LOOK_ALIKES]


def site_url(name: str) -> str | None:
    """The entry a name is the site's own name, brand or alias of, if it is one."""
    for result in search_entries(name).results:
        if result.tier <= EXACT_ALIAS and compact(normalize(result.term)) == compact(
            normalize(name)
        ):
            return result.url
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("typed, other", BOTH_WAYS, ids=[f"{a}->{b}" for a, b in BOTH_WAYS])
def test_a_drug_name_is_never_corrected_to_its_look_alike(client, typed, other):
    assert site_url(typed) or drug_dictionary.is_known_drug_name(typed)
    other_url = site_url(other)
    outcome = search_entries(typed)
    assert compact(normalize(outcome.suggestion)) != compact(normalize(other))
    assert not [r for r in outcome.results if r.tier == FUZZY and r.url != site_url(typed)]
    if other_url and other_url != site_url(typed):
        assert other_url not in [r.url for r in outcome.results if r.field != "summary"]
    page = client.get("/search/", {"q": typed})
    assertNotContains(page, "Did you mean")
    suggestions = client.get("/search/suggest", {"q": typed}).json()["suggestions"]
    assert other_url is None or other_url not in [s["url"] for s in suggestions]


@pytest.mark.django_db
def test_metamizole_is_never_answered_with_methimazole(client):
    outcome = search_entries("metamizole")
    assert outcome.suggestion == ""
    assert "/drugs/methimazole/" not in [r.url for r in outcome.results]
    assert outcome.results[0].url == "/drugs/metamizole/"  # listed since issue 11
    response = client.get("/search/", {"q": "metamizole"})
    assertNotContains(response, "Methimazole")
    assertNotContains(response, "Did you mean")


# Real typos of the site's names are still corrected: tests/test_lookalikes.py.


# --- search: any drug name ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, url",
    [
        ("Leponex", "/drugs/clozapine/"),
        ("Versacloz", "/drugs/clozapine/"),
        ("Thyrozol", "/drugs/methimazole/"),
        ("Bactocill", "/drugs/oxacillin/"),
        ("Quinidex", "/drugs/quinidine/"),
        ("Largactil", "/drugs/chlorpromazine/"),
        ("Procanbid", "/drugs/procainamide/"),
        ("Salazopyrin", "/drugs/sulfasalazine/"),
    ],
)
def test_a_dictionary_name_of_a_listed_drug_puts_its_entry_first(client, name, url):
    outcome = search_entries(name)
    assert outcome.results[0].url == url
    assert outcome.unlisted_drug is None
    response = client.get("/search/", {"q": name})
    assertNotContains(response, "does not list it")
    assertContains(response, f'class="result-title" href="{url}"')


@pytest.mark.django_db
def test_a_dictionary_name_result_says_it_is_another_name(client):
    response = client.get("/search/", {"q": "Leponex"})
    assertContains(response, "<mark>Leponex</mark></span>: other name for Clozapine")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, sentence",
    [
        ("Lipitor", "“Lipitor” is another name for atorvastatin."),
        ("Keflex", "“Keflex” is another name for cephalexin."),
        ("Valtrex", "“Valtrex” is another name for valacyclovir."),
        ("warfarin", "“warfarin” is the name of a medicine."),
    ],
)
def test_a_drug_this_reference_does_not_list_is_named_plainly(client, name, sentence):
    response = client.get("/search/", {"q": name})
    assert response.status_code == 200
    assertContains(response, sentence)
    assertContains(response, "This reference does not list it.")
    assertContains(
        response,
        "A drug missing from this list may still lower neutrophils: "
        "ask a pharmacist or doctor about it.",
    )
    assertNotContains(response, "Check the spelling")
    # The dictionary's brand flags are unreliable: it never says "brand".
    notice = re.search(r'<div class="unlisted-drug".*?</div>', response.content.decode(), re.S)
    assert "brand" not in notice.group()


@pytest.mark.django_db
def test_the_unlisted_drug_notice_escapes_what_was_typed(client):
    response = client.get("/search/", {"q": "<Lipitor>"})
    assertContains(response, "“&lt;Lipitor&gt;” is another name for atorvastatin.")
    assertNotContains(response, "<Lipitor>")


@pytest.mark.django_db
def test_a_word_that_is_no_drug_name_keeps_the_usual_empty_state(client):
    response = client.get("/search/", {"q": "qqqxxzzv"})
    assertNotContains(response, "does not list it")
    assertContains(response, "Check the spelling")


@pytest.mark.parametrize("name", ["procaine", "iron", "talc", "thiamine", "estradiol"])
def test_a_medicine_is_known_by_its_own_name_not_only_its_other_names(name):
    """The package lists 'novocaine' and 'procaina' for procaine, but not 'procaine'."""
    assert drug_dictionary.lookup(name).name.casefold() == name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, site_drug",
    [
        ("procaine", "Procainamide"),
        ("procaina", "Procainamide"),
        ("procaine injection", "Procainamide"),
        ("iron tablets", "Procainamide"),
        ("talc", "Valganciclovir"),
    ],
)
def test_a_medicine_name_never_offers_a_site_drug_by_the_start_of_its_name(typed, site_drug):
    """'procaina' (procaine) is the start of 'procainamide'; 'iron' a typo from 'Pron…'."""
    outcome = search_entries(typed)
    assert site_drug not in [r.title for r in outcome.results if r.tier <= FUZZY]
    assert outcome.unlisted_drug is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, site_drug",
    [("Denzapine", "Clozapine"), ("Zaponex", "Clozapine"), ("Cymevene", "Ganciclovir")],
)
def test_uk_brands_find_their_drug_by_name_not_by_a_close_spelling(typed, site_drug):
    first = search_entries(typed).results[0]
    assert (first.title, first.tier, first.term) == (site_drug, EXACT_ALIAS, typed)


@pytest.mark.django_db
def test_a_medicine_that_only_shares_letters_with_a_cause_is_named_as_a_medicine():
    """'vitamin d' starts 'Vitamin deficiencies' letter for letter, but vitamin D is not
    listed here: the page and the medicines check say so, and do not claim it is."""
    outcome = search_entries("vitamin d")
    assert outcome.unlisted_drug.name == "Ergocalciferol"
    [answer] = check(["vitamin d"])
    assert answer.status == Status.UNLISTED_MEDICINE


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["cocaine", "folic acid"])
def test_a_medicine_named_word_for_word_in_an_entry_leads_to_that_entry(typed):
    """'cut cocaine' is an alias of the levamisole cause; 'folic acid deficiency' of
    vitamin deficiencies: those entries answer, with no 'not listed' notice."""
    outcome = search_entries(typed)
    assert outcome.unlisted_drug is None
    assert outcome.results[0].tier <= FUZZY
