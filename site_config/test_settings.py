"""Fast settings for the test suite: same as production except what slows tests down."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")

from site_config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests roll back their transactions, so on-commit invalidation never runs: the page
# cache is off unless a test turns it on (tests/test_production.py does).
PAGE_CACHE_SECONDS = 0
# No background re-reads: a thread's connection would see none of a test's transaction.
PAGE_CACHE_REVALIDATE_SECONDS = 0
if not REDIS_URL:  # noqa: F405
    # Local memory, not cache files: fast, and never shared with another test run. The
    # stamp file still stands in for the announcement of content changes, per run.
    import tempfile

    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CONTENT_GENERATION_STAMP = os.path.join(
        tempfile.gettempdir(), f"neutropenia-tests-{os.getpid()}.generation"
    )
# The test client speaks plain HTTP; tests/test_production.py checks the redirect itself.
SECURE_SSL_REDIRECT = False
LOGGING["loggers"]["axes"]["level"] = "WARNING"  # noqa: F405
# Never the project's collected files, which a benchmark may be rewriting meanwhile.
STATIC_ROOT = BASE_DIR / "tests" / "no-collected-static"  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, like production's, so threads share it through SQLite's own locking (with the
    # busy timeout): an in-memory test database is shared through SQLite's shared cache,
    # whose table locks fail at once ("database table is locked") instead of waiting.
    # One per test run, so runs side by side in one checkout do not delete each other's.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"neutropenia-tests-{os.getpid()}.sqlite3")
    }
