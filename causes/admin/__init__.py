"""The editors' admin: which columns, filters, inlines and fields each kind of content
has. How an edit is checked, kept pending, versioned and restored is the editorial
framework's business: `causes.admin.editorial`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db import models
from django.db.models import Case, Count, Q, When
from django.shortcuts import redirect
from django.utils.text import capfirst
from import_export.admin import ImportExportMixin

from causes.admin.editorial import (
    ChildAdmin,
    EntryAdmin,
    KeepsChoicesNotSent,
    PublicationFilter,
    ReviewedEntryAdmin,
)
from causes.indexing import cause_rows, drug_rows
from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
    SearchEntry,
    Source,
    Status,
    TargetKind,
)
from causes.resources import CauseResource, DrugResource, SourceResource
from causes.search import FUZZY, MAX_QUERY_LENGTH, Query, rank, search_entries
from site_config.import_previews import ImportPreviewGone, ImportPreviewNotStored


class RankedChangeList(ChangeList):
    """While searching (and not sorted by a column), the list is in the search's order."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if not self.query or ORDER_VAR in self.params:
            return ordering
        ids = self.model_admin.ranked_ids(queryset, self.query)[:200]
        if not ids:
            return ordering
        rank = Case(*[When(pk=pk, then=i) for i, pk in enumerate(ids)], default=len(ids))
        return [rank.asc(), *ordering]


class SiteSearchMixin:
    """The admin's search box also finds what the site's search finds (aliases, brand names,
    typos), on top of Django's own search, which still finds drafts and slugs. Drafts are
    not in the site's index (it holds what the public may find), so they are ranked by the
    same code in memory: a draft named "Dapsone" is found by "dapsoen" too."""

    search_kind: str
    # Rows of a draft entry for the search's ranking, as the index would hold them.
    draft_rows = None
    draft_prefetch: tuple[str, ...] = ("aliases", "mechanisms")
    DRAFTS_SEARCHED = 500

    def get_changelist(self, request, **kwargs):
        return RankedChangeList

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term or len(term) > MAX_QUERY_LENGTH:
            return found, may_have_duplicates
        ids = self.ranked_ids(queryset, term)
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=ids)), False

    def ranked_ids(self, queryset, term: str) -> list[int]:
        """The entries the search ranks for `term`, best first: published ones as the site
        ranks them, then drafts."""
        ids = [r.target_id for r in search_entries(term).results if r.kind == self.search_kind]
        return list(dict.fromkeys(ids + self.drafts_named(queryset, term)))

    def drafts_named(self, queryset, term: str) -> list[int]:
        drafts = queryset.exclude(status=Status.PUBLISHED).prefetch_related(*self.draft_prefetch)
        rows = [row for draft in drafts[: self.DRAFTS_SEARCHED] for row in self.draft_rows(draft)]
        return [r.target_id for r in rank(Query.parse(term), rows) if r.tier <= FUZZY]


class CountColumnsMixin:
    """The 'sources' and 'causes' columns: counted in the list's one query, sortable."""

    counted: tuple[str, ...] = ()  # relations to count, e.g. ("sources",)

    def get_queryset(self, request):
        counts = {f"num_{name}": Count(name, distinct=True) for name in self.counted}
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="sources", ordering="num_sources")
    def source_count(self, obj):
        return obj.num_sources

    @admin.display(description="causes", ordering="num_causes")
    def cause_count(self, obj):
        return obj.num_causes


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", "Due within 30 days"), ("ok", "Not due")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_due()
        if self.value() == "soon":
            return queryset.review_due(within_days=30)
        if self.value() == "ok":
            return queryset.exclude(pk__in=queryset.review_due(within_days=30).values("pk"))
        return queryset


