"""The page cache: hits, keys that junk cannot grow, who shares it, the content generation
in the database, the circuit breaker; then real gunicorn servers with several workers,
without Redis and with it, through a Redis outage and a backup restore: 0 stale pages."""

import os
import re
import subprocess
import sys
import time
from datetime import date
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils.html import escape
from pytest_django.asserts import assertContains

from causes.models import Cause, Source
from site_config.page_cache import generation, middleware
from site_config.page_cache.models import ContentChange
from tests.conftest import need
from tests.fault_proxy import FaultProxy
from tests.servers import ROOT, Server, collected_static, database_url
from tests.test_production import production_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    return settings


@pytest.fixture(autouse=True)
def _breaker_closed():
    middleware.breaker.open_until = 0.0
    yield
    middleware.breaker.open_until = 0.0


def settle_watcher():
    """With Redis, wait until this process listens for content changes (it starts on the
    first cached request); a change is heard at once from then on."""
    deadline = time.time() + 5
    while generation.uses_redis() and not generation.generation.listening():
        assert time.time() < deadline, "the content generation watcher did not subscribe"
        time.sleep(0.01)


def count_keys() -> int:
    if generation.uses_redis():
        from django_redis import get_redis_connection

        return get_redis_connection("default").dbsize()
    return len(cache._cache)  # local memory, the tests' cache without Redis


# --- hits --------------------------------------------------------------------------------------


