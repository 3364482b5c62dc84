"""Fast settings for the test suite: same as production except what slows tests down."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")

from site_config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests roll back their transactions, so on-commit invalidation never runs: the page
# cache is off unless a test turns it on (tests/test_production.py does).
PAGE_CACHE_SECONDS = 0
# The test client speaks plain HTTP; tests/test_production.py checks the redirect itself.
SECURE_SSL_REDIRECT = False
LOGGING["loggers"]["axes"]["level"] = "WARNING"  # noqa: F405
# Never the project's collected files, which a benchmark may be rewriting meanwhile.
STATIC_ROOT = BASE_DIR / "tests" / "no-collected-static"  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
