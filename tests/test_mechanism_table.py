"""The page that crosses the mechanisms with the categories (/mechanisms/)."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from causes.models import Cause, Mechanism

pytestmark = pytest.mark.django_db
URL = "/mechanisms/"


def row_of(body: str, cause: Cause) -> str:
    link = f'<th scope="row"><a href="{cause.get_absolute_url()}">'
    return body.split(link)[1].split("</tr>")[0]


def test_every_published_cause_is_a_row_with_a_cell_per_mechanism(client):
    body = client.get(URL).content.decode()
    mechanisms = list(Mechanism.objects.all())
    assert body.count('<th scope="col">') == len(mechanisms) + 2  # cause, each, not established
    for cause in Cause.objects.published().prefetch_related("mechanisms"):
        row = row_of(body, cause)
        cells = re.findall(r"<td>(.*?)</td>", row)
        assert len(cells) == len(mechanisms) + 1, cause
        acts = {m for m, cell in zip(mechanisms, cells, strict=False) if "yes" in cell}
        assert acts == set(cause.mechanisms.all()), cause
        assert ("not established" in cells[-1]) == (not cause.mechanisms.exists()), cause


def test_categories_are_row_groups_a_screen_reader_announces(client):
    response = client.get(URL)
    assertContains(response, '<th scope="rowgroup"', count=6)
    assertContains(response, "<caption")
    assertContains(response, 'role="region"')


def test_linked_from_home_and_each_mechanism_page(client):
    assertContains(client.get("/"), f'href="{URL}"')
    for mechanism in Mechanism.objects.all():
        assertContains(client.get(mechanism.get_absolute_url()), f'href="{URL}"')


def test_drafts_are_not_in_the_table(client, cause):
    cause.status = "draft"
    cause.save()
    assert cause.name not in client.get(URL).content.decode()


def test_a_fixed_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(4):
        assert client.get(reverse("causes:mechanism-table")).status_code == 200
