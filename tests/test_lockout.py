"""The admin lock-out counts failures per user name and address (AXES_FAILURE_LIMIT) and per
address across user names (AXES_ADDRESS_FAILURE_LIMIT): password spraying is locked out for
the cool-off, an office's colleagues' typos are not, and other addresses are never."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.7"


@pytest.fixture
def nurse(db) -> User:
    return User.objects.create_user("nurse", password="right-pass-1234", is_staff=True)


def login(username, password, ip=SPRAYER) -> int:
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )
    return response.status_code


def spray(guesses: int, ip=SPRAYER, names=27) -> list[int]:
    """`guesses` wrong passwords, spread round-robin over `names` user names."""
    return [login(f"user{n % names}", f"guess-{n}", ip) for n in range(guesses)]


def test_the_limits_are_five_per_name_and_twenty_per_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]


def test_password_spraying_is_locked_out_at_the_address_limit(nurse):
    """108 guesses over 27 user names (4 each, under the per-name limit) used to lock
    nothing out; now the address is locked at its 20th failure and stays locked."""
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    statuses = spray(108)
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1 :] == [429] * (108 - limit + 1)
    # Locked for every name, even a real one with its right password.
    assert login("nurse", "right-pass-1234") == 429
    assert login("someone-new", "anything") == 429


def test_the_sprayer_stays_locked_for_the_cool_off_and_no_longer(nurse):
    spray(settings.AXES_ADDRESS_FAILURE_LIMIT)
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + timedelta(minutes=1))
    assert login("nurse", "right-pass-1234") == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(minutes=1))
    assert login("nurse", "right-pass-1234") == 302


def test_guessing_on_while_locked_keeps_the_address_locked(nurse):
    """A refused guess still counts and restarts its name's cool-off (axes's default), so a
    sprayer who keeps going stays locked and has no password checked."""
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    spray(limit)
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + timedelta(minutes=1))
    assert spray(limit) == [429] * limit
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=2))
    assert login("nurse", "right-pass-1234") == 429


def test_another_address_is_not_locked_out(nurse):
    spray(108)
    assert login("nurse", "right-pass-1234", ip="198.51.100.9") == 302
    assert login("nurse", "right-pass-1234", ip="2001:db8::9") == 302


def test_an_office_behind_one_address_survives_its_colleagues_typos(nurse):
    """Below the address limit, each colleague is counted on their own: four typos each
    from 4 colleagues (16 failures) lock nobody out and the nurse still logs in."""
    assert spray(16, names=4) == [200] * 16
    assert login("nurse", "right-pass-1234") == 302


def test_a_successful_login_forgives_only_its_own_failures(nurse):
    """A colleague's (or the sprayer's own account's) good login must not reset the count
    the other names' failures built up at that address."""
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert login("nurse", "typo") == 200
    assert spray(limit - 2) == [200] * (limit - 2)
    assert login("nurse", "right-pass-1234") == 302
    assert not AccessAttempt.objects.filter(username="nurse").exists()
    # The nurse's typo is forgiven; the sprayer's 18 failures are not: two more lock it.
    assert spray(2) == [200, 429]


def test_the_per_name_limit_still_locks_one_name_first(nurse):
    statuses = [login("nurse", "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert login("nurse", "right-pass-1234") == 429
    assert login("other", "wrong") == 200  # the address is not locked for other names
