"""Public pages: every queryset starts from `published()`; each page runs fixed queries."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import DetailView, TemplateView

from causes import editing, page_meta
from causes.forms import MedicinesForm, SearchForm
from causes.medicines import check
from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
)
from causes.search import FUZZY, NAME_FIELDS, search_entries
from site_config.errors import DATABASE_UNAVAILABLE


def published_drugs():
    return Drug.objects.published().prefetch_related(
        Prefetch("brand_names", queryset=BrandName.objects.order_by("name"))
    )


def published_causes():
    """Causes with what a list of causes shows: category, mechanisms, drugs and brands."""
    return (
        Cause.objects.published()
        .select_related("category")
        .prefetch_related("mechanisms", Prefetch("drugs", queryset=published_drugs()))
    )


class DescribedMixin:
    """Adds `meta`: the page's title, description, breadcrumbs and structured data, built
    by its `page_meta` builder from the object the page shows."""

    describe = None  # a causes.page_meta builder: (request, object) -> PageMeta

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = type(self).describe(self.request, self.object)
        return context


class HomeView(TemplateView):
    template_name = "causes/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = list(
            Category.objects.published().prefetch_related(
                Prefetch(
                    "causes",
                    queryset=Cause.objects.published().prefetch_related("mechanisms"),
                )
            )
        )
        context["mechanisms"] = Mechanism.objects.all()
        context["articles"] = list(Article.objects.published())
        context["meta"] = page_meta.home(self.request, context["categories"], context["articles"])
        return context


def is_staff(request) -> bool:
    return request.user.is_authenticated and request.user.is_staff


class PreviewMixin:
    """Public detail pages show published entries; staff may also preview drafts, and an
    entry's pending changes, which the template marks with a banner. Everyone else gets
    a 404 for a draft and the published version of an entry with pending changes."""

    def get_queryset(self):
        queryset = self.entry_queryset()
        return queryset if is_staff(self.request) else queryset.published()

    def get(self, request, *args, **kwargs):
        pending = self.pending_changes(kwargs.get("slug")) if is_staff(request) else None
        if pending is None:
            return super().get(request, *args, **kwargs)
        # The pending version, written and rendered inside a transaction that is rolled
        # back: the page is built by the same code and queries as the live one.
        with transaction.atomic():
            applies = editing.apply_pending_for_preview(pending)
            response = super().get(request, *args, **kwargs)
            # Changes that no longer apply: the live version, without the banner.
            response.context_data["pending_preview"] = pending if applies else None
            response.render()
            transaction.set_rollback(True)
        return response

    def pending_changes(self, slug):
        model = self.entry_queryset().model
        pk = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
        record = editing.pending_for(model, pk) if pk else None
        return record if record is not None and record.snapshot else None


class MechanismTableView(TemplateView):
    """Which causes act through which mechanism: the three mechanisms crossed with the
    categories, one row per published cause."""

    template_name = "causes/mechanism_table.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mechanisms = list(Mechanism.objects.all())
        categories = Category.objects.published().prefetch_related(
            Prefetch("causes", queryset=Cause.objects.published().prefetch_related("mechanisms"))
        )
        context["mechanisms"] = mechanisms
        context["groups"] = [
            {
                "category": category,
                "rows": [
                    {
                        "cause": cause,
                        "cells": [m in cause.mechanisms.all() for m in mechanisms],
                        "established": bool(cause.mechanisms.all()),
                    }
                    for cause in category.causes.all()
                ],
            }
            for category in categories
        ]
        context["meta"] = page_meta.mechanism_table(self.request, context["groups"])
        return context


class OpenDataView(TemplateView):
    """/data/: the API and the downloads, with the licence, attribution and date of the data."""

    template_name = "causes/open_data.html"

    def get_context_data(self, **kwargs):
        from causes.api import downloads

        context = super().get_context_data(**kwargs)
        context["about"] = downloads.about()
        context["rate_limit"] = settings.API_RATE_LIMIT or "no limit"
        context["meta"] = page_meta.open_data(self.request)
        return context


class CategoryDetailView(PreviewMixin, DescribedMixin, DetailView):
    describe = page_meta.category

    def entry_queryset(self):
        return Category.objects.prefetch_related(Prefetch("causes", queryset=published_causes()))


class CauseDetailView(PreviewMixin, DescribedMixin, DetailView):
    describe = page_meta.cause

    def entry_queryset(self):
        return Cause.objects.select_related("category").prefetch_related(
            "mechanisms",
            "sources",
            Prefetch("aliases", queryset=CauseAlias.objects.exclude(kind="misspelling")),
            Prefetch("drugs", queryset=published_drugs().prefetch_related("mechanisms")),
        )


class DrugDetailView(PreviewMixin, DescribedMixin, DetailView):
    describe = page_meta.drug

    def entry_queryset(self):
        return Drug.objects.select_related("cause__category").prefetch_related(
            "mechanisms",
            "sources",
            Prefetch("brand_names", queryset=BrandName.objects.order_by("name")),
            Prefetch("aliases", queryset=DrugAlias.objects.exclude(kind="misspelling")),
        )


class MechanismDetailView(DescribedMixin, DetailView):
    describe = page_meta.mechanism
    queryset = Mechanism.objects.prefetch_related(
        "sources",
        Prefetch("causes", queryset=published_causes()),
        Prefetch("drugs", queryset=Drug.objects.published().select_related("cause")),
    )


class ArticleDetailView(PreviewMixin, DescribedMixin, DetailView):
    describe = page_meta.article

    def entry_queryset(self):
        return Article.objects.prefetch_related("sources")


def search(request):
    """The search page: validates `q`, then shows ranked results, a suggestion or help."""
    form = SearchForm(request.GET)
    context = {"form": form, "query": "", "outcome": None, "page_obj": None}
    status = 200
    if not form.is_valid():
        status = 400
    else:
        query = form.cleaned_data["q"]
        context["query"] = query
        if query:
            outcome = search_entries(query)
            paginator = Paginator(outcome.results, settings.SEARCH_RESULTS_PER_PAGE)
            context["outcome"] = outcome
            context["page_obj"] = paginator.get_page(form.cleaned_data.get("page") or 1)
    if context["outcome"] is None or not context["outcome"].results:
        context["categories"] = Category.objects.published()
    context["meta"] = page_meta.search(request, context["query"], context["page_obj"])
    return render(request, "causes/search.html", context, status=status)


SUGGESTION_COUNT = 8


@require_GET
def suggest(request):
    """Suggestions as you type: names, aliases and brand names that match, as JSON."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        errors = [str(e) for e in form.errors.get("q", [])] or ["Invalid query."]
        return JsonResponse({"error": errors[0]}, status=400)
    query = form.cleaned_data["q"]
    results = search_entries(query, names_only=True).results if query else []
    suggestions = [
        {
            "label": r.term if r.field in ("alias", "brand") else r.title,
            "title": r.title,
            "kind": r.kind,
            "url": r.url,
            "why": r.suggestion_text,
        }
        for r in results
        if r.field in NAME_FIELDS and r.tier <= FUZZY
    ][:SUGGESTION_COUNT]
    return JsonResponse({"query": query, "suggestions": suggestions})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@csrf_protect
def check_medicines(request):
    """The "Check my medicines" page: a pasted list, each item answered as search would.

    The list is health information: it comes by POST (never in a URL, so never in an
    access log), the page is never cached, and nothing of it is stored or logged.
    """
    meta = page_meta.check(request)
    if request.method != "POST":
        return render(request, "causes/check.html", {"form": MedicinesForm(), "meta": meta})
    form = MedicinesForm(request.POST)
    if not form.is_valid():
        return render(request, "causes/check.html", {"form": form, "meta": meta}, status=400)
    try:
        answers = check(form.cleaned_data["medicines"])
    except Exception as error:
        raise without_the_list(error) from None
    return render(request, "causes/check.html", {"form": form, "answers": answers, "meta": meta})


def without_the_list(error: Exception) -> Exception:
    """The error, its message (which may quote a medicine searched for) left out of the
    500 log line; a database outage stays one, so the visitor still gets the 503 page."""
    message = f"{type(error).__name__} while checking a list of medicines"
    if isinstance(error, DATABASE_UNAVAILABLE):
        return type(error)(message)
    return RuntimeError(message)
