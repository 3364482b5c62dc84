"""The "Check my medicines" page (/check/): parsing the list, answering each item as the search
would, the page and its table, hostile input, and the list never kept: not cached,
not stored, not logged."""

import logging
import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from causes import medicines
from causes.medicines import (
    MAX_ITEM_LENGTH,
    MAX_ITEMS,
    MAX_TEXT_LENGTH,
    MedicineAnswer,
    Status,
    check,
    mechanism_of,
    parse_items,
)
from causes.search import EXACT_ALIAS, EXACT_NAME, FUZZY, SUMMARY
from site_config.page_cache import generation

URL = "/check/"
# An answer to one item costs at most this many queries (the search's), whatever the list.
QUERIES_PER_ITEM = 10
ADVICE = (
    "A drug missing from this list may still lower neutrophils: "
    "ask a pharmacist or doctor about it."
)


def post(client, text: str):
    return client.post(URL, {"medicines": text})


def rows(response) -> list[str]:
    """Each row of the answers table as plain text, tags and runs of spaces removed."""
    body = response.content.decode()
    found = re.findall(r"<tr role=\"row\"[^>]*>(.*?)</tr>", body, re.S)[1:]  # not the header
    return [" ".join(re.sub(r"<[^>]+>", "", row).split()) for row in found]


# --- parse_items -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, items",
    [
        ("Clozaril", ["Clozaril"]),
        ("Clozaril, Lipitor\nlupus", ["Clozaril", "Lipitor", "lupus"]),
        ("  Clozaril  \r\n\r\n,, ,\n\tLipitor\t\n", ["Clozaril", "Lipitor"]),
        ("Clozaril\u2028Lipitor", ["Clozaril", "Lipitor"]),
        ("Metformin 1,000 mg, Lipitor", ["Metformin 1,000 mg", "Lipitor"]),
        ("Lipitor\t200   mg", ["Lipitor 200 mg"]),
        ("ünïcödé 中文 🙂", ["ünïcödé 中文 🙂"]),
    ],
)
def test_items_are_split_on_lines_and_commas_and_tidied(text, items):
    assert parse_items(text) == items


def test_duplicates_are_dropped_case_insensitively_keeping_the_first():
    text = "Clozaril\nLipitor\nclozaril\nCLOZARIL \n Lipitor"
    assert parse_items(text) == ["Clozaril", "Lipitor"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", ",,,", " , \n , ", "\x00\x01"])
def test_a_list_with_nothing_in_it_is_refused(text):
    with pytest.raises(ValidationError, match="Please type at least one medicine."):
        parse_items(text)


def test_thirty_items_are_accepted_and_thirty_one_refused():
    thirty = [f"medicine {i}" for i in range(MAX_ITEMS)]
    assert parse_items("\n".join(thirty)) == thirty
    with pytest.raises(ValidationError, match="Your list has 31 different items"):
        parse_items("\n".join([*thirty, "one more"]))


def test_duplicates_do_not_count_against_the_limit():
    thirty = [f"medicine {i}" for i in range(MAX_ITEMS)]
    assert len(parse_items("\n".join([*thirty, "MEDICINE 0"]))) == MAX_ITEMS


def test_an_item_of_100_characters_is_accepted_and_101_refused():
    assert parse_items("a" * MAX_ITEM_LENGTH) == ["a" * MAX_ITEM_LENGTH]
    with pytest.raises(ValidationError, match="is 101 characters long"):
        parse_items("Clozaril\n" + "a" * (MAX_ITEM_LENGTH + 1))


# --- answering each item -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_brand_name_is_another_name_for_the_listed_drug():
    [answer] = check(["Clozaril"])
    assert answer.status == Status.DRUG_OTHER_NAME
    assert (answer.title, answer.url, answer.kind) == ("Clozapine", "/drugs/clozapine/", "drug")
    assert answer.reason == "brand name"
    assert answer.relation == "a brand name of"
    assert answer.mechanism == "destruction"
    assert answer.is_listed


@pytest.mark.django_db
def test_a_generic_name_is_a_listed_drug():
    [answer] = check(["clozapine"])
    assert answer.status == Status.LISTED_DRUG
    assert answer.url == "/drugs/clozapine/"
    assert answer.is_listed and not answer.is_other_name and not answer.is_close_match


@pytest.mark.django_db
def test_a_typo_is_a_close_match_to_the_listed_drug():
    [answer] = check(["clozapin"])
    assert answer.status == Status.DRUG_CLOSE_MATCH
    assert answer.url == "/drugs/clozapine/"
    assert answer.is_listed and answer.is_close_match


@pytest.mark.django_db
def test_a_dictionary_name_of_a_listed_drug_is_another_name_for_it():
    [answer] = check(["Leponex"])
    assert answer.status == Status.DRUG_OTHER_NAME
    assert answer.url == "/drugs/clozapine/"
    assert answer.relation == "another name for"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "item, name, is_generic",
    [("Lipitor", "atorvastatin", False), ("atorvastatin", "atorvastatin", True)],
)
def test_a_medicine_this_reference_does_not_list_is_named(item, name, is_generic):
    [answer] = check([item])
    assert answer.status == Status.UNLISTED_MEDICINE
    assert (answer.dictionary_name, answer.is_generic) == (name, is_generic)
    assert not answer.is_listed and answer.url == ""


