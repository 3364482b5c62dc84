"""Django's floor: the fastest a Django page of a given size can be served.

A one-file Django app with no database, no sessions and no auth: SecurityMiddleware and
CommonMiddleware only, as on a plain Django site. At any path it renders, through Django's
template engine, an HTML page of exactly FLOOR_BYTES bytes (default 20000).

    FLOOR_BYTES=20000 GUNICORN_BIND=127.0.0.1:8001 \\
        .venv/bin/gunicorn -c site_config/gunicorn.py --pythonpath bench floor_app:application

bench/load_bench.py compares the site's throughput with this app's, page size for size.
"""

import os

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-app-throwaway-secret-key-not-used-for-anything-0123456789",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    # As the site: behind a TLS proxy that says so, so both read the same request header.
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402 (needs settings first)
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import re_path  # noqa: E402

PAGE_BYTES = int(os.environ.get("FLOOR_BYTES", "20000"))
# Plain ASCII with nothing to escape, so the rendered size is the sum of the parts.
SENTENCE = "Neutrophils are the white blood cells that fight bacteria and fungi first. "
# Long paragraphs (about 1 KB): the template's loop runs once per KB, not once per line,
# so the floor stays the least template work a page this big can take.
LINE = SENTENCE * 13

TEMPLATE = engines["django"].from_string(
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    "<title>{{ title }}</title></head>\n<body>\n<h1>{{ title }}</h1>\n"
    "{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>\n{% endfor %}"
    "</body>\n</html>\n"
)


def paragraphs_for(size: int) -> list[str]:
    """Paragraphs that bring the rendered page to exactly `size` bytes (or its minimum)."""
    empty = len(TEMPLATE.render({"title": "Floor", "paragraphs": []}).encode())
    per_paragraph = len("<p></p>\n")
    paragraphs = []
    room = size - empty
    while room > per_paragraph:
        text = LINE[: min(len(LINE), room - per_paragraph)]
        paragraphs.append(text)
        room -= per_paragraph + len(text)
    if room > 0 and paragraphs:  # fewer bytes left than an empty <p>: lengthen the last one
        paragraphs[-1] += "x" * room
    return paragraphs


PARAGRAPHS = paragraphs_for(PAGE_BYTES)


def page(request, path=""):
    # Rendered on every request, as a Django view would; only the data is precomputed.
    return HttpResponse(TEMPLATE.render({"title": "Floor", "paragraphs": PARAGRAPHS}, request))


urlpatterns = [re_path(r"^(?P<path>.*)$", page)]

application = get_wsgi_application()
