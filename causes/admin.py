"""The editors' admin: every content model, edited the way editors think of it, with
drafts, publishing rights, review dates, history with undo, and import/export."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from causes import history
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
from causes.search import MAX_QUERY_LENGTH, search_entries


class SiteSearchMixin:
    """The admin's search box also finds what the site's search finds (aliases, brand names,
    typos), on top of Django's own search, which still finds drafts and slugs."""

    search_kind: str

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term or len(term) > MAX_QUERY_LENGTH:
            return found, may_have_duplicates
        ids = [r.target_id for r in search_entries(term).results if r.kind == self.search_kind]
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=ids)), False


# --- editorial rules ---------------------------------------------------------------------


class VersionedForm(forms.ModelForm):
    """Refuses a save based on a copy that someone else has saved over since it was opened."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    check_version = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.check_version and self.instance.pk and seen is not None:
            model = type(self.instance)
            stored = model.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if stored.first() != seen:
                last = history.last_change(self.instance)
                who = f" by {last.history_user}" if last and last.history_user else ""
                when = f" at {last.history_date:%H:%M on %d %b %Y}" if last else ""
                raise ValidationError(
                    f"Someone else saved this {model._meta.verbose_name}{who}{when} after you "
                    "opened it, so your changes were not saved. Copy what you wrote, reload the "
                    "page to see their version, and apply your changes again.",
                    code="stale",
                )
        return cleaned


class PublishedNeedsSourcesForm(VersionedForm):
    """A cause goes public only with at least one source behind it."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Status.PUBLISHED and "sources" in self.fields:
            if not cleaned.get("sources"):
                self.add_error(
                    "sources", "A cause needs at least one source before it is published."
                )
        return cleaned


def can(request, action: str, model) -> bool:
    return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


class EditorialAdmin(SimpleHistoryAdmin):
    """Drafts, publishing rights, review and undo, shared by the entries editors publish."""

    form = VersionedForm
    actions = ["publish", "unpublish"]

    def has_publish_permission(self, request):
        return can(request, "publish", self.model)

    def has_review_permission(self, request):
        return can(request, "review", self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly.append("status")  # editors prepare drafts; publishers publish
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_simple_history"):
            # Reverting to an old version is meant to overwrite the newer one.
            form = type(form.__name__, (form,), {"check_version": False})
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        first_name, first = fieldsets[0]
        if "seen_version" not in first["fields"]:
            first = {**first, "fields": [*first["fields"], "seen_version"]}
        return [(first_name, first), *fieldsets[1:]]

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish(self, request, queryset):
        refused = [e for e in queryset if not self.can_go_public(e)]
        ready = queryset.exclude(pk__in=[e.pk for e in refused])
        count = self._set_status(ready, Status.PUBLISHED)
        if count:
            self.message_user(
                request, f"Published {count} {model_ngettext(self.opts, count)}.", messages.SUCCESS
            )
        if refused:
            names = ", ".join(str(e) for e in refused)
            self.message_user(
                request,
                f"Not published, because they have no source yet: {names}. "
                "Attach at least one source, then publish.",
                messages.ERROR,
            )

    @admin.action(description="Unpublish selected %(verbose_name_plural)s", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = self._set_status(queryset, Status.DRAFT)
        self.message_user(
            request, f"Unpublished {count} {model_ngettext(self.opts, count)}.", messages.SUCCESS
        )

    def can_go_public(self, entry) -> bool:
        return True

    @staticmethod
    def _set_status(queryset, status) -> int:
        # One save per entry, so history, versions and the search index all follow.
        count = 0
        with transaction.atomic():
            for entry in queryset:
                if entry.status != status:
                    entry.status = status
                    entry.save()
                    count += 1
        return count

    # --- deleted entries: list and restore ---

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "records": history.deleted_records(self.model),
        }
        return TemplateResponse(request, "admin/causes/deleted_entries.html", context)

    def restore_view(self, request, history_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted"))
        record = get_object_or_404(self.model.history.model, history_id=history_id)
        try:
            restored = history.restore(record)
        except history.RestoreRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted"))
        self.log_addition(request, restored, "Restored after deletion.")
        self.message_user(request, f"Restored “{restored}”.", messages.SUCCESS)
        return redirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[restored.pk]
            )
        )


class ReviewedEntryAdmin(EditorialAdmin):
    """Entries with medical claims: a review date, a reviewer, and a next review due."""

    actions = ["publish", "unpublish", "mark_reviewed"]

    @admin.action(
        description="Mark selected %(verbose_name_plural)s reviewed today", permissions=["review"]
    )
    def mark_reviewed(self, request, queryset):
        with transaction.atomic():
            for entry in queryset:
                entry.last_reviewed = date.today()
                entry.reviewed_by = request.user
                entry.save()
        count = queryset.count()
        self.message_user(
            request,
            f"Marked {count} {model_ngettext(self.opts, count)} reviewed today.",
            messages.SUCCESS,
        )

    @admin.display(description="next review", ordering="last_reviewed")
    def review_due(self, obj):
        due = obj.next_review_due
        return f"{due:%d %b %Y}" + (" (overdue)" if obj.review_overdue else "")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "reviewed_by"]


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
    """Import passes the user to the resource, which refuses rows that would publish."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}


class BrandNameFormSet(forms.BaseInlineFormSet):
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


class BrandNameInline(admin.TabularInline):
    model = BrandName
    formset = BrandNameFormSet
    extra = 2
    fields = ["name", "in_source"]


class DrugAliasInline(admin.TabularInline):
    model = DrugAlias
    extra = 1
    fields = ["name", "kind"]


class CauseAliasInline(admin.TabularInline):
    model = CauseAlias
    extra = 1
    fields = ["name", "kind"]


class DrugInline(admin.TabularInline):
    model = Drug
    extra = 0
    fields = ["name", "slug", "drug_class", "status", "order", "summary", "last_reviewed"]
    prepopulated_fields = {"slug": ["name"]}
    show_change_link = True
    can_delete = False  # a drug carries brand names and sources: delete it on its own page

    def get_readonly_fields(self, request, obj=None):
        return [] if can(request, "publish", Drug) else ["status"]


class HistoryAdmin(SimpleHistoryAdmin):
    """History with changed fields and revert, for models without a publication status."""


@admin.register(Source)
class SourceAdmin(ImportExportForEditors, HistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "accessed", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "accessed"
    ordering = ["title"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Mechanism)
class MechanismAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "order", "cause_count"]
    list_editable = ["order"]
    search_fields = ["name", "short_name", "explanation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_causes=Count("causes", distinct=True))

    @admin.display(description="causes", ordering="num_causes")
    def cause_count(self, obj):
        return obj.num_causes

    def get_deleted_objects(self, objs, request):
        """Show the entries that use a mechanism as protected, so the delete is refused."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for mechanism in objs:
            for entry in mechanism.entries_using_it():
                protected.append(f"{entry._meta.verbose_name.capitalize()}: {entry}")
        return deleted, counts, perms_needed, protected


