"""The public read-only JSON API at /api/v1/ (Django Ninja), described at
/api/v1/openapi.json, with interactive docs at /api/v1/docs served from the site's own
static files.

Only published content, identified by slugs. Search and look-ups use the site's own
engine (`search_entries`, and the medicines check's `answer()` with its limits), so the API
and the pages can never give different answers. Methods, rate limits, Cache-Control and
CORS are the business of `site_config/api_guard.py`, and ETag/304 of Django's
ConditionalGetMiddleware, for every response alike.
"""

import math
from typing import Annotated

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from ninja import NinjaAPI, Query
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import StringConstraints

from causes import medicines
from causes.api import data, downloads
from causes.api.schemas import (
    CategoryOut,
    CauseDetail,
    CausePage,
    DrugDetail,
    DrugPage,
    Error,
    LookupOut,
    MechanismOut,
    SearchOut,
)
from causes.models import Cause, Drug
from causes.search import MAX_QUERY_LENGTH, search_entries


class SafeJSONRenderer(JSONRenderer):
    """JSON with <, > and & escaped as \\u003c, \\u003e, \\u0026: the same data, yet no text in
    it (an editor's, or a query echoed in an error) can become markup in a page that
    pastes the JSON into HTML."""

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        return super().render(request, data, response_status=response_status).translate(ESCAPES)


ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}