@pytest.mark.django_db
@pytest.mark.parametrize("item", ["xyzzy", "staph", "a"])
def test_a_name_nobody_knows_or_a_word_only_mentioned_in_a_text_is_unknown(item):
    """'staph' appears in oxacillin's summary: a mention is not a listing."""
    [answer] = check([item])
    assert answer == MedicineAnswer(item=item, status=Status.UNKNOWN)


@pytest.mark.django_db
def test_a_cause_is_answered_as_a_listed_cause():
    """The page is for medicines, but a condition typed there is still answered plainly."""
    [lupus, ebv] = check(["lupus", "EBV"])
    assert lupus.status == Status.LISTED_CAUSE
    assert (lupus.url, lupus.description) == ("/causes/lupus/", "Autoimmune diseases")
    assert ebv.status == Status.CAUSE_OTHER_NAME and ebv.relation == "an abbreviation for"


@pytest.mark.django_db
def test_a_category_or_mechanism_is_a_page_but_not_listed():
    [answer] = check(["Infections"])
    assert answer.status == Status.OTHER_PAGE
    assert answer.url and not answer.is_listed


@pytest.mark.django_db
def test_an_item_with_a_dose_is_answered_by_its_name():
    [tegretol, clozaril] = check(["Lipitor 200 mg", "Clozaril 25 mg twice daily"])
    assert (tegretol.status, tegretol.dictionary_name, tegretol.name) == (
        Status.UNLISTED_MEDICINE,
        "atorvastatin",
        "Lipitor",
    )
    assert (clozaril.status, clozaril.url) == (Status.DRUG_OTHER_NAME, "/drugs/clozapine/")


def fake_result(kind="drug", tier=EXACT_NAME, **kwargs):
    fields = {
        "title": "Quorvatide",
        "url": "/drugs/quorvatide/",
        "description": "made-up",
        "reason": "name",
        "context": "Drugs · mechanism: destruction",
        "field": "name",
        "term": "Quorvatide",
    }
    return SimpleNamespace(kind=kind, tier=tier, **(fields | kwargs))


def answer_for(monkeypatch, item: str, *results, unlisted=None) -> MedicineAnswer:
    outcome = SimpleNamespace(
        results=list(results), unlisted_drug=unlisted, unlisted_drug_is_generic=False, name=item
    )
    monkeypatch.setattr(medicines, "search_entries", lambda text: outcome)
    return medicines.answer(item)


def test_only_the_best_result_counts_and_a_text_mention_never_lists(monkeypatch):
    mention = fake_result(tier=SUMMARY, field="summary")
    assert answer_for(monkeypatch, "quorvatide", mention).status == Status.UNKNOWN
    later = fake_result()
    assert answer_for(monkeypatch, "quorvatide", mention, later).status == Status.UNKNOWN


def test_a_close_match_needs_an_item_of_four_letters(monkeypatch):
    """The search allows no typo under four letters; a prefix that short is a guess."""
    close = fake_result(tier=FUZZY)
    assert answer_for(monkeypatch, "quo", close).status == Status.UNKNOWN
    assert answer_for(monkeypatch, "quor", close).status == Status.DRUG_CLOSE_MATCH
    exact = fake_result(tier=EXACT_ALIAS, field="alias", reason="abbreviation")
    assert answer_for(monkeypatch, "QV", exact).status == Status.DRUG_OTHER_NAME


def test_the_dictionary_outranks_a_close_spelling_but_not_a_name(monkeypatch):
    medicine = SimpleNamespace(name="Atorvastatin", name_in_text="atorvastatin")
    close = fake_result(tier=FUZZY)
    found = answer_for(monkeypatch, "Lipitor", close, unlisted=medicine)
    assert (found.status, found.dictionary_name) == (Status.UNLISTED_MEDICINE, "atorvastatin")
    exact = fake_result(tier=EXACT_NAME)
    assert answer_for(monkeypatch, "Lipitor", exact, unlisted=medicine).is_listed


