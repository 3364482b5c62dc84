"""Settings for the neutropenia causes site, read from the environment.

Safe production defaults: DEBUG is off and a secret key is required unless
DJANGO_DEBUG is set. See README.md for the variables.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from import_export.formats.base_formats import CSV, JSON

from site_config.client_ip import parse_networks

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
    "corsheaders",
    # The API's docs (Swagger UI) from its own static files, not from a CDN.
    "ninja",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "import_export",
    "axes",
    "causes",
    "site_config.page_cache",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # The API: CORS headers on every answer, cached or not; then its methods, rate limit
    # and Cache-Control (site_config/api_guard.py), before the page cache can answer.
    "corsheaders.middleware.CorsMiddleware",
    "site_config.api_guard.ApiGuardMiddleware",
    # Serves anonymous public pages from the shared cache, before anything below runs;
    # a stored page keeps the headers the middleware below added.
    "site_config.page_cache.middleware.PageCacheMiddleware",
    # The suggestions (LEAN_PATHS) are answered here, without the middleware below.
    "site_config.middleware.LeanPathMiddleware",
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

# GET views that read no session, user, CSRF token or message: answered by
# LeanPathMiddleware without the middleware below it (site_config/middleware.py).
LEAN_PATHS = ["causes:suggest", "causes:search"]

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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when PostgreSQL is down or hung, so a request gets the 503 page in seconds
    # instead of waiting for gunicorn to kill the worker (docs/deploy.md, "Timeouts and
    # outages"). Our backend adds the read timeout, which libpq lacks.
    DATABASES["default"]["ENGINE"] = "site_config.postgresql"
    statement_timeout_ms = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000)
    read_timeout = env.float(
        "DATABASE_READ_TIMEOUT",
        default=statement_timeout_ms / 1000 + 1 if statement_timeout_ms else 0.0,
    )
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.update(
        {
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),  # libpq: >= 2
            "options": f"{options.get('options', '')} -c statement_timeout={statement_timeout_ms}",
            "read_timeout": read_timeout,
            # A dead network path: unacknowledged data fails after 5 s, and an idle reused
            # connection to a vanished host is found by keepalives.
            "tcp_user_timeout": 5000,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
    )
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

REDIS_URL = env.str("REDIS_URL", default="")
# Without Redis (one machine): a directory of cache files that every worker shares.
CACHE_DIR = Path(env.str("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")))
if REDIS_URL:
    # Shared by every app server. Short timeouts and no retries, so a hung Redis costs a
    # request at most REDIS_TIMEOUT before the page cache's circuit breaker opens.
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "neutropenia",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.25),
                "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},
            },
        }
    }
    CONTENT_GENERATION_STAMP = None  # content changes are announced over Redis pub/sub
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR / "default",
            "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=5000)},
        }
    }
    # Every worker stats this file per request; a writer appends to it after its commit.
    CONTENT_GENERATION_STAMP = CACHE_DIR / "content-generation"
# Public pages are cached this long for anonymous visitors; 0 turns the page cache off.
# (Off under DEBUG, so template changes show at once while developing.)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)
# What browsers and a CDN may reuse without asking again (they revalidate with ETag after).
PUBLIC_MAX_AGE_SECONDS = env.int("PUBLIC_MAX_AGE_SECONDS", default=60)
# Each process re-reads the content generation from the database at least this often,
# even when no change was announced (site_config/page_cache/generation.py).
PAGE_CACHE_REVALIDATE_SECONDS = env.float("PAGE_CACHE_REVALIDATE_SECONDS", default=5)
# Pages keyed by query parameters (search) stored per content generation, at most.
PAGE_CACHE_QUERY_PAGES = env.int("PAGE_CACHE_QUERY_PAGES", default=500)
# The query parameters each page reads, normalised into its cache key. A request with any
# other parameter (tracking ones such as utm_* aside, which are ignored) is not cached.
PAGE_CACHE_QUERY_PARAMETERS = {
    "/search/": ("q", "page"),
    "/search/suggest": ("q",),
    "/sitemap.xml": ("p",),
    "/api/v1/causes": ("category", "mechanism", "q", "page", "page_size"),
    "/api/v1/drugs": ("cause", "q", "page", "page_size"),
    "/api/v1/search": ("q",),
}

# --- the JSON API (/api/v1/, causes/api/) ---------------------------------------------------
# Requests per client address, counted across every app server in the shared cache; empty
# turns the limit off. django-ratelimit's rate format: "120/m", "5000/h".
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/m")
RATELIMIT_USE_CACHE = "default"
API_SEARCH_RESULTS = 50  # results one /api/v1/search answer lists (the count says how many)
# CORS: public data, readable from any origin, by GET only, without credentials.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400
# What the open-data page and every download say about reuse.
OPEN_DATA_LICENCE = env.str("OPEN_DATA_LICENCE", default="CC BY 4.0")
OPEN_DATA_LICENCE_URL = env.str(
    "OPEN_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/"
)
OPEN_DATA_ATTRIBUTION = env.str(
    "OPEN_DATA_ATTRIBUTION",
    default="Neutropenia causes, a plain-language reference on the causes of neutropenia",
)
# After a cache failure, each process leaves the cache alone this long, then tries again.
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=5)

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

# django-axes: lock out a password guesser by user name and address together, and an
# address that sprays guesses over many user names at a higher limit of its own, so one
# office behind a NAT is not locked out by a few colleagues' typos (site_config/lockout.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "site_config.lockout.AddressWideLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "site_config.client_ip.client_ip"
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); the
# same list tells gunicorn whose X-Forwarded-* headers to trust (site_config/gunicorn.py).
if env.str("TRUSTED_PROXY_COUNT", default=""):
    raise SystemExit(
        "TRUSTED_PROXY_COUNT is replaced by TRUSTED_PROXIES: list the proxies' addresses "
        "or networks, comma-separated (e.g. TRUSTED_PROXIES=10.0.0.5); see docs/deploy.md."
    )
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as error:
    raise SystemExit(f"TRUSTED_PROXIES: {error}") from None

# Content: how many search results a page shows.
SEARCH_RESULTS_PER_PAGE = 20
# Editorial: how long a review stays valid before the entry is due again.
REVIEW_INTERVAL_DAYS = env.int("REVIEW_INTERVAL_DAYS", default=365)

# Imports run in one transaction: a file with any bad row changes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Importing needs a right of its own: causes.import_cause, import_drug, import_source.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
# The uploaded file waits between preview and confirmation in the default cache, which every
# app server shares, and is dropped after IMPORT_PREVIEW_SECONDS if never confirmed.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "site_config.import_previews.CachedImportPreview"
IMPORT_PREVIEW_SECONDS = env.int("IMPORT_PREVIEW_SECONDS", default=3600)
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
