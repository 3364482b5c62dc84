"""Import previews wait in the cache every app server shares, not in one server's temporary
folder: a preview made on one server is confirmed on another, an unknown or expired preview
is a message (never a 500), and an abandoned preview expires."""

import os
import re
import tempfile
import time
from contextlib import contextmanager
from html import unescape
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains

from causes.models import Source
from site_config.import_previews import CachedImportPreview, ImportPreviewGone
from tests.conftest import need
from tests.servers import collected_static
from tests.test_production import Server, database_url, production_env

pytestmark = pytest.mark.django_db

CSV = (
    "slug,title,publisher,url,accessed\n"
    "imported-on-one,Imported on server one,Journal,https://example.org/one,2026-11-01\n"
)
GONE = "This import preview has expired or was already imported."


def preview(client):
    upload = SimpleUploadedFile("sources.csv", CSV.encode(), content_type="text/csv")
    response = client.post(
        reverse("admin:causes_source_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    assertContains(response, "Imported on server one")
    return response.context["confirm_form"].initial


def confirm(client, form):
    return client.post(reverse("admin:causes_source_process_import"), form, follow=True)


@pytest.fixture
def shared_cache(settings, tmp_path):
    """The default cache as the app servers have it. The tests' per-process memory cache
    stands for nothing a second server could read, so it is replaced by a file cache, as
    every worker of one machine shares without Redis; Redis (CI) is used as it is."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == "django.core.cache.backends.locmem.LocMemCache":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    yield
    caches["default"].clear()


@contextmanager
def app_server(tmp_path, name):
    """Another server: its own temporary folder, and none of this process's cache state."""
    folder = tmp_path / name
    folder.mkdir()
    locmem._caches.clear()
    locmem._expire_info.clear()
    for alias in list(caches):
        caches[alias].close()
        del caches[alias]
    with mock.patch.object(tempfile, "tempdir", str(folder)):
        yield folder


def test_a_preview_made_on_one_server_is_confirmed_on_another(admin_client, shared_cache, tmp_path):
    with app_server(tmp_path, "one") as one:
        form = preview(admin_client)
    with app_server(tmp_path, "two"):
        done = confirm(admin_client, form)
    assert done.redirect_chain[-1][0] == reverse("admin:causes_source_changelist")
    assert Source.objects.get(slug="imported-on-one").title == "Imported on server one"
    assert list(one.iterdir()) == []  # nothing was left in server one's folder


def test_the_two_server_simulation_catches_a_per_server_store(admin_client, tmp_path, settings):
    """The same steps with django-import-export's default (the server's temporary folder)
    fail on the second server: the simulation above is not trivially passed."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.TempFolderStorage"
    with app_server(tmp_path, "one") as one:
        form = preview(admin_client)
    assert len(list(one.iterdir())) == 1
    with app_server(tmp_path, "two"), pytest.raises(FileNotFoundError):
        confirm(admin_client, form)


@pytest.mark.parametrize(
    "name", ["0" * 32, "not-a-preview", "../../etc/passwd", "django-import-export-x"]
)
def test_an_unknown_preview_is_a_message_not_a_500(admin_client, name):
    form = {"import_file_name": name, "original_file_name": "x.csv", "format": "0"}
    response = confirm(admin_client, form)
    assert response.redirect_chain == [(reverse("admin:causes_source_import"), 302)]
    assertContains(response, GONE)
    assert not Source.objects.filter(slug="imported-on-one").exists()


def test_a_confirmation_without_a_preview_name_is_refused_by_the_form(admin_client):
    response = confirm(admin_client, {"original_file_name": "x.csv", "format": "0"})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors == {
        "import_file_name": ["This field is required."]
    }


def test_a_preview_is_imported_once_then_gone(admin_client):
    form = preview(admin_client)
    assert confirm(admin_client, form).status_code == 200
    again = confirm(admin_client, form)  # a second click, or the back button
    assertContains(again, GONE)
    assert Source.objects.filter(slug="imported-on-one").count() == 1


def test_an_abandoned_preview_expires(admin_client, settings):
    settings.IMPORT_PREVIEW_SECONDS = 1
    form = preview(admin_client)
    stored = CachedImportPreview(name=form["import_file_name"])
    assert stored.read() == CSV.encode()
    time.sleep(2.1)
    with pytest.raises(ImportPreviewGone):
        stored.read()
    assertContains(confirm(admin_client, form), GONE)
    assert not Source.objects.filter(slug="imported-on-one").exists()


def test_previews_live_an_hour_by_default(admin_client):
    from django.conf import settings

    assert settings.IMPORT_PREVIEW_SECONDS == 3600
    with mock.patch("import_export.tmp_storages.cache", wraps=caches["default"]) as cache:
        confirm(admin_client, preview(admin_client))
    name, _, lifetime = cache.set.call_args.args
    assert name.startswith("import-preview-") and lifetime == 3600
    assert cache.delete.call_args.args == (name,)  # and go at once when imported


def test_a_cache_that_refuses_the_preview_is_a_message_not_a_500(admin_client):
    upload = SimpleUploadedFile("sources.csv", CSV.encode(), content_type="text/csv")
    with mock.patch("import_export.tmp_storages.cache.set", side_effect=ConnectionError):
        response = admin_client.post(
            reverse("admin:causes_source_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
            follow=True,
        )
    assert response.redirect_chain == [(reverse("admin:causes_source_import"), 302)]
    assertContains(response, "The import preview could not be stored just now.")


# --- the real thing: two gunicorn servers, each with its own temporary folder ---------------


@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_servers_share_import_previews(tmp_path, settings):
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    need(bool(os.environ.get("REDIS_URL")), "needs Redis (set REDIS_URL)")
    call_command("load_content", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    User.objects.create_superuser("ops", "ops@example.org", "ops-pass-12345678")
    env = production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    collected_static(tmp_path / "static", env)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = Server({**env, "TMPDIR": str(tmp_path / "one")})
    two = Server({**env, "TMPDIR": str(tmp_path / "two")})
    try:
        one.login("ops", "ops-pass-12345678")
        status, _, page = one.request("GET", "/admin/causes/source/import/")
        assert status == 200
        boundary = "previewboundary"
        body = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in [
                ("csrfmiddlewaretoken", one.cookies["csrftoken"]),
                ("format", "0"),
                ("resource", "0"),
            ]
        )
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; '
            f'filename="sources.csv"\r\nContent-Type: text/csv\r\n\r\n{CSV}\r\n--{boundary}--\r\n'
        )
        status, _, page = one.request(
            "POST",
            "/admin/causes/source/import/",
            body.encode(),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert status == 200, page
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        assert fields["import_file_name"]
        assert not Source.objects.filter(slug="imported-on-one").exists()

        two.cookies = dict(one.cookies)  # the same editor's session, on the other server
        fields["csrfmiddlewaretoken"] = two.cookies["csrftoken"]
        status, headers, page = two.form_post(
            "/admin/causes/source/process_import/",
            {name: unescape(value) for name, value in fields.items()},
        )
        assert status == 302, page
        assert headers["Location"] == "/admin/causes/source/"
        assert Source.objects.get(slug="imported-on-one").title == "Imported on server one"
        assert [p for p in (tmp_path / "one").iterdir() if p.is_file()] == []

        status, headers, _ = two.form_post(
            "/admin/causes/source/process_import/",
            {name: unescape(value) for name, value in fields.items()},
        )
        assert status == 302 and headers["Location"] == "/admin/causes/source/import/"
    finally:
        one.stop()
        two.stop()