class ImportExportForEditors(ImportExportMixin):
    """Import passes the user to the resource, whose rows go through `causes.editing` like
    any other edit; importing needs a right of its own (`import_<model>`)."""

    # Counts first, then only the rows that change, field by field; errors by spreadsheet
    # row, column and value (causes/resources.py's FieldDiff and SlugWidget).
    import_template_name = "admin/causes/import.html"

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    # The uploaded file waits in the shared cache between preview and confirmation
    # (site_config/import_previews.py); one that is gone is a message, not a 500.
    def import_action(self, request, **kwargs):
        try:
            return super().import_action(request, **kwargs)
        except ImportPreviewNotStored as error:
            return self._back_to_import(request, error.message)

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except (ImportPreviewGone, ImportPreviewNotStored) as error:
            return self._back_to_import(request, error.message)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportPreviewGone | ImportPreviewNotStored):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def _back_to_import(self, request, message):
        messages.error(request, message)
        return redirect("admin:{}_{}_import".format(*self.get_model_info()))


class LabelledDeleteFormSet(forms.BaseInlineFormSet):
    """Each row's delete box says what it deletes, for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.setdefault("aria-label", "Delete this row")


class BrandNameFormSet(LabelledDeleteFormSet):
    """Refuses the same brand twice in one form, which the database would refuse later."""

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = (form.cleaned_data.get("name") or "").casefold()
            if name in seen:
                form.add_error("name", "This brand name is entered twice for this drug.")
            seen[name] = form


class LabelledInlineFields:
    """A tabular inline's inputs have their column's name only in a <th>: screen readers
    (and axe-core's "label" rule) need it on the input itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", capfirst(str(field.label)))


class AliasInlineForm(LabelledInlineFields, forms.ModelForm):
    pass


class BrandNameInlineForm(LabelledInlineFields, KeepsChoicesNotSent, forms.ModelForm):
    class Meta:
        model = BrandName
        fields = ["name", "market", "market_note", "in_source"]


class BrandNameInline(admin.TabularInline):
    model = BrandName
    form = BrandNameInlineForm
    formset = BrandNameFormSet
    extra = 2
    fields = ["name", "market", "market_note", "in_source"]


class DrugAliasInline(admin.TabularInline):
    form = AliasInlineForm
    formset = LabelledDeleteFormSet
    model = DrugAlias
    extra = 1
    fields = ["name", "kind"]


class CauseAliasInline(admin.TabularInline):
    form = AliasInlineForm
    formset = LabelledDeleteFormSet
    model = CauseAlias
    extra = 1
    fields = ["name", "kind"]


class DrugInline(admin.TabularInline):
    """A cause's drugs, listed with a link: a drug is an entry of its own, with its own
    version, pending changes and rules, so it is edited on its own form only."""

    model = Drug
    extra = 0
    fields = ["name", "drug_class", "status", "order"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(ImportExportForEditors, EntryAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "authors", "year", "publisher", "accessed", "access"]
    list_filter = ["access", "year", "publisher"]
    # Also what the entry forms' source pickers (autocomplete) search.
    search_fields = ["title", "authors", "publisher", "url", "slug", "=year"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "accessed"
    ordering = ["title"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Mechanism)
class MechanismAdmin(CountColumnsMixin, EntryAdmin):
    counted = ("causes",)
    list_display = ["name", "short_name", "order", "cause_count"]
    search_fields = ["name", "short_name", "explanation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]

    def get_deleted_objects(self, objs, request):
        """Show the entries that use a mechanism as protected, so the delete is refused."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for mechanism in objs:
            for entry in mechanism.entries_using_it():
                protected.append(f"{entry._meta.verbose_name.capitalize()}: {entry}")
        return deleted, counts, perms_needed, protected


@admin.register(Category)
class CategoryAdmin(CountColumnsMixin, EntryAdmin):
    counted = ("causes",)
    actions = ["publish", "unpublish", "submit_for_publication"]
    list_display = ["name", "status", "order", "cause_count"]
    list_filter = ["status", PublicationFilter]
    search_fields = ["name", "intro"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Cause)
class CauseAdmin(SiteSearchMixin, ImportExportForEditors, CountColumnsMixin, ReviewedEntryAdmin):
    counted = ("sources",)
    search_kind = TargetKind.CAUSE
    draft_rows = staticmethod(cause_rows)
    resource_classes = [CauseResource]
    list_display = [
        "name",
        "category",
        "status",
        "mechanism_list",
        "source_count",
        "last_reviewed",
        "review_due",
        "order",
    ]
    list_filter = ["status", PublicationFilter, ReviewDueFilter, "category", "mechanisms"]
    list_select_related = ["category"]
    ordering = ["category__order", "order", "name"]
    search_fields = ["name", "slug", "aliases__name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "mechanisms", "sources"]
    inlines = [CauseAliasInline, DrugInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "category", "status", "order", "origin"]}),
        ("Content", {"fields": ["summary", "advice", "used_to_treat", "source_wording"]}),
        ("How it lowers neutrophils", {"fields": ["mechanisms", "mechanism_note"]}),
        (
            "Evidence and review",
            {"fields": ["sources", "citation_status", "last_reviewed", "reviewed_by"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("mechanisms")

    @admin.display(description="mechanisms")
    def mechanism_list(self, obj):
        return ", ".join(m.short_name for m in obj.mechanisms.all()) or "not established"


@admin.register(Drug)
class DrugAdmin(SiteSearchMixin, ImportExportForEditors, CountColumnsMixin, ReviewedEntryAdmin):
    counted = ("sources",)
    search_kind = TargetKind.DRUG
    draft_rows = staticmethod(drug_rows)
    draft_prefetch = ("aliases", "mechanisms", "brand_names")
    resource_classes = [DrugResource]
    list_display = [
        "name",
        "brand_list",
        "drug_class",
        "cause",
        "status",
        "source_count",
        "review_due",
    ]
    list_filter = [
        "status",
        PublicationFilter,
        ReviewDueFilter,
        "cause__category",
        "cause",
        "mechanisms",
    ]
    list_select_related = ["cause"]
    ordering = ["name"]
    search_fields = ["name", "slug", "brand_names__name", "aliases__name", "drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["cause", "mechanisms", "sources"]
    inlines = [BrandNameInline, DrugAliasInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "cause", "drug_class", "status", "order", "origin"]},
        ),
        ("Content", {"fields": ["summary", "advice", "used_to_treat"]}),
        ("How it lowers neutrophils", {"fields": ["mechanisms", "mechanism_note"]}),
        (
            "Evidence and review",
            {"fields": ["sources", "citation_status", "last_reviewed", "reviewed_by"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("brand_names")

    @admin.display(description="brand names")
    def brand_list(self, obj):
        return ", ".join(b.name for b in obj.brand_names.all())


class BrandNameAdminForm(forms.ModelForm):
    class Meta:
        model = BrandName
        fields = ["drug", "name", "market", "market_note", "in_source"]


@admin.register(BrandName)
class BrandNameAdmin(ChildAdmin):
    form = BrandNameAdminForm
    list_display = ["name", "drug", "market", "in_source"]
    list_filter = ["market", "in_source", "drug__cause"]
    list_select_related = ["drug"]
    ordering = ["name"]
    search_fields = ["name", "drug__name"]
    autocomplete_fields = ["drug"]


class AliasAdmin(ChildAdmin):
    """Another name of an entry; `owner` is the foreign key to it."""

    owner: str
    list_filter = ["kind"]
    ordering = ["name"]

    def get_list_display(self, request):
        return ["name", "kind", self.owner]

    def get_list_select_related(self, request):
        return [self.owner]

    def get_search_fields(self, request):
        return ["name", f"{self.owner}__name"]


@admin.register(CauseAlias)
class CauseAliasAdmin(AliasAdmin):
    owner = "cause"


@admin.register(DrugAlias)
class DrugAliasAdmin(AliasAdmin):
    owner = "drug"


@admin.register(Article)
class ArticleAdmin(ReviewedEntryAdmin):
    list_display = ["title", "status", "order", "last_reviewed", "review_due"]
    list_filter = ["status", PublicationFilter, ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["sources"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order"]}),
        ("Content", {"fields": ["summary", "body", "search_terms"]}),
        (
            "Evidence and review",
            {"fields": ["sources", "citation_status", "last_reviewed", "reviewed_by"]},
        ),
    ]


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    """Read-only view of the search index, so editors can see why something is found."""

    list_display = ["term", "field", "title", "target_kind"]
    list_filter = ["target_kind", "field"]
    search_fields = ["term", "title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
