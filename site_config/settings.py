"""Settings for the neutropenia causes site, read from the environment.

Safe production defaults: DEBUG is off and a secret key is required unless
DJANGO_DEBUG is set. See README.md for the variables.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from import_export.formats.base_formats import CSV, JSON

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # One line, not a traceback: the operator only needs to know what to set.
        raise SystemExit(
            "DJANGO_SECRET_KEY is not set: set it to a long random string "
            "(or set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "import_export",
    "axes",
    "causes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Serves anonymous public pages from the shared cache, before anything below runs;
    # a stored page keeps the headers the middleware below added.
    "causes.page_cache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "site_config.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it watches logins and answers lock-outs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site_config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections, checked before reuse, so a restarted database costs no errors.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A write transaction takes SQLite's write lock when it begins (IMMEDIATE), and a
    # second writer waits up to `timeout` seconds for it instead of failing at once with
    # "database is locked"; WAL lets pages be read while an editor saves.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("REDIS_URL", default=""):
    # Shared by every app server, so one editor's change invalidates pages everywhere.
    CACHES = {
        "default": {
            "BACKEND": "site_config.cache.SharedRedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "neutropenia",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages are cached this long for anonymous visitors; 0 turns the page cache off.
# (Off under DEBUG, so template changes show at once while developing.)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)
# What browsers and a CDN may reuse without asking again (they revalidate with ETag after).
PUBLIC_MAX_AGE_SECONDS = env.int("PUBLIC_MAX_AGE_SECONDS", default=60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- security: production defaults; `manage.py check --deploy` reports nothing ------------
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# No inline script or style anywhere: scripts and styles come from our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-axes: lock out a password guesser by user name and address together.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "site_config.client_ip.client_ip"
# How many proxies in front of the app append to X-Forwarded-For (the TLS proxy: 1).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Content: how many search results a page shows.
SEARCH_RESULTS_PER_PAGE = 20
# Editorial: how long a review stays valid before the entry is due again.
REVIEW_INTERVAL_DAYS = env.int("REVIEW_INTERVAL_DAYS", default=365)

# Imports run in one transaction: a file with any bad row changes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Importing needs a right of its own: causes.import_cause, import_drug, import_source.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
# Revert happens on the entry's versions page, whole entry at once, through the rules
# (causes.editing); django-simple-history's own form would bypass them.
SIMPLE_HISTORY_REVERT_DISABLED = True
IMPORT_FORMATS = EXPORT_FORMATS = [CSV, JSON]

# Logs go to stdout, one line per event; a request error's line carries the path, the
# exception and where it was raised (site_config/log_format.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "site_config.log_format.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "django.request": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        # Every failed login and every lock-out, one line each; not axes's start-up banner.
        "axes": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "axes.apps": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