api = NinjaAPI(
    renderer=SafeJSONRenderer(),
    title="Neutropenia causes API",
    version="1",
    description=(
        "The published content of the Neutropenia causes reference, read only: categories, "
        "mechanisms, causes and drugs with their brand names, sources and review dates; "
        "look-ups of medicine names; and the site's search. Texts cite their sources as "
        "numbers ([1]) into each entry's `sources`. Free to use with attribution: see "
        "/data/."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Every operation may answer 429 (the rate limit, site_config/api_guard.py).
LIMITED = {429: Error}
NOT_FOUND = {404: Error}
BAD_REQUEST = {400: Error}


def error(request, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


@api.exception_handler(NinjaValidationError)
def bad_parameters(request, exc):
    """400 (not Ninja's 422), naming each parameter that was wrong and why."""
    problems = []
    for item in exc.errors:
        where = ".".join(str(part) for part in item.get("loc", [])[1:]) or "request"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return error(request, "Bad parameters. " + "; ".join(problems), 400)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return error(request, str(exc), exc.status_code)


def not_found(kind: str, slug: str) -> HttpError:
    return HttpError(404, f"No published {kind} has the slug “{slug[:100]}”.")


def paged(entries, page: int, page_size: int, shape) -> dict:
    """One page of `entries` (a QuerySet, read a page at a time, or a ranked list), each
    entry in its `shape`."""
    count = entries.count() if isinstance(entries, QuerySet) else len(entries)
    pages = max(1, math.ceil(count / page_size))
    if page > pages:
        raise HttpError(404, f"Page {page} does not exist: there are {pages}.")
    start = (page - 1) * page_size
    results = [shape(entry) for entry in entries[start : start + page_size]]
    return {"count": count, "page": page, "pages": pages, "results": results}


PAGE = Query(1, ge=1, le=100_000, description="Page number, from 1.")
PAGE_SIZE = Query(50, ge=1, le=200, description="Results per page (at most 200).")
SEARCH_TEXT = Query(..., min_length=1, max_length=MAX_QUERY_LENGTH)
# A name: at most MAX_ITEM_LENGTH characters, not only spaces and control characters
# (written so that JSON Schema's regex engine and pydantic's read it alike).
Name = Annotated[
    str, StringConstraints(max_length=medicines.MAX_ITEM_LENGTH, pattern=r"[^\s\x00-\x1f\x7f-\x9f]")
]
NAME = Query(..., description="A brand or generic name, as on the pack.")
NAMES = Query(
    ...,
    min_length=1,
    max_length=medicines.MAX_ITEMS,
    description=f"Repeat the parameter: up to {medicines.MAX_ITEMS} names of at most "
    f"{medicines.MAX_ITEM_LENGTH} characters each.",
)


# --- reference data ---------------------------------------------------------------------


@api.get(
    "/categories", response={200: list[CategoryOut], **LIMITED}, summary="Categories of causes"
)
def list_categories(request):
    return [data.category(c) for c in data.categories()]


@api.get(
    "/mechanisms",
    response={200: list[MechanismOut], **LIMITED},
    summary="How causes lower neutrophils",
)
def list_mechanisms(request):
    return [data.mechanism(m) for m in data.mechanisms()]


# --- causes and drugs ---------------------------------------------------------------------


def printable(text: str) -> str:
    """As the site's search form cleans a query: no control characters, no outer spaces."""
    return "".join(ch for ch in text if ch.isprintable()).strip()


def _ranked(queryset, kind: str, q: str):
    """The queryset's entries that the site's search finds for `q`, in its order."""
    order = [r.target_id for r in search_entries(q).results if r.kind == kind]
    rank = {pk: i for i, pk in enumerate(dict.fromkeys(order))}
    found = [entry for entry in queryset.filter(pk__in=rank)]
    return sorted(found, key=lambda entry: rank[entry.pk])


def _filtered_causes(category: str, mechanism: str):
    queryset = Cause.objects.published().select_related("category").prefetch_related("mechanisms")
    if category:
        if not data.categories().filter(slug=category).exists():
            raise HttpError(
                404, f"No published category “{category[:100]}”: see /api/v1/categories."
            )
        queryset = queryset.filter(category__slug=category)
    if mechanism:
        if not data.mechanisms().filter(slug=mechanism).exists():
            raise HttpError(404, f"No mechanism “{mechanism[:100]}”: see /api/v1/mechanisms.")
        queryset = queryset.filter(mechanisms__slug=mechanism)
    return queryset


@api.get(
    "/causes", response={200: CausePage, **BAD_REQUEST, **NOT_FOUND, **LIMITED}, summary="Causes"
)
def list_causes(
    request,
    category: str = Query("", max_length=100, description="A category's slug."),
    mechanism: str = Query("", max_length=100, description="A mechanism's slug."),
    q: str = Query("", max_length=MAX_QUERY_LENGTH, description="Search, ranked as the site's."),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    queryset = _filtered_causes(category, mechanism)
    q = printable(q)
    causes = _ranked(queryset, "cause", q) if q else queryset
    return paged(causes, page, page_size, data.cause_summary)


@api.get("/causes/{slug}", response={200: CauseDetail, **NOT_FOUND, **LIMITED}, summary="One cause")
def get_cause(request, slug: str):
    cause = data.causes().filter(slug=slug).first()
    if cause is None:
        raise not_found("cause", slug)
    return data.cause_detail(cause)


@api.get("/drugs", response={200: DrugPage, **BAD_REQUEST, **NOT_FOUND, **LIMITED}, summary="Drugs")
def list_drugs(
    request,
    cause: str = Query("", max_length=100, description="A cause's slug."),
    q: str = Query("", max_length=MAX_QUERY_LENGTH, description="Search, ranked as the site's."),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    queryset = (
        Drug.objects.published()
        .select_related("cause")
        .prefetch_related("mechanisms", data.brand_names_prefetch())
    )
    if cause:
        if not Cause.objects.published().filter(slug=cause).exists():
            raise HttpError(404, f"No published cause “{cause[:100]}”: see /api/v1/causes.")
        queryset = queryset.filter(cause__slug=cause)
    q = printable(q)
    drugs = _ranked(queryset, "drug", q) if q else queryset
    return paged(drugs, page, page_size, data.drug_summary)


@api.get("/drugs/{slug}", response={200: DrugDetail, **NOT_FOUND, **LIMITED}, summary="One drug")
def get_drug(request, slug: str):
    drug = data.drugs().filter(slug=slug).first()
    if drug is None:
        raise not_found("drug", slug)
    return data.drug_detail(drug)


# --- search and look-ups ------------------------------------------------------------------


def _slug_of(url: str) -> str:
    try:
        return resolve(url).kwargs.get("slug", "")
    except Resolver404:
        return ""


@api.get(
    "/search", response={200: SearchOut, **BAD_REQUEST, **LIMITED}, summary="Search, as the site's"
)
def search(request, q: str = SEARCH_TEXT):
    q = printable(q)
    if not q:
        raise HttpError(400, "Type something to search for: a name, a brand or a question.")
    outcome = search_entries(q)
    results = [
        {
            "kind": r.kind,
            "slug": _slug_of(r.url),
            "title": r.title,
            "url": r.url,
            "matched": r.term,
            "field": r.field,
            "description": r.description,
        }
        for r in outcome.results[: settings.API_SEARCH_RESULTS]
    ]
    unlisted = outcome.unlisted_drug
    return {
        "query": outcome.query.text,
        "count": len(outcome.results),
        "results": results,
        "suggestion": outcome.suggestion,
        "unlisted_medicine": unlisted.name_in_text if unlisted else "",
    }


def _looked_up(answers: list[medicines.MedicineAnswer]) -> list[dict]:
    """Each answer with the listed drug and cause it names (one query for them all)."""
    slugs = {a.url: _slug_of(a.url) for a in answers if a.url}
    drugs = {
        d.slug: d
        for d in Drug.objects.published()
        .select_related("cause")
        .filter(slug__in=[slugs[a.url] for a in answers if a.kind == "drug" and a.url])
    }
    rows = []
    for a in answers:
        slug = slugs.get(a.url, "")
        drug = drugs.get(slug) if a.kind == "drug" else None
        cause = (
            data.ref(drug.cause)
            if drug
            else ({"slug": slug, "name": a.title} if a.kind == "cause" else None)
        )
        rows.append(
            {
                "name": a.item,
                "status": a.status.value,
                "listed": a.is_listed,
                "kind": a.kind,
                "slug": slug,
                "title": a.title,
                "url": a.url,
                "reason": a.reason,
                "mechanism": a.mechanism,
                "drug": data.ref(drug) if drug else None,
                "cause": cause,
                "medicine_name": a.dictionary_name,
            }
        )
    return rows


def _items(names: list[str]) -> list[str]:
    """Each name whole (a comma in one does not make two, as in a pasted list), tidied as
    the medicines check tidies an item, each distinct name once, in order. The schema has
    already held them to the check's limits (MAX_ITEMS names of MAX_ITEM_LENGTH)."""
    items: dict[str, str] = {}
    for name in names:
        item = medicines.tidy(name)
        items.setdefault(item.casefold(), item)
    return list(items.values())


@api.get(
    "/lookup",
    response={200: LookupOut, **BAD_REQUEST, **LIMITED},
    summary="What one name is: which drug or cause, or a medicine not listed",
)
def lookup(request, name: Name = NAME):
    # One name, whole (a comma in it does not make two, as it would in a pasted list).
    return _looked_up(medicines.check(_items([name])))[0]


@api.get(
    "/lookup/list",
    response={200: list[LookupOut], **BAD_REQUEST, 413: Error, **LIMITED},
    summary="What each of a list of names is (the medicines check's engine and limits)",
)
def lookup_list(
    request,
    names: list[Name] = NAMES,
):
    return _looked_up(medicines.check(_items(names)))


# --- open data ----------------------------------------------------------------------------


def _file(content_type: str, what: str) -> dict:
    schema = {"type": "string", "format": "binary"}
    return {
        "responses": {200: {"description": what, "content": {content_type: {"schema": schema}}}}
    }


@api.get(
    "/downloads/neutropenia-causes.json",
    response={429: Error},
    summary="All published content, as JSON",
    openapi_extra={
        "responses": {
            200: {
                "description": "Everything, nested, with the licence and the date of the data.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def download_json(request):
    return downloads.json_response()


@api.get(
    "/downloads/neutropenia-causes.zip",
    response={429: Error},
    summary="All published content, as CSV files in a zip",
    openapi_extra=_file("application/zip", "One CSV per kind of entry, the JSON and a README."),
)
def download_zip(request):
    return downloads.zip_response()