def test_anonymous_pages_are_served_from_the_cache(
    client, page_cache_on, django_assert_num_queries
):
    first = client.get("/causes/lupus/")
    assert first["X-Page-Cache"] == "miss"
    settle_watcher()
    client.get("/causes/lupus/")
    with django_assert_num_queries(0):
        second = client.get("/causes/lupus/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


def test_etag_and_conditional_get_answer_304(client, page_cache_on):
    etag = client.get("/causes/lupus/")["ETag"]
    assert etag
    response = client.get("/causes/lupus/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_cached_hits_carry_every_security_header(client, page_cache_on):
    client.get("/causes/lupus/")
    hit = client.get("/causes/lupus/")
    assert hit["X-Page-Cache"] == "hit"
    for header in [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "ETag",
    ]:
        assert hit[header], header


def test_search_results_are_cached_too(client, page_cache_on):
    assert client.get("/search/", {"q": "lupus"})["X-Page-Cache"] == "miss"
    assert client.get("/search/", {"q": "lupus"})["X-Page-Cache"] == "hit"
    assert client.get("/search/", {"q": "sepsis"})["X-Page-Cache"] == "miss"


def test_errors_are_not_cached(client, page_cache_on):
    assert "X-Page-Cache" not in client.get("/causes/nope/")
    assert "X-Page-Cache" not in client.get("/search/", {"q": "x" * 300})


def test_a_stored_copy_is_never_served_past_its_expiry(client, page_cache_on):
    client.get("/causes/lupus/")
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "hit"
    later = time.time() + 601
    with mock.patch("site_config.page_cache.middleware.time.time", return_value=later):
        assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"


# --- who shares the cache ------------------------------------------------------------------


def test_staff_never_get_or_fill_the_shared_cache(client, editor, page_cache_on):
    keys = count_keys()
    client.force_login(editor)
    response = client.get("/causes/lupus/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert count_keys() == keys
    client.logout()
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"  # not filled by the editor


@pytest.mark.parametrize("cookie", ["junk", "x" * 32, ""])
def test_an_invalid_session_cookie_is_served_from_the_cache(client, page_cache_on, cookie):
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    client.cookies["sessionid"] = cookie
    response = client.get("/causes/lupus/")
    assert response["X-Page-Cache"] == "hit"
    assert "private" not in response["Cache-Control"]


# --- keys: normalised, bounded -----------------------------------------------------------


def test_tracking_parameters_share_the_pages_key(client, page_cache_on):
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    for query in ["?utm_source=news&utm_medium=mail", "?fbclid=abc", "?gclid=1&utm_x=2"]:
        assert client.get("/causes/lupus/" + query)["X-Page-Cache"] == "hit", query


def test_a_parameter_the_page_does_not_read_is_served_fresh_and_not_stored(client, page_cache_on):
    keys = count_keys()
    for _ in range(2):
        response = client.get("/causes/lupus/?junk=1")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
    assert count_keys() == keys


@pytest.mark.parametrize(
    "query",
    ["?page=2&q=lupus", "?q=lupus&page=02", "?q=+lupus+&page=2", "?q=lupus&page=2&utm_id=7"],
)
def test_search_pages_are_keyed_by_the_normalised_query_and_page(client, page_cache_on, query):
    assert client.get("/search/?q=lupus&page=2")["X-Page-Cache"] == "miss"
    assert client.get("/search/" + query)["X-Page-Cache"] == "hit"


def test_the_number_of_cached_search_pages_is_bounded(client, page_cache_on):
    page_cache_on.PAGE_CACHE_QUERY_PAGES = 3
    for word in ["lupus", "sepsis", "clozapine", "aplastic"]:
        client.get("/search/", {"q": word})
    assert [
        client.get("/search/", {"q": w}).get("X-Page-Cache") for w in ["lupus", "aplastic"]
    ] == [
        "hit",
        None,  # the fourth was served, not stored
    ]


def test_two_thousand_junk_requests_add_only_a_handful_of_keys(client, page_cache_on):
    page_cache_on.PAGE_CACHE_QUERY_PAGES = 5
    client.get("/causes/lupus/")
    keys = count_keys()
    for n in range(1000):  # tracking parameters: one page, served from the cache
        assert client.get(f"/causes/lupus/?utm_source=s{n}&fbclid={n}").status_code == 200
    for n in range(800):  # parameters no page reads: served, never stored
        assert client.get(f"/robots.txt?x{n}={n}").status_code == 200
    for n in range(200):  # searches: at most PAGE_CACHE_QUERY_PAGES stored, plus a counter
        client.get("/search/", {"q": f"zq{n}", "page": n % 3 + 1})
    added = count_keys() - keys
    assert added <= 6, added


# --- the content generation lives in the database --------------------------------------------


def new_source(slug: str) -> Source:
    return Source.objects.create(
        slug=slug, title=slug, url=f"https://example.org/{slug}", accessed=date(2026, 1, 1)
    )


def test_one_change_row_per_transaction():
    before = ContentChange.objects.count()
    with transaction.atomic():
        source = new_source("one")
        source.title = "Renamed"
        source.save()
        new_source("another")
        Cause.objects.get(slug="lupus").sources.add(source)
    assert ContentChange.objects.count() == before + 1


def test_a_rolled_back_change_takes_its_row_with_it_and_the_next_change_records_one():
    before = ContentChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        new_source("gone")
        assert ContentChange.objects.count() == before + 1
        raise RuntimeError("rolled back")
    assert ContentChange.objects.count() == before
    new_source("kept")
    assert ContentChange.objects.count() == before + 1


def test_a_change_committing_after_a_newer_one_still_changes_the_generation():
    """On PostgreSQL a transaction may commit after one that took a higher row id."""
    newest = ContentChange.objects.create()
    ContentChange.objects.create(id=newest.id + 10)
    before = generation.read_from_database()
    ContentChange.objects.create(id=newest.id + 5)  # the slower transaction commits
    assert generation.read_from_database() != before


def test_loaddata_leaves_a_new_generation(tmp_path):
    before = generation.read_from_database()
    fixture = tmp_path / "one.json"
    fixture.write_text(
        '[{"model": "causes.source", "fields": {"slug": "loaded", "title": "Loaded",'
        ' "url": "https://example.org/l", "publisher": "", "accessed": "2026-01-01"}}]'
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert generation.read_from_database() != before


def test_old_rows_are_pruned_without_repeating_a_generation():
    ContentChange.objects.bulk_create(
        ContentChange() for _ in range(2 * generation.KEEP_CHANGES + 1)
    )
    before = generation.read_from_database()
    generation.announce()
    assert ContentChange.objects.count() <= generation.KEEP_CHANGES + 1
    assert generation.read_from_database() != before


def test_an_edit_invalidates_cached_pages_once_committed(
    client, page_cache_on, django_capture_on_commit_callbacks
):
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    settle_watcher()
    with django_capture_on_commit_callbacks(execute=True):
        cause = Cause.objects.get(slug="lupus")
        cause.summary = "Changed by an editor just now."
        cause.save()
    response = client.get("/causes/lupus/")
    assert response["X-Page-Cache"] == "miss"
    assertContains(response, "Changed by an editor just now.")
    assert client.get("/")["X-Page-Cache"] == "miss"  # every page, not just that one


def test_a_page_stored_under_an_older_generation_is_not_served(client, page_cache_on):
    client.get("/causes/lupus/")
    settle_watcher()
    generation.bump()
    generation.announce()  # the test's transaction never commits: announce by hand
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "hit"


def test_with_the_database_away_cached_pages_are_still_served(client, page_cache_on):
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"
    generation.generation.forget()  # a process with no copy of its own: the mirror
    away = OperationalError("the database is away")
    with mock.patch.object(generation, "read_from_database", side_effect=away):
        assert client.get("/causes/lupus/")["X-Page-Cache"] == "hit"
        generation.generation.forget()
        # Anything else needs the database: its error at once (the 503 page), no second wait.
        with pytest.raises(OperationalError):
            client.get("/causes/sepsis/")


# --- the cache failing: the circuit breaker ------------------------------------------------


def test_a_failing_cache_is_left_alone_for_a_while_then_tried_again(client, page_cache_on):
    page_cache_on.CACHE_BREAKER_SECONDS = 60
    failing = mock.Mock(side_effect=ConnectionError("Redis is down"))
    with mock.patch.object(middleware, "cache", mock.Mock(get=failing)):
        for _ in range(3):
            response = client.get("/causes/lupus/")
            assert response.status_code == 200
            assert "X-Page-Cache" not in response
        assert failing.call_count == 1  # the breaker opened after the first failure
        middleware.breaker.open_until = 0.0  # as if CACHE_BREAKER_SECONDS had passed
        client.get("/causes/lupus/")
        assert failing.call_count == 2
    middleware.breaker.open_until = 0.0
    assert client.get("/causes/lupus/")["X-Page-Cache"] == "miss"  # back by itself


# --- real servers: every worker, every app server, faults, restore ---------------------------

SUMMARY = "Edited through the admin, seen everywhere."


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The collected static files the production settings need, collected once."""
    return collected_static(tmp_path_factory.mktemp("static"), production_env())


@pytest.fixture
def site(settings, static_root):
    """The content committed, a superuser, and the environment the servers run with."""
    call_command("load_content", verbosity=0)
    # The servers run production settings, which do not know the tests' fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    User.objects.create_superuser("ops", "ops@example.org", "ops-pass-12345678")
    env = production_env(
        DATABASE_URL=database_url(),
        DJANGO_STATIC_ROOT=str(static_root),
        PAGE_CACHE_SECONDS="600",
    )
    env.pop("REDIS_URL", None)
    return env


def edit_summary(server: Server, summary: str) -> None:
    """Change lupus's summary through the admin's change form, logged in on `server`."""
    cause = Cause.objects.get(slug="lupus")
    status, _, _ = server.request("GET", f"/admin/causes/cause/{cause.pk}/change/")
    assert status == 200
    fields = {
        "csrfmiddlewaretoken": server.cookies["csrftoken"],
        "name": cause.name,
        "slug": cause.slug,
        "kind": cause.kind,
        "category": cause.category_id,
        "status": cause.status,
        "order": cause.order,
        "summary": summary,
        "source_wording": cause.source_wording,
        "mechanisms": [m.pk for m in cause.mechanisms.all()],
        "mechanism_note": cause.mechanism_note,
        "sources": [s.pk for s in cause.sources.all()],
        "last_reviewed": cause.last_reviewed.isoformat(),
        "seen_version": cause.version,
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "drugs-TOTAL_FORMS": "0",
        "drugs-INITIAL_FORMS": "0",
    }
    status, _, body = server.form_post(f"/admin/causes/cause/{cause.pk}/change/", fields)
    assert status == 302, re.findall(r"errorlist.*?</ul>", body, re.S)


def stale(answers, summary: str) -> int:
    assert all(status == 200 for status, *_ in answers), {status for status, *_ in answers}
    return sum(summary not in body for _, _, body, _ in answers)


def stale_on_every_worker(server: Server, summary: str, path="/causes/lupus/") -> int:
    """Stale answers among concurrent requests, read until every worker has answered."""
    since, count = server.log_size(), 0
    for _ in range(5):
        count += stale(server.read_at_once(path, count=30), summary)
        if len(server.workers_that_answered(path, since)) == server.workers:
            return count
    raise AssertionError(f"only {server.workers_that_answered(path, since)} answered")


def warm(server: Server, path="/causes/lupus/") -> None:
    """Until every worker has served the page from the cache."""
    for _ in range(10):
        answers = server.read_at_once(path, count=30)
        if all(headers.get("X-Page-Cache") == "hit" for _, headers, _, _ in answers):
            return
    raise AssertionError("the page never came from the cache on every worker")


@pytest.mark.django_db(transaction=True)
def test_without_redis_every_worker_serves_an_edit_at_once(site):
    server = Server(site, workers=3)
    try:
        warm(server)
        server.login("ops", "ops-pass-12345678")
        edit_summary(server, SUMMARY)
        assert stale_on_every_worker(server, SUMMARY) == 0
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_serve_an_edit_and_a_restored_backup_at_once(site, tmp_path):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    need(bool(os.environ.get("REDIS_URL")), "needs Redis (set REDIS_URL)")
    env = {**site, "REDIS_URL": os.environ["REDIS_URL"]}
    url = database_url()
    backup = tmp_path / "backup.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={backup}", url], check=True, timeout=60)
    at_backup = generation.read_from_database()
    original = escape(Cause.objects.get(slug="lupus").summary.split("[")[0])[
        :60
    ]  # before a citation
    one, two = Server(env, workers=3), Server(env, workers=3)
    try:
        warm(one)
        warm(two)
        one.login("ops", "ops-pass-12345678")
        edit_summary(one, SUMMARY)
        for server in (two, one):
            assert stale_on_every_worker(server, SUMMARY) == 0

        # WhiteNoise serves the hashed stylesheet with far-future caching.
        body = two.request("GET", "/causes/lupus/")[2]
        css = re.search(r'href="(/static/causes/site\.[0-9a-f]+\.css)"', body).group(1)
        status, headers, _ = two.request("GET", css, headers={"Accept-Encoding": "gzip"})
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]
        assert "immutable" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"

        # Restore the backup taken before the edit, as docs/deploy.md says; every worker
        # of both servers has the edited page cached.
        warm(one)
        warm(two)
        connection.close()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={url}", backup],
            check=True,
            timeout=60,
        )
        assert generation.read_from_database() == at_backup  # exactly the backup's
        for command in ["rebuild_search_index", "invalidate_pages"]:
            subprocess.run(
                [sys.executable, "manage.py", command, "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=60,
            )
        for server in (one, two):
            assert stale_on_every_worker(server, original) == 0
    finally:
        one.stop()
        two.stop()


@pytest.mark.django_db(transaction=True)
def test_an_edit_during_a_redis_outage_is_served_fresh_and_once_redis_returns(site):
    need(bool(os.environ.get("REDIS_URL")), "needs Redis (set REDIS_URL)")
    redis_db = os.environ["REDIS_URL"].rsplit("/", 1)[-1]
    with FaultProxy("127.0.0.1", 6379) as proxy:
        env = {
            **site,
            "REDIS_URL": f"redis://127.0.0.1:{proxy.port}/{redis_db}",
            "CACHE_BREAKER_SECONDS": "1",
        }
        server = Server(env, workers=3)
        try:
            server.login("ops", "ops-pass-12345678")
            for mode in ["refuse", "hang"]:
                summary = f"{SUMMARY} ({mode})"
                warm(server)
                proxy.set_mode(mode)
                answers = server.read_at_once("/causes/lupus/", count=30)
                assert stale(answers, "") == 0  # all 200
                slowest = max(seconds for *_, seconds in answers)
                assert slowest < 2, f"Redis {mode}: slowest request {slowest:.2f} s"

                # Under way: a hang is noticed after LOST_AFTER (1 s) of silence.
                time.sleep(1.5)
                edit_summary(server, summary)
                assert stale_on_every_worker(server, summary) == 0
                proxy.set_mode("pass")
                assert stale_on_every_worker(server, summary) == 0

                # The cache comes back by itself, serving the edit.
                deadline = time.monotonic() + 10
                while True:
                    answers = server.read_at_once("/causes/lupus/", count=30)
                    assert stale(answers, summary) == 0
                    if all(h.get("X-Page-Cache") == "hit" for _, h, _, _ in answers):
                        break
                    assert time.monotonic() < deadline, f"the cache did not come back ({mode})"
                    time.sleep(0.2)
        finally:
            server.stop()