@admin.register(Category)
class CategoryAdmin(EditorialAdmin):
    list_display = ["name", "status", "order", "cause_count"]
    list_editable = ["order"]
    list_filter = ["status"]
    search_fields = ["name", "intro"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_causes=Count("causes", distinct=True))

    @admin.display(description="causes", ordering="num_causes")
    def cause_count(self, obj):
        return obj.num_causes


@admin.register(Cause)
class CauseAdmin(SiteSearchMixin, ImportExportForEditors, ReviewedEntryAdmin):
    search_kind = TargetKind.CAUSE
    form = PublishedNeedsSourcesForm
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
    list_filter = ["status", ReviewDueFilter, "category", "mechanisms"]
    list_select_related = ["category"]
    ordering = ["category__order", "order", "name"]
    search_fields = ["name", "slug", "aliases__name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "mechanisms", "sources"]
    inlines = [CauseAliasInline, DrugInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "status", "order"]}),
        ("Content", {"fields": ["summary", "source_wording"]}),
        ("How it lowers neutrophils", {"fields": ["mechanisms", "mechanism_note"]}),
        ("Evidence and review", {"fields": ["sources", "last_reviewed", "reviewed_by"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_sources=Count("sources", distinct=True))
            .prefetch_related("mechanisms")
        )

    @admin.display(description="mechanisms")
    def mechanism_list(self, obj):
        return ", ".join(m.short_name for m in obj.mechanisms.all()) or "not established"

    @admin.display(description="sources", ordering="num_sources")
    def source_count(self, obj):
        return obj.num_sources

    def can_go_public(self, entry) -> bool:
        return entry.sources.exists()


@admin.register(Drug)
class DrugAdmin(SiteSearchMixin, ImportExportForEditors, ReviewedEntryAdmin):
    search_kind = TargetKind.DRUG
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
    list_filter = ["status", ReviewDueFilter, "cause__category", "cause", "mechanisms"]
    list_select_related = ["cause"]
    ordering = ["name"]
    search_fields = ["name", "slug", "brand_names__name", "aliases__name", "drug_class"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["cause", "mechanisms", "sources"]
    inlines = [BrandNameInline, DrugAliasInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "cause", "drug_class", "status", "order"]}),
        ("Content", {"fields": ["summary"]}),
        ("How it lowers neutrophils", {"fields": ["mechanisms", "mechanism_note"]}),
        ("Evidence and review", {"fields": ["sources", "last_reviewed", "reviewed_by"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_sources=Count("sources", distinct=True))
            .prefetch_related("brand_names")
        )

    @admin.display(description="brand names")
    def brand_list(self, obj):
        return ", ".join(b.name for b in obj.brand_names.all())

    @admin.display(description="sources", ordering="num_sources")
    def source_count(self, obj):
        return obj.num_sources


class BrandNameAdminForm(forms.ModelForm):
    class Meta:
        model = BrandName
        fields = ["drug", "name", "in_source"]


@admin.register(BrandName)
class BrandNameAdmin(HistoryAdmin):
    form = BrandNameAdminForm
    list_display = ["name", "drug", "in_source"]
    list_filter = ["in_source", "drug__cause"]
    list_select_related = ["drug"]
    ordering = ["name"]
    search_fields = ["name", "drug__name"]
    autocomplete_fields = ["drug"]


@admin.register(CauseAlias)
class CauseAliasAdmin(HistoryAdmin):
    list_display = ["name", "kind", "cause"]
    list_filter = ["kind"]
    list_select_related = ["cause"]
    ordering = ["name"]
    search_fields = ["name", "cause__name"]
    autocomplete_fields = ["cause"]


@admin.register(DrugAlias)
class DrugAliasAdmin(HistoryAdmin):
    list_display = ["name", "kind", "drug"]
    list_filter = ["kind"]
    list_select_related = ["drug"]
    ordering = ["name"]
    search_fields = ["name", "drug__name"]
    autocomplete_fields = ["drug"]


@admin.register(Article)
class ArticleAdmin(ReviewedEntryAdmin):
    list_display = ["title", "status", "order", "last_reviewed", "review_due"]
    list_filter = ["status", ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["sources"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "order"]}),
        ("Content", {"fields": ["summary", "body", "search_terms"]}),
        ("Evidence and review", {"fields": ["sources", "last_reviewed", "reviewed_by"]}),
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
