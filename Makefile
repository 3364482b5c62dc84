# Quick start: `make run` serves the site on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Local development only: DEBUG on, a fixed insecure key, the SQLite file db.sqlite3.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-insecure-local-development-key}

.PHONY: run serve test install install-dev admin export lint format check clean lighthouse

# What the site runs (make run, make serve) ...
$(BIN)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# ... and the test and lint tools on top (make test, make lint); a change to either file
# reinstalls, since a new runtime stamp is newer than this one.
$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_content
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# As in production: DEBUG off, gunicorn (site_config/gunicorn.py), WhiteNoise serving the
# collected, compressed, hashed static files. Plain-HTTP requests are redirected to HTTPS
# unless DJANGO_SECURE_SSL_REDIRECT=0 (locally there is no TLS proxy in front).
SERVE_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-insecure-local-serve-key-0123456789abcdefghijklmnopqrstuvwxyz} \
	DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} DJANGO_HSTS_SECONDS=$${DJANGO_HSTS_SECONDS:-0} \
	DJANGO_SECURE_COOKIES=$${DJANGO_SECURE_COOKIES:-0} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}

serve: install
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py load_content
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(SERVE_ENV) GUNICORN_BIND=$${GUNICORN_BIND:-127.0.0.1:$(PORT)} $(BIN)/gunicorn -c site_config/gunicorn.py site_config.wsgi:application

test: install-dev tests/axe/node_modules/.installed
	$(BIN)/python -m pytest

# axe-core for the accessibility tests, from the npm registry at the version the lock file
# pins; without npm the tests that need it skip (and fail in CI).
tests/axe/node_modules/.installed: tests/axe/package.json tests/axe/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will skip"; fi

# Lighthouse scores of every kind of public page (bench/lighthouse_bench.py), with the
# lighthouse version the lock file pins, driving Debian's Chromium.
lighthouse: install-dev
	npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error
	$(BIN)/python bench/lighthouse_bench.py

# Create an admin account (asks for a password; nothing is baked in).
admin: install
	$(DEV_ENV) $(BIN)/python manage.py createsuperuser

# Write the database's content back to fixtures/neutropenia.json.
export: install
	$(DEV_ENV) $(BIN)/python manage.py export_fixture

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles var/cache .pytest_cache .ruff_cache