@pytest.mark.parametrize(
    "context, mechanism",
    [
        ("Drugs · mechanism: destruction", "destruction"),
        ("mechanism: decreased production, destruction", "decreased production, destruction"),
        ("mechanism not established", "not established"),
        ("Drugs · mechanism not established", "not established"),
        ("", ""),
    ],
)
def test_the_mechanism_is_read_from_the_results_context(context, mechanism):
    assert mechanism_of(context) == mechanism


@pytest.mark.parametrize(
    "reason, relation",
    [
        ("brand name", "a brand name of"),
        ("abbreviation", "an abbreviation for"),
        ("everyday term", "an everyday term for"),
        ("common misspelling", "a common misspelling of"),
        ("other name", "another name for"),
        ("", "another name for"),
    ],
)
def test_how_an_item_names_its_entry_reads_as_english(reason, relation):
    assert MedicineAnswer("x", Status.DRUG_OTHER_NAME, reason=reason).relation == relation


# --- the page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_get_shows_the_empty_form_and_no_table(client):
    response = client.get(URL)
    assert response.status_code == 200
    assertContains(response, "<h1>Check my medicines</h1>", html=True)
    assertContains(response, 'method="post" action="/check/#answers"')
    assertContains(response, 'name="csrfmiddlewaretoken"')
    assertContains(response, '<textarea name="medicines"')
    assertContains(response, "Your list is not stored or kept anywhere")
    assertContains(response, f"up to {MAX_ITEMS} medicines, each up to {MAX_ITEM_LENGTH}")
    assertContains(response, "Do not stop or change a medicine on your own.")
    assertNotContains(response, "<table")
    assert client.head(URL).status_code == 200


@pytest.mark.django_db
def test_a_list_in_the_address_is_ignored_so_it_never_reaches_an_access_log(client):
    response = client.get(URL, {"medicines": "Lipitor"})
    assert response.status_code == 200
    assertNotContains(response, "<table")
    assertNotContains(response, "Lipitor")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_are_not_allowed(client, method):
    assert getattr(client, method)(URL).status_code == 405


@pytest.mark.django_db
def test_the_help_text_and_errors_describe_the_field():
    client = Client()
    form = client.get(URL).content.decode()
    assert 'aria-describedby="id_medicines_helptext"' in form
    assert 'id="id_medicines_helptext"' in form
    refused = post(client, ",,,")
    assertContains(refused, 'aria-invalid="true"', status_code=400)
    assertContains(
        refused, 'aria-describedby="id_medicines_helptext id_medicines_error"', status_code=400
    )
    assertContains(refused, 'id="id_medicines_error" role="alert"', status_code=400)


@pytest.mark.django_db
def test_the_answers_are_a_real_table(client):
    response = post(client, "Clozaril\nLipitor")
    assert response.status_code == 200
    assertContains(response, "<caption>Your 2 items, in the order you typed them</caption>")
    body = response.content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', body)
    assert headers == [
        "You typed",
        "What it is",
        "Listed here as a possible cause?",
        "How it lowers neutrophils",
        "Read more",
    ]
    assert re.findall(r'<th scope="row"[^>]*>(.*?)</th>', body) == ["Clozaril", "Lipitor"]
    assertContains(response, '<section id="answers"')


@pytest.mark.django_db
def test_each_kind_of_item_is_answered_in_its_row(client):
    response = post(client, "Clozaril, clozapine, clozapin\nLipitor\nxyzzy\nlupus")
    assert rows(response) == [
        "Clozaril What it is A brand name of Clozapine (atypical antipsychotic). "
        "Listed here as a possible cause? Yes How it lowers neutrophils Destruction "
        "Read more Clozapine",
        "clozapine What it is Clozapine (atypical antipsychotic). "
        "Listed here as a possible cause? Yes How it lowers neutrophils Destruction "
        "Read more Clozapine",
        "clozapin What it is Probably Clozapine (atypical antipsychotic): the closest name "
        "here. Check the spelling on the pack. Listed here as a possible cause? Yes, if you "
        "mean Clozapine How it lowers neutrophils Destruction Read more Clozapine",
        "Lipitor What it is “Lipitor” is another name for atorvastatin. This reference "
        f"does not list it. Listed here as a possible cause? No How it lowers neutrophils "
        f"{ADVICE} Read more No page",
        "xyzzy What it is Not found: neither this reference nor the list of medicine names "
        "it checks knows this name. Check the spelling on the pack, or try the generic name "
        "printed under the brand name. Listed here as a possible cause? Not found "
        "How it lowers neutrophils Not known Read more No page",
        "lupus What it is Lupus, listed under Autoimmune diseases. Listed here as a possible "
        "cause? Yes How it lowers neutrophils Decreased production, destruction, abnormal "
        "storage Read more Lupus",
    ]
    assertContains(response, '<a href="/drugs/clozapine/">Clozapine</a>', count=3)
    assertContains(response, '<a href="/causes/lupus/">Lupus</a>')
    assertContains(response, "Do not stop or change a medicine on your own.")


