"""Shared fixtures. The site's content is loaded once per test database and every test
runs inside a transaction that is rolled back, so tests see the real content and
cannot leak changes into each other."""

import os
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from causes.models import BrandName, Category, Cause, Drug, Mechanism, Source, Status

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# .ci/run sets this for its PostgreSQL + Redis pass: there, nothing may be skipped.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing; in CI's all-services pass, fail instead."""
    if condition:
        return
    if IN_CI and REQUIRE_SERVICES:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    """In CI's all-services pass a skipped test is a failure: nothing is silently left out."""
    if not (IN_CI and REQUIRE_SERVICES):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"{len(skipped)} test(s) skipped in the all-services pass: failing.")
        session.exitstatus = 1


def make_roles() -> None:
    """The Editors and Publishers groups with the permissions the migrations give them,
    for a transactional test: its flushed database has the permissions again (Django
    recreates them), but no groups."""
    from importlib import import_module

    from django.contrib.auth.models import Permission

    roles = import_module("causes.migrations.0005_editors_and_publishers")
    later = import_module("causes.migrations.0008_roles_for_editorial_integrity")
    editors = (roles.editor_codenames() | later.EDITOR_GAINS) - later.EDITOR_LOSES
    publishers = roles.publisher_codenames() | later.PUBLISHER_GAINS
    perms = Permission.objects.filter(content_type__app_label="causes")
    for name, codes in [("Editors", editors), ("Publishers", publishers)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms.filter(codename__in=codes))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (local memory, or CI's Redis database)."""
    from django.core.cache import cache

    from site_config.page_cache import generation

    cache.clear()
    generation.generation.forget()  # its copy may come from another test's transaction
    yield


@pytest.fixture
def postgresql(db):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def source(db) -> Source:
    return Source.objects.create(
        slug="test-source",
        title="A test source",
        publisher="Test Journal",
        url="https://example.org/source",
        accessed=date(2026, 1, 1),
    )


@pytest.fixture
def category(db) -> Category:
    return Category.objects.create(
        slug="test-category", name="Test category", status=Status.PUBLISHED, order=99
    )


@pytest.fixture
def mechanism(db) -> Mechanism:
    return Mechanism.objects.get(slug="destruction")


@pytest.fixture
def cause(db, category, source, mechanism) -> Cause:
    cause = Cause.objects.create(
        slug="zelbrix-syndrome",
        name="Zelbrix syndrome",
        category=category,
        summary="A made-up condition for tests.",
        last_reviewed=date(2026, 1, 1),
        status=Status.PUBLISHED,
    )
    cause.sources.add(source)
    cause.mechanisms.add(mechanism)
    return cause


@pytest.fixture
def drug(db, cause) -> Drug:
    drug = Drug.objects.create(
        slug="quorvatide",
        name="Quorvatide",
        cause=cause,
        drug_class="made-up test drug",
        summary="A made-up drug for tests.",
        last_reviewed=date(2026, 1, 1),
        status=Status.PUBLISHED,
    )
    BrandName.objects.create(drug=drug, name="Quorvix")
    return drug


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", "editor@example.org", "editor-pass-1234")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def pytest_addoption(parser):
    parser.addoption(
        "--write-snapshot",
        action="store_true",
        help="Rewrite tests/data/search_snapshot.json from this database's search results.",
    )


@pytest.fixture(autouse=True)
def _write_search_snapshot(request):
    """With --write-snapshot, the relevance snapshot is rewritten before its test runs."""
    if request.config.getoption("--write-snapshot") and request.node.name == (
        "test_results_are_the_same_on_every_database"
    ):
        import json

        from tests.test_search_relevance import SNAPSHOT, snapshot_of_all_queries

        request.getfixturevalue("db")
        SNAPSHOT.write_text(
            json.dumps(snapshot_of_all_queries(), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    yield
