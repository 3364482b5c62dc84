"""The editorial framework of the admin: versioned forms, pending changes, publishing,
review, versions with revert, deletion with restore. Every write here goes through
`causes.editing`, where the rules live; this module only shows them to editors.

The model registrations (which columns, filters and inlines each kind has) are in
`causes.admin`, built on `EntryAdmin` below.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from causes import citations, editing, rules, snapshots
from causes.admin.history import ReadableHistory
from causes.citations import CITED_FIELDS
from causes.content import declaration
from causes.models import PendingChange, Revision, RevisionAction, Status
from causes.rules import Refusal


def admin_url(model, view: str, *args) -> str:
    """The URL of one of a model's admin views, e.g. admin_url(Cause, "change", 3)."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class KeepsChoicesNotSent:
    """A choice (a select: where a brand is sold, where an entry comes from) that a form
    post leaves out keeps its stored value instead of failing or being reset; a browser
    always sends a select, but a script or an older saved form may not."""

    kept_choices = ("origin", "market")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.kept_choices:
            field = self.fields.get(name)
            if field is not None:
                field.required = False
                field.has_changed = _unchanged_when_not_sent(field.has_changed)

    def clean(self):
        cleaned = super().clean()
        for name in self.kept_choices:
            if name in self.fields and not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


def _unchanged_when_not_sent(has_changed):
    def changed(initial, data):
        return data not in (None, "") and has_changed(initial, data)

    return changed


