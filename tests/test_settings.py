"""Settings come from the environment and refuse to start when unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_django(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "site_config.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_secret_key_and_debug_off_the_site_refuses_to_start_in_one_line():
    result = run_django({})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "DJANGO_SECRET_KEY is not set: set it to a long random string "
        "(or set DJANGO_DEBUG=1 for local development)."
    ]


def test_debug_is_off_unless_set():
    result = run_django({"DJANGO_SECRET_KEY": "k" * 50})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_can_be_switched_on_for_local_development():
    result = run_django({"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_and_allowed_hosts_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.ALLOWED_HOSTS)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="a.example,b.example",
        DATABASE_URL="postgres://u@db.example:5432/x",
        DJANGO_SETTINGS_MODULE="site_config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == [
        "site_config.postgresql",  # Django's, with a read timeout (site_config/postgresql/)
        "['a.example',",
        "'b.example']",
    ]


@pytest.mark.parametrize(
    "variables, expected",
    [
        ({}, "3 -c statement_timeout=5000 6.0 5000"),
        (
            {"DATABASE_CONNECT_TIMEOUT": "2", "DATABASE_STATEMENT_TIMEOUT_MS": "1000"},
            "2 -c statement_timeout=1000 2.0 5000",
        ),
        ({"DATABASE_STATEMENT_TIMEOUT_MS": "0"}, "3 -c statement_timeout=0 0.0 5000"),
        ({"DATABASE_READ_TIMEOUT": "4"}, "3 -c statement_timeout=5000 4.0 5000"),
    ],
)
def test_postgresql_timeouts_come_from_the_environment(variables, expected):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "o = settings.DATABASES['default']['OPTIONS']; "
        "print(o['connect_timeout'], o['options'].strip(), o['read_timeout'], "
        "o['tcp_user_timeout'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u@db.example:5432/x",
        DJANGO_SETTINGS_MODULE="site_config.settings",
        **variables,
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == expected, result.stderr
