"""One search box on the admin home, across every content kind: each kind's own admin
search (the site's engine for causes and drugs, drafts included; Django's search fields
for the others), only the kinds the editor may view, a few rows each with a link to the
full list."""

from urllib.parse import urlencode

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse

from causes.content import CONTENT
from causes.search import MAX_QUERY_LENGTH

ROWS_PER_KIND = 10


def search_all_view(request):
    term = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    groups = []
    if term:
        for model in (c.model for c in CONTENT):
            model_admin = admin.site.get_model_admin(model)
            if not model_admin.has_view_or_change_permission(request):
                continue
            queryset = model_admin.get_queryset(request)
            found, _ = model_admin.get_search_results(request, queryset, term)
            entries = list(found.distinct()[: ROWS_PER_KIND * 5])
            if hasattr(model_admin, "ranked_ids"):  # causes and drugs: as the search ranks
                rank = {pk: i for i, pk in enumerate(model_admin.ranked_ids(queryset, term))}
                entries.sort(key=lambda entry: rank.get(entry.pk, len(rank)))
            opts = model._meta
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            groups.append(
                {
                    "opts": opts,
                    "entries": entries[:ROWS_PER_KIND],
                    "count": found.distinct().count(),
                    "more_url": f"{changelist}?{urlencode({'q': term})}",
                }
            )
    context = {
        **admin.site.each_context(request),
        "title": f"Search: {term}" if term else "Search all content",
        "term": term,
        "groups": groups,
        "found": sum(g["count"] for g in groups),
    }
    return TemplateResponse(request, "admin/causes/search_all.html", context)