class VersionedForm(KeepsChoicesNotSent, forms.ModelForm):
    """Carries the version the editor's copy was opened at; the save is refused if the
    entry has moved on since. The entry row is locked by `editing.edit` before this form
    is built, so the comparison and the write cannot be separated by another save."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is None:
            raise forms.ValidationError(
                "This form was sent without the version it was opened at, so it cannot be "
                "checked against later saves. Reload the page and apply your changes again.",
                code="stale",
            )
        if self.instance.pk:
            if seen != self.instance.version:
                from causes.models import stale_message

                raise forms.ValidationError(stale_message(self.instance), code="stale")
            self.instance.version = seen
        self._check_sources(cleaned)
        self._check_citations(cleaned)
        return cleaned

    def _check_citations(self, cleaned) -> None:
        """The citation rule, shown on the text that holds the marker before anything is
        saved (the same rule checks every other path on the way out of `edit()`)."""
        sources = cleaned.get("sources")
        if sources is None:
            return
        attached = [source.slug for source in sources]
        for name in CITED_FIELDS:
            if name in self.fields and cleaned.get(name):
                after = {"name": cleaned.get("name") or str(self.instance), "fields": {}}
                after["fields"][name] = cleaned[name]
                try:
                    rules.check_citations(type(self.instance), after, attached)
                except Refusal as refusal:
                    self.add_error(name, refusal.messages[0])

    def _check_sources(self, cleaned) -> None:
        """The publish-needs-a-source rule, shown on the field before anything is saved."""
        if "sources" not in self.fields:
            return
        status = cleaned.get("status", getattr(self.instance, "status", None))
        sources = cleaned.get("sources")
        try:
            rules.check_public_needs_source(
                type(self.instance),
                status,
                len(sources) if sources is not None else 0,
                cleaned.get("name") or str(self.instance),
            )
        except Refusal as refusal:
            self.add_error("sources", refusal.messages[0])


class PublicationFilter(admin.SimpleListFilter):
    """Which entries wait for a publisher: pending changes, or drafts submitted."""

    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("pending", "Has pending changes"),
            ("submitted", "Submitted for publication"),
        ]

    def queryset(self, request, queryset):
        records = PendingChange.objects.filter(entry_type=editing.entry_type(queryset.model))
        if self.value() == "pending":
            return queryset.filter(pk__in=records.exclude(snapshot=None).values("entry_id"))
        if self.value() == "submitted":
            return queryset.filter(pk__in=records.exclude(submitted_at=None).values("entry_id"))
        return queryset


class EntryAdmin(SimpleHistoryAdmin):
    """An entry edited on a form of its own (source, mechanism, category, cause, drug,
    article): every save, action, revert, restore and delete goes through `editing`."""

    form = VersionedForm
    change_form_template = "admin/causes/change_form.html"
    actions = ["submit_for_publication"]

    # --- rights ---

    @property
    def declaration(self):
        return declaration(self.model)

    def has_publish_permission(self, request):
        return rules.may(request.user, "publish", self.model)

    def has_review_permission(self, request):
        return rules.may(request.user, "review", self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.declaration.publishable and not self.has_publish_permission(request):
            readonly.append("status")  # editors prepare drafts; publishers publish
        if self.declaration.reviewed:
            readonly += ["last_reviewed", "reviewed_by"]  # only "Mark reviewed" sets them
            readonly.append("citation_status")
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        first_name, first = fieldsets[0]
        if "seen_version" not in first["fields"]:
            first = {**first, "fields": [*first["fields"], "seen_version"]}
        return [(first_name, first), *fieldsets[1:]]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.declaration.publishable:
            actions.pop("submit_for_publication", None)
        return actions

    # --- history: whole texts, changed words marked, no "None" placeholders ---

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    # --- related entries: looked up and added from a form, never deleted from it ---

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Deleting a drug's cause (or a cause's category) from the drug's form would reach
        # well beyond the entry being edited: only the entry's own delete page may.
        if field is not None and hasattr(field.widget, "can_delete_related"):
            field.widget.can_delete_related = False
        return field

    # --- refusals say why, inside the admin (site_config.errors.permission_denied) ---

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_delete_permission(request, obj):
            raise PermissionDenied(rules.denial("delete", self.model, f"delete “{obj}”"))
        return super().delete_view(request, object_id, extra_context)

    # --- the form: one edit from lock to write ---

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        # "Save as new" on a change form adds an entry (Django's own reading of it): the
        # edit is of the new entry, not of the one whose form it was.
        adding = obj is None or (request.method == "POST" and "_saveasnew" in request.POST)
        options = {
            "submit": "_submit" in request.POST,
            "reason": request.POST.get("change_reason", "").strip(),
        }
        # What the save says ("changed", "saved as a draft") is said only once the edit
        # has passed the rules: a refused save shows the refusal alone.
        request.editorial_messages = []
        if adding and not self.has_add_permission(request):
            plural = self.opts.verbose_name_plural
            raise PermissionDenied(rules.denial("add", self.model, f"add {plural}"))
        try:
            with editing.edit(
                request.user, self.model, None if adding else obj.pk, **options
            ) as current:
                request.editorial_edit = current
                response = super().changeform_view(
                    request, object_id, form_url, self._pending_context(request, obj, extra_context)
                )
                if not getattr(current, "written", False):
                    current.abandon()  # a page read, or a form with errors: nothing kept
        except Refusal as refusal:
            request.editorial_messages = None  # what the refused save would have said
            for message in refusal.messages:
                self.message_user(request, message, messages.ERROR)
            if request.method == "POST" or obj is None:
                return HttpResponseRedirect(request.get_full_path())
            # The form cannot even be shown (pending changes that no longer apply).
            return HttpResponseRedirect(admin_url(self.model, "pending", obj.pk))
        held, request.editorial_messages = request.editorial_messages, None
        for args, kwargs in held:
            self.message_user(*args, **kwargs)
        return response

    def message_user(self, request, *args, **kwargs):
        held = getattr(request, "editorial_messages", None)
        if held is not None:
            held.append(((request, *args), kwargs))
        else:
            super().message_user(request, *args, **kwargs)

    def _pending_context(self, request, obj, extra_context):
        context = dict(extra_context or {})
        if obj is not None and self.declaration.publishable:
            context["pending"] = editing.pending_for(self.model, obj.pk)
            context["pending_url"] = admin_url(self.model, "pending", obj.pk)
        if obj is not None:
            context["versions_url"] = admin_url(self.model, "versions", obj.pk)
        context["editorial"] = self.declaration
        return context

    def save_model(self, request, obj, form, change):
        current = getattr(request, "editorial_edit", None)
        if current is None:  # a path other than the change form: an edit of its own
            with editing.edit(request.user, self.model, obj.pk if change else None) as current:
                obj.save()
                current.pk = obj.pk
            return
        current.written = True
        # The optional "why this change" goes to django-simple-history's record too.
        obj._change_reason = request.POST.get("change_reason", "").strip()[:100] or None
        obj.save()
        current.pk = obj.pk

    def _saved_message(self, request, obj) -> str | None:
        """Plain words for what an editor's save did, when it did not go public."""
        current = request.editorial_edit
        if current.will_wait and snapshots.take(obj) == current.baseline and not current.submit:
            return f"Nothing was changed in “{obj}”, so nothing was saved."
        if current.will_wait:
            return (
                f"Your changes to “{obj}” are saved as pending changes: not public yet. "
                "Visitors still see the published version until a publisher publishes them."
                + (" Submitted for publication." if current.submit else "")
            )
        if self.declaration.publishable and obj.status != Status.PUBLISHED:
            return f"“{obj}” is saved as a draft: not public yet." + (
                " Submitted for publication." if current.submit else ""
            )
        return None

    def _warn_about_citations(self, request, obj) -> None:
        """Attached sources that no text cites, and paragraphs without a citation: saved,
        but worth a second look."""
        if not hasattr(obj, "sources") or not any(hasattr(obj, f) for f in CITED_FIELDS):
            return
        found = citations.problems(
            citations.texts_of(obj), list(obj.sources.values_list("slug", flat=True))
        )
        if found.uncited:
            names = ", ".join(f"[{slug}]" for slug in found.uncited)
            self.message_user(
                request,
                f"No text of “{obj}” cites {names}. Cite each attached source where its "
                "facts are used, or remove it from the sources.",
                messages.WARNING,
            )
        if found.bare_paragraphs:
            self.message_user(
                request,
                f"{found.bare_paragraphs} paragraph(s) of “{obj}” cite no source: add a "
                "citation marker such as [source-slug] after the sentence it supports.",
                messages.WARNING,
            )

    def response_change(self, request, obj):
        self._warn_about_citations(request, obj)
        message = self._saved_message(request, obj)
        if message is None or "_continue" in request.POST or "_saveasnew" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, message, messages.WARNING)
        if IS_POPUP_VAR in request.POST:
            return super().response_change(request, obj)  # the popup closes itself
        return HttpResponseRedirect(admin_url(self.model, "change", obj.pk))

    def response_add(self, request, obj, post_url_continue=None):
        self._warn_about_citations(request, obj)
        message = self._saved_message(request, obj)
        if message is None:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, message, messages.WARNING)
        if IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return HttpResponseRedirect(admin_url(self.model, "change", obj.pk))

    # --- delete: recorded exactly, so it can be restored ---

    def get_deleted_objects(self, objs, request):
        """What a delete would break elsewhere is shown as protected: the delete is refused."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            protected.extend(editing.delete_blockers(obj))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        editing.delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            editing.delete(request.user, obj)

    # --- bulk actions ---

    def _each(self, request, queryset, act, done: str) -> None:
        """Apply one editorial act to each entry; report what was done and what refused."""
        count, refused = 0, []
        for entry in queryset:
            try:
                act(entry)
                count += 1
            except Refusal as refusal:
                refused.append(refusal.messages[0])
        if count:
            self.message_user(
                request, f"{done} {count} {model_ngettext(self.opts, count)}.", messages.SUCCESS
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: editing.set_status(request.user, e, Status.PUBLISHED),
            "Published",
        )

    @admin.action(description="Unpublish selected %(verbose_name_plural)s", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: editing.set_status(request.user, e, Status.DRAFT),
            "Unpublished",
        )

    @admin.action(
        description="Mark selected %(verbose_name_plural)s reviewed today", permissions=["review"]
    )
    def mark_reviewed(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: editing.mark_reviewed(request.user, e),
            "Marked reviewed today:",
        )

    @admin.action(description="Submit selected %(verbose_name_plural)s for publication")
    def submit_for_publication(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda e: editing.submit(request.user, self.model, e.pk),
            "Submitted for publication:",
        )

    # --- views of their own ---

    def get_urls(self):
        def view(suffix, route, method):
            return path(
                route,
                self.admin_site.admin_view(method),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{suffix}",
            )

        return [
            view("deleted", "deleted/", self.deleted_view),
            view("restore", "deleted/<int:revision_id>/restore/", self.restore_view),
            view("versions", "<path:object_id>/versions/", self.versions_view),
            view("compare", "<path:object_id>/versions/compare/", self.compare_view),
            view("revert", "<path:object_id>/versions/<int:revision_id>/revert/", self.revert_view),
            view("pending", "<path:object_id>/pending/", self.pending_view),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}

    def _entry_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise editing_404(self.opts, object_id)
        return obj

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Reverting happens on the versions page, whole entry at once, through the rules."""
        return redirect(admin_url(self.model, "versions", object_id))

    def versions_view(self, request, object_id):
        obj = self._entry_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        revisions = Revision.objects.filter(
            entry_type=editing.entry_type(self.model), entry_id=obj.pk
        ).select_related("user")
        current = snapshots.take(obj)
        rows = [
            {"revision": r, "changes": snapshots.diff(self.model, r.snapshot, current)}
            for r in revisions
        ]
        context = self._context(
            request,
            f"Versions of “{obj}”",
            object=obj,
            rows=rows,
            can_revert=self.has_change_permission(request, obj),
        )
        return TemplateResponse(request, "admin/causes/versions.html", context)

    def compare_view(self, request, object_id):
        """Any two versions of an entry side by side (fields, links and children), or one
        version and the entry as it is now: ?a=<version id>&b=<version id or "now">."""
        obj = self._entry_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        revisions = Revision.objects.filter(
            entry_type=editing.entry_type(self.model), entry_id=obj.pk
        ).select_related("user")
        now = {"label": "Now", "snapshot": snapshots.take(obj)}

        def side(key):
            value = request.GET.get(key, "now")
            if value == "now":
                return now
            if not value.isdigit():
                return None
            revision = revisions.filter(pk=int(value)).first()
            if revision is None:
                return None
            label = f"Version {revision.version}: {revision.get_action_display().lower()}"
            label += f", {revision.created:%d %b %Y %H:%M}"
            if revision.user:
                label += f", by {revision.user}"
            return {"label": label, "snapshot": revision.snapshot}

        old, new = side("a"), side("b")
        if old is None or new is None:
            self.message_user(
                request, "Choose two versions of this entry to compare.", messages.ERROR
            )
            return redirect(admin_url(self.model, "versions", obj.pk))
        context = self._context(
            request,
            f"Compare versions of “{obj}”",
            object=obj,
            old=old,
            new=new,
            changes=snapshots.diff(self.model, old["snapshot"], new["snapshot"]),
        )
        return TemplateResponse(request, "admin/causes/compare.html", context)

    def revert_view(self, request, object_id, revision_id):
        obj = self._entry_or_404(request, object_id)
        if request.method != "POST":
            return redirect(admin_url(self.model, "versions", obj.pk))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(
            Revision,
            pk=revision_id,
            entry_type=editing.entry_type(self.model),
            entry_id=obj.pk,
        )
        try:
            current = editing.revert(request.user, revision, request.POST.get("reason", ""))
        except Refusal as refusal:
            self.message_user(request, refusal.messages[0], messages.ERROR)
            return redirect(admin_url(self.model, "versions", obj.pk))
        if current.outcome == "pending":
            self.message_user(
                request,
                f"The revert of “{obj}” is saved as pending changes: not public yet.",
                messages.WARNING,
            )
        else:
            self.log_change(request, obj, f"Reverted to the version of {revision.created:%c}.")
            self.message_user(request, f"Reverted “{obj}”.", messages.SUCCESS)
        return redirect(admin_url(self.model, "change", obj.pk))

    def pending_view(self, request, object_id):
        """The pending changes of an entry beside the live version; publish or discard."""
        obj = self._entry_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        record = editing.pending_for(self.model, obj.pk)
        if request.method == "POST":
            return self._act_on_pending(request, obj)
        changes = []
        if record is not None and record.snapshot:
            changes = snapshots.diff(self.model, snapshots.take(obj), record.snapshot)
        context = self._context(
            request,
            f"Pending changes to “{obj}”",
            object=obj,
            record=record,
            changes=changes,
            can_publish=self.has_publish_permission(request),
            can_discard=record is not None
            and (self.has_publish_permission(request) or record.author_id == request.user.pk),
        )
        return TemplateResponse(request, "admin/causes/pending.html", context)

    def _act_on_pending(self, request, obj):
        acts = {
            "publish": (editing.publish_pending, "Published the pending changes to “{}”."),
            "discard": (editing.discard_pending, "Discarded the pending changes to “{}”."),
            "submit": (editing.submit, "Submitted “{}” for publication."),
        }
        act, done = acts.get(request.POST.get("act"), (None, ""))
        if act is None:
            self.message_user(request, "Choose publish, discard or submit.", messages.ERROR)
            return redirect(admin_url(self.model, "pending", obj.pk))
        try:
            act(request.user, self.model, obj.pk)
        except Refusal as refusal:
            self.message_user(request, refusal.messages[0], messages.ERROR)
            return redirect(admin_url(self.model, "pending", obj.pk))
        self.message_user(request, done.format(obj), messages.SUCCESS)
        return redirect(admin_url(self.model, "change", obj.pk))

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = self._context(
            request,
            f"Deleted {self.opts.verbose_name_plural}",
            records=editing.deleted_entries(self.model),
            children=[c.model._meta.verbose_name_plural for c in self.declaration.children],
        )
        return TemplateResponse(request, "admin/causes/deleted_entries.html", context)

    def restore_view(self, request, revision_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        deleted = admin_url(self.model, "deleted")
        if request.method != "POST":
            return redirect(deleted)
        record = get_object_or_404(
            Revision,
            pk=revision_id,
            entry_type=editing.entry_type(self.model),
            action=RevisionAction.DELETED,
        )
        try:
            restored, made_draft = editing.restore(request.user, record)
        except Refusal as refusal:
            self.message_user(request, refusal.messages[0], messages.ERROR)
            return redirect(deleted)
        self.log_addition(request, restored, "Restored after deletion.")
        note = ""
        if made_draft and self.has_publish_permission(request):
            note = " as a draft: it has no source, so attach one before publishing it again"
        elif made_draft:
            note = " as a draft: a publisher must publish it again"
        self.message_user(request, f"Restored “{restored}”{note}.", messages.SUCCESS)
        return redirect(admin_url(self.model, "change", restored.pk))


def editing_404(opts, object_id):
    from django.http import Http404

    return Http404(f"No {opts.verbose_name} with id “{object_id}”.")


class ReviewedEntryAdmin(EntryAdmin):
    """Entries with medical claims: published by publishers, reviewed on a schedule."""

    actions = ["publish", "unpublish", "mark_reviewed", "submit_for_publication"]

    class Media:
        js = ["causes/admin_citations.js"]

    @admin.display(description="citations")
    def citation_status(self, obj):
        """Which attached sources the saved texts cite, each with a button that inserts its
        marker where the cursor is in the text last edited (causes/admin_citations.js)."""
        if obj is None or obj.pk is None:
            return "Save the entry once to see which of its sources its text cites."
        sources = list(obj.sources.order_by("title"))
        cited = {slug for text in citations.texts_of(obj) for slug in citations.cited_slugs(text)}
        found = citations.problems(citations.texts_of(obj), [s.slug for s in sources])
        rows = [
            format_html(
                '<li class="{}"><button type="button" class="cite-button" data-marker="[{}]">'
                "Cite</button> <code>[{}]</code> {} — {}</li>",
                "cited" if s.slug in cited else "uncited",
                s.slug,
                s.slug,
                s.title,
                "cited" if s.slug in cited else "not cited yet",
            )
            for s in sources
        ]
        notes = []
        if found.unknown:
            notes.append(
                format_html(
                    '<p class="errornote">Markers naming no attached source: {}</p>',
                    ", ".join(f"[{slug}]" for slug in found.unknown),
                )
            )
        if found.bare_paragraphs:
            notes.append(
                format_html("<p>{} paragraph(s) cite no source.</p>", found.bare_paragraphs)
            )
        listing = format_html_join("", "{}", ((row,) for row in rows))
        return format_html(
            '<ul class="citation-status">{}</ul>{}',
            listing,
            mark_safe("".join(notes)),  # noqa: S308
        )

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_mark_reviewed"
        route = path(
            "<path:object_id>/mark-reviewed/",
            self.admin_site.admin_view(self.mark_reviewed_view),
            name=name,
        )
        return [route, *super().get_urls()]

    def mark_reviewed_view(self, request, object_id):
        """“Mark reviewed” from the entry's own form, as the list's action does."""
        obj = self._entry_or_404(request, object_id)
        if request.method != "POST":
            return redirect(admin_url(self.model, "change", obj.pk))
        if not self.has_review_permission(request):
            raise PermissionDenied(rules.denial("review", self.model, f"mark “{obj}” reviewed"))
        try:
            editing.mark_reviewed(request.user, obj)
        except Refusal as refusal:
            self.message_user(request, refusal.messages[0], messages.ERROR)
        else:
            self.message_user(request, f"Marked “{obj}” reviewed today.", messages.SUCCESS)
        return redirect(admin_url(self.model, "change", obj.pk))

    def _pending_context(self, request, obj, extra_context):
        context = super()._pending_context(request, obj, extra_context)
        if obj is not None and self.has_review_permission(request):
            context["mark_reviewed_url"] = admin_url(self.model, "mark_reviewed", obj.pk)
        return context

    @admin.display(description="next review", ordering="last_reviewed")
    def review_due(self, obj):
        if obj.last_reviewed is None:
            return "not reviewed yet"
        due = obj.next_review_due
        return f"{due:%d %b %Y}" + (" (overdue)" if obj.review_overdue else "")


class ChildAdmin(admin.ModelAdmin):
    """Brand names and aliases are edited on their entry's form, where the entry's version,
    pending changes and rules cover them; here they can only be looked up. (The delete
    right still counts when their entry is deleted with them.)"""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied("Remove it on its entry's form.")
