"""Schemathesis fuzzes the JSON API against its own live OpenAPI schema, with every check
on: no server error, no answer that breaks the schema (status codes, content types,
headers, bodies), invalid input refused with a 4xx, valid input accepted.

Each operation is fuzzed with valid and with invalid input (Hypothesis, derandomized so a
failure repeats), in process through the WSGI app and the whole middleware stack.
(schemathesis's own pytest plugin does not yet run under pytest 9, so the cases are drawn
with its strategies here.)"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS

pytestmark = pytest.mark.django_db
EXAMPLES = 40  # per operation and mode: some 900 requests in all


@pytest.fixture
def api_schema(settings):
    # Hundreds of requests from one address: the rate limit is tested on its own.
    settings.API_RATE_LIMIT = ""
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis sends
    from site_config.wsgi import application

    # As Django's test client does: a request's end must not close the test's connection
    # (and with it the transaction the test runs in).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 11
    return found


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_the_api_keeps_to_its_schema(api_schema, mode):
    checks = CHECKS.get_all()
    failures = {}
    for operation in operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(checks=checks)

        try:
            fuzz()
        except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
            assert mode == schemathesis.GenerationMode.NEGATIVE
        except (Exception, BaseExceptionGroup) as failure:  # one must not hide another
            failures[operation.label] = str(failure)[:2000]
    for label, failure in failures.items():
        print(f"===== {label}\n{failure}")
    assert failures == {}