@pytest.mark.django_db
def test_the_typed_list_stays_in_the_form_to_edit(client):
    response = post(client, "Clozaril\nLipitor")
    assertContains(response, ">\nClozaril\nLipitor</textarea>")


@pytest.mark.django_db
def test_duplicates_make_one_row(client):
    response = post(client, "Clozaril\nclozaril\n CLOZARIL")
    assert len(rows(response)) == 1
    assertContains(response, "<caption>Your 1 item, in the order you typed them</caption>")


@pytest.mark.django_db
def test_thirty_items_make_thirty_rows(client):
    response = post(client, "\n".join(f"medicine {i}" for i in range(MAX_ITEMS)))
    assert response.status_code == 200
    assert len(rows(response)) == MAX_ITEMS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Please type at least one medicine."),
        ("   \n\t ", "Please type at least one medicine."),
        (",,, ,\n,", "Please type at least one medicine."),
        ("\n".join(f"medicine {i}" for i in range(31)), "Your list has 31 different items."),
        ("a" * 101, "is 101 characters long. Please keep each item to 100 characters"),
        ("Clozaril\x00", "Null characters are not allowed."),
        ("x," * (MAX_TEXT_LENGTH // 2 + 1), "Your list is too long (10002 characters)."),
    ],
    ids=["empty", "whitespace", "commas", "31 items", "101 chars", "NUL", "too long"],
)
def test_a_list_over_the_limits_or_empty_is_a_400_with_a_message(client, text, message):
    response = post(client, text)
    assertContains(response, message, status_code=400)
    assertContains(response, 'role="alert"', status_code=400)
    assertNotContains(response, "<table", status_code=400)


@pytest.mark.django_db
def test_a_post_without_the_field_is_a_400(client):
    response = client.post(URL, {"other": "Clozaril"})
    assertContains(response, "Please type at least one medicine.", status_code=400)


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Clozaril'; DROP TABLE causes_drug; --",
    "' OR 1=1 --",
    "%_%",
    'NEAR(a b) AND "unterminated',
    "ünïcödé ßtraße 中文 العربية 🙂",
    "\u202eloriazolC",
    "\x01\x02\x7f",
    "- - -",
    "1,2,3",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_errors_and_comes_back_escaped(client, text):
    response = post(client, text)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "<img src=x" not in body


@pytest.mark.django_db
def test_html_in_an_item_is_escaped_in_the_table_and_in_a_message(client):
    response = post(client, "<b>Lipitor</b>")
    assertContains(response, '<th scope="row" role="rowheader">&lt;b&gt;Lipitor&lt;/b&gt;</th>')
    assertNotContains(response, "<b>Lipitor</b>")
    refused = post(client, "<b>" + "x" * 100)
    assertContains(refused, "“&lt;b&gt;xxx", status_code=400)
    assertNotContains(refused, "<b>xxx", status_code=400)


