"""The client address: X-Forwarded-For is believed only from a configured proxy, walked from
the right past the trusted proxies; gunicorn trusts the same proxies and binds to loopback."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_config.client_ip import client_ip, parse_networks
from tests.test_production import production_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def proxies(settings):
    """A load balancer at 10.0.0.5 and a CDN range in front of it."""
    settings.TRUSTED_PROXIES = ["10.0.0.5", "198.18.0.0/15", "2001:db8:ff::/48"]
    return settings


def address(rf, remote, forwarded=None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(rf.get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    "forwarded",
    [None, "", "1.1.1.1", "10.0.0.5", "1.1.1.1, 10.0.0.5", "198.18.0.1, 203.0.113.9"],
)
def test_an_untrusted_sender_is_its_own_address_whatever_it_forwards(rf, proxies, forwarded):
    assert address(rf, "203.0.113.7", forwarded) == "203.0.113.7"


def test_the_default_trusts_loopback_only(rf):
    from django.conf import settings

    assert settings.TRUSTED_PROXIES == ["127.0.0.1", "::1"]
    assert address(rf, "127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert address(rf, "::1", "203.0.113.7") == "203.0.113.7"
    assert address(rf, "10.0.0.5", "203.0.113.7") == "10.0.0.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # The proxy appended the address it was sent from; a client's own entries are left.
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "1.1.1.1,203.0.113.7", "203.0.113.7"),
        # Through the CDN, then the load balancer: both are skipped.
        ("10.0.0.5", "1.1.1.1, 203.0.113.7, 198.19.4.4", "203.0.113.7"),
        # A client that sends a trusted proxy's address itself gains nothing.
        ("10.0.0.5", "10.0.0.5, 203.0.113.7", "203.0.113.7"),
        # No header from the proxy: the proxy itself.
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        # A hop that is not an address stops the walk at the proxy that reported it.
        ("10.0.0.5", "203.0.113.7, unknown", "10.0.0.5"),
        ("10.0.0.5", "203.0.113.7:4711", "10.0.0.5"),
        # Only proxies all the way: the leftmost one.
        ("10.0.0.5", "198.18.0.1", "198.18.0.1"),
    ],
)
def test_the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy(
    rf, proxies, remote, forwarded, client
):
    assert address(rf, remote, forwarded) == client


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("2001:db8:ff::1", "2001:db8:1::7", "2001:db8:1::7"),
        ("2001:db8:ff::1", "1.1.1.1, 2001:db8:1::7, 2001:db8:ff:1::2", "2001:db8:1::7"),
        ("2001:db8:ff::1", "2001:DB8:1:0:0:0:0:7", "2001:db8:1::7"),  # one spelling per address
        ("2001:db8:1::9", "203.0.113.7", "2001:db8:1::9"),  # an untrusted IPv6 sender
        ("10.0.0.5", "2001:db8:1::7", "2001:db8:1::7"),  # an IPv6 client through IPv4 proxy
        # gunicorn on a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
        ("::ffff:10.0.0.5", "203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "1.1.1.1", "203.0.113.7"),
    ],
)
def test_ipv6_senders_and_clients(rf, proxies, remote, forwarded, client):
    assert address(rf, remote, forwarded) == client


def test_no_trusted_proxies_means_the_header_is_never_read(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert address(rf, "127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_a_forged_header_does_not_walk_past_the_lock_out(client, proxies, django_user_model):
    """Straight to gunicorn, a new X-Forwarded-For per guess: still one address, locked."""
    from django.conf import settings

    django_user_model.objects.create_user("nurse", password="right-pass-1234", is_staff=True)
    statuses = [
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "nurse", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)


def test_parse_networks_accepts_addresses_and_networks_and_refuses_junk():
    assert [str(n) for n in parse_networks(" 10.0.0.5, 10.1.0.0/16 ,::1,, ")] == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    with pytest.raises(ValueError):
        parse_networks("10.0.0.5, proxy.internal")


def run_settings(**env) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.TRUSTED_PROXIES)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_trusted_proxies_come_from_the_environment():
    result = run_settings(TRUSTED_PROXIES="10.0.0.5,10.1.0.0/16")
    assert result.stdout.strip() == "['10.0.0.5', '10.1.0.0/16']", result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXIES": "10.0.0.5,proxy.internal"}, "TRUSTED_PROXIES: "),
        ({"TRUSTED_PROXY_COUNT": "1"}, "TRUSTED_PROXY_COUNT is replaced by TRUSTED_PROXIES"),
    ],
)
def test_a_wrong_proxy_setting_stops_the_site_with_one_line(env, message):
    result = run_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def gunicorn_config(**env) -> str:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "site_config/gunicorn.py",
            "--print-config",
            "site_config.wsgi:application",
        ],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in production_env().items()
                if k not in {"GUNICORN_BIND", "PORT", "TRUSTED_PROXIES"}
            },
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_gunicorn_binds_to_loopback_unless_told_otherwise():
    assert re.search(r"^bind\s+= \['127.0.0.1:8000'\]$", gunicorn_config(), re.M)
    assert re.search(r"^bind\s+= \['127.0.0.1:9001'\]$", gunicorn_config(PORT="9001"), re.M)
    told = gunicorn_config(GUNICORN_BIND="10.0.0.21:8000")
    assert re.search(r"^bind\s+= \['10.0.0.21:8000'\]$", told, re.M)


@pytest.mark.parametrize(
    ("proxies", "allowed"),
    [
        (None, "['127.0.0.1', '::1']"),
        ("", "[]"),
        ("10.0.0.5", "['10.0.0.5']"),
        # gunicorn compares single addresses: a small network is listed address by address,
        # a large one (a CDN range, never gunicorn's direct peer) is left to Django.
        (
            "10.0.0.5, 10.0.1.0/30, 198.18.0.0/15",
            "['10.0.0.5', '10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3']",
        ),
    ],
)
def test_gunicorn_trusts_forwarded_headers_from_the_same_proxies(proxies, allowed):
    env = {} if proxies is None else {"TRUSTED_PROXIES": proxies}
    config = gunicorn_config(**env)
    assert re.search(rf"^forwarded_allow_ips\s+= {re.escape(allowed)}$", config, re.M), config
