"""Import and export for editors (django-import-export): causes, drugs with their brand
names, and sources, by slug, in CSV or JSON. Imports run in one transaction with a
preview first; a file with any bad row changes nothing."""

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from import_export import fields, resources, widgets
from import_export.resources import Diff
from import_export.results import RowResult

from causes import editing
from causes.diffs import word_diff
from causes.models import BrandName, Category, Cause, Drug, Mechanism, RevisionAction, Source
from causes.rules import Refusal

LIST_SEPARATOR = "|"


class EditorialResourceMixin:
    """Each row is one edit through `causes.editing`, as the importing user: the same
    rules as the admin form (who may add, change, publish, review, remove brand names),
    and an editor's change to a published entry becomes pending changes."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_diff_class(self):
        return FieldDiff

    def import_row(self, row, instance_loader, **kwargs):
        if self.user is None:  # a management command or a test: no person, no rules
            return super().import_row(row, instance_loader, **kwargs)
        try:
            existing = self.get_instance(instance_loader, row)
        except Exception:  # a malformed key: let import-export report the row
            return super().import_row(row, instance_loader, **kwargs)
        model = self._meta.model
        result = None
        try:
            with editing.edit(
                self.user, model, existing.pk if existing else None, action=RevisionAction.IMPORTED
            ) as current:
                result = super().import_row(row, instance_loader, **kwargs)
                if result.import_type in WRITTEN and result.object_id is not None:
                    current.pk = result.object_id
                else:
                    current.abandon()
        except Refusal as refusal:
            result = result or self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = refusal
        return result


WRITTEN = {RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE}


class DiffCell:
    """One field of a previewed row: whether the import changes it, and the old and new
    values with the changed words marked (<del>/<ins>, coloured by admin.css: the CSP
    strips the inline styles import-export's own diff uses)."""

    def __init__(self, column: str, old: str, new: str, creating: bool):
        self.column = column
        self.changed = old != new
        self.creating = creating
        self.old, self.new = word_diff(old, new) if self.changed else (old, new)

    def __str__(self):
        return str(self.new)


class FieldDiff(Diff):
    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.columns = [f.column_name for f in resource.get_import_fields()]

    def as_html(self):
        return [
            DiffCell(column, "" if self.new else force_str(v1), force_str(v2), self.new)
            for column, v1, v2 in zip(self.columns, self.left, self.right, strict=False)
        ]


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key by slug whose unknown value is an error of its column, in words."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            name = self.model._meta.verbose_name
            raise ValueError(f"“{value}” is not the slug of any {name}.") from None


class SourceResource(EditorialResourceMixin, resources.ModelResource):
    class Meta:
        model = Source
        import_id_fields = ["slug"]
        fields = ["slug", "title", "authors", "year", "publisher", "url", "accessed", "access"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


def slug_list(model):
    return widgets.ManyToManyWidget(model, field="slug", separator=LIST_SEPARATOR)


class CauseResource(EditorialResourceMixin, resources.ModelResource):
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=SlugWidget(Category, field="slug"),
    )
    mechanisms = fields.Field(attribute="mechanisms", widget=slug_list(Mechanism))
    sources = fields.Field(attribute="sources", widget=slug_list(Source))

    class Meta:
        model = Cause
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "category",
            "status",
            "summary",
            "advice",
            "used_to_treat",
            "mechanisms",
            "mechanism_note",
            "origin",
            "source_wording",
            "sources",
            "last_reviewed",
            "order",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


def brand_names_in(row) -> list[str]:
    """The 'Clozaril|Fazaclo' cell of an imported row, as a list."""
    return [n.strip() for n in (row.get("brand_names") or "").split(LIST_SEPARATOR) if n.strip()]


class DrugResource(EditorialResourceMixin, resources.ModelResource):
    cause = fields.Field(
        attribute="cause", column_name="cause", widget=SlugWidget(Cause, field="slug")
    )
    mechanisms = fields.Field(attribute="mechanisms", widget=slug_list(Mechanism))
    sources = fields.Field(attribute="sources", widget=slug_list(Source))
    # A drug's brand names in one cell; saved after the drug by after_save_instance.
    brand_names = fields.Field(column_name="brand_names")

    class Meta:
        model = Drug
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "cause",
            "drug_class",
            "status",
            "summary",
            "advice",
            "used_to_treat",
            "brand_names",
            "mechanisms",
            "mechanism_note",
            "origin",
            "sources",
            "last_reviewed",
            "order",
        ]
        skip_unchanged = False
        clean_model_instances = True

    def dehydrate_brand_names(self, drug):
        return LIST_SEPARATOR.join(b.name for b in drug.brand_names.order_by("name"))

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        names = brand_names_in(row)
        seen = set()
        for name in names:
            if name.casefold() in seen:
                raise ValidationError({"brand_names": f"“{name}” is listed twice."})
            seen.add(name.casefold())
            try:  # the checks the brand name inline makes: its length, for one
                BrandName(name=name).clean_fields(exclude=["drug"])
            except ValidationError as error:
                raise ValidationError(
                    {"brand_names": f"“{name}”: {' '.join(error.messages)}"}
                ) from None
            clash = BrandName.objects.filter(name__iexact=name).exclude(drug__slug=instance.slug)
            clash = clash.select_related("drug").first()
            if clash:
                raise ValidationError(
                    {"brand_names": f"“{clash.name}” is already a brand name of {clash.drug.name}."}
                )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if "brand_names" not in row:
            return  # a file without the column says nothing about brand names: keep them
        names = brand_names_in(row)
        wanted = {n.casefold(): n for n in names}
        for brand in instance.brand_names.all():
            if brand.name.casefold() not in wanted:
                brand.delete()
            else:
                wanted.pop(brand.name.casefold())
        for name in wanted.values():
            BrandName.objects.create(drug=instance, name=name)