@pytest.mark.django_db
def test_a_body_over_djangos_upload_limit_is_the_sites_400_page_not_a_500(settings):
    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    text = "Lipitor\n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 8 + 1)
    response = client.post(URL, {"medicines": text, "csrfmiddlewaretoken": token})
    assertContains(response, "We could not understand that request", status_code=400)


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert post(client, "Clozaril").status_code == 403
    client.get(URL)
    token = client.cookies["csrftoken"].value
    assert post(client, "Clozaril").status_code == 403
    response = client.post(URL, {"medicines": "Clozaril", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assertContains(response, '<th scope="row" role="rowheader">Clozaril</th>')


# --- never kept: not cached, not stored, not logged ------------------------------------------

SECRET_LIST = ["Lipitor", "Clozaril", "xyzzyplugh", "Quorvatidex 40 mg"]


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    return settings


def test_the_page_tells_browsers_and_proxies_to_keep_nothing(db, client):
    for response in (client.get(URL), post(client, "Clozaril"), post(client, "")):
        cache_control = response["Cache-Control"]
        for directive in ("no-store", "no-cache", "private", "max-age=0"):
            assert directive in cache_control
        assert "public" not in cache_control


def test_the_page_cache_stores_neither_the_form_nor_an_answer(db, client, page_cache_on):
    for _ in range(2):
        assert "X-Page-Cache" not in client.get(URL)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = post(client, "\n".join(SECRET_LIST))
        assert "X-Page-Cache" not in response
        assert len(queries) > 0, "a repeated list is answered afresh"
    assertContains(response, "Lipitor")
    for item in SECRET_LIST:
        assert item.lower().encode() not in cached_bytes().lower()


def cached_bytes() -> bytes:
    """Every key and value in the cache the tests use, as bytes."""
    if generation.uses_redis():
        from django_redis import get_redis_connection

        redis = get_redis_connection("default")
        keys = redis.keys("*")
        return b"".join(k + (redis.get(k) or b"") for k in keys if redis.type(k) == b"string")
    return b"".join(key.encode() + value for key, value in cache._cache.items())


@pytest.fixture
def every_log(caplog):
    """caplog at DEBUG on every logger, those that do not pass records up to root too."""
    caplog.set_level(logging.DEBUG)
    changed = []
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        changed.append((logger, logger.level, logger.disabled))
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    yield caplog
    for logger, level, disabled in changed:
        logger.setLevel(level)
        logger.disabled = disabled
        logger.removeHandler(caplog.handler)


def logged_text(caplog) -> str:
    return caplog.text + "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )


def test_nothing_of_the_list_is_logged(db, every_log, page_cache_on):
    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    text = "\n".join(SECRET_LIST)
    answered = client.post(URL, {"medicines": text, "csrfmiddlewaretoken": token})
    refused = client.post(URL, {"medicines": text + "\n" + "x" * 101, "csrfmiddlewaretoken": token})
    no_token = post(client, text)
    assert (answered.status_code, refused.status_code, no_token.status_code) == (200, 400, 403)
    logged = logged_text(every_log)
    assert "Bad Request: /check/" in logged, "the capture sees django.request's records"
    assert "Forbidden (CSRF token" in logged
    for item in SECRET_LIST:
        assert item.casefold() not in logged.casefold()


def test_nothing_of_a_list_over_the_upload_limit_is_logged(db, every_log, settings):
    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    text = "xyzzyplugh\n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 11 + 1)
    response = client.post(URL, {"medicines": text, "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    logged = logged_text(every_log)
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in logged
    assert "xyzzyplugh" not in logged


def test_an_answer_never_shows_what_was_typed_in_a_repr():
    answer = MedicineAnswer("Lipitor", Status.UNLISTED_MEDICINE, dictionary_name="atorvastatin")
    assert repr([answer]) == "[<MedicineAnswer>]"


@pytest.fixture
def failing_search(monkeypatch):
    def fail_with(error: Exception):
        def search(text):
            raise error

        monkeypatch.setattr(medicines, "search_entries", search)

    return fail_with


@pytest.mark.django_db
def test_an_error_while_checking_is_a_500_whose_log_line_leaves_the_list_out(
    every_log, failing_search
):
    failing_search(ValueError("no index row for 'Lipitor'"))
    response = post(Client(raise_request_exception=False), "Lipitor")
    assert response.status_code == 500
    logged = logged_text(every_log)
    assert "RuntimeError: ValueError while checking a list of medicines" in logged
    assert "tegretol" not in logged.casefold()


@pytest.mark.django_db
def test_the_database_away_while_checking_is_still_the_503_page(every_log, failing_search):
    failing_search(OperationalError('fts5: syntax error near "Lipitor"'))
    response = post(Client(raise_request_exception=False), "Lipitor")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "tegretol" not in logged_text(every_log).casefold()


# --- cost ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_costs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(URL)


@pytest.mark.django_db
def test_each_item_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    items = ["Clozaril", "clozapin", "Lipitor", "xyzzy", "lupus", "Leponex", "EBV", "staph"]
    items += [f"medicine number {i}" for i in range(MAX_ITEMS - len(items))]
    with django_assert_max_num_queries(QUERIES_PER_ITEM):
        post(client, "Clozaril")
    with django_assert_max_num_queries(QUERIES_PER_ITEM * MAX_ITEMS):
        response = post(client, "\n".join(items))
    assert len(rows(response)) == MAX_ITEMS


# --- links ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/search/", "/search/?q=Lipitor"])
def test_home_and_search_link_to_the_page(client, url):
    assertContains(client.get(url), 'href="/check/"')


@pytest.mark.django_db
def test_search_still_says_a_missing_drug_plainly_with_the_shared_wording(client):
    response = client.get("/search/", {"q": "Lipitor"})
    assertContains(response, "“Lipitor” is another name for atorvastatin.")
    assertContains(response, "This reference does not list it.")
    assertContains(response, ADVICE)
