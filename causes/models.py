"""Content model: what lowers neutrophils, how, and where each claim comes from."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class SlugManager(models.Manager):
    """Looks rows up by slug, so fixtures name things by slug rather than by id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


class Source(SlugNaturalKeyMixin, models.Model):
    """A citation shared by many entries."""

    slug = models.SlugField(
        unique=True, help_text="Short stable key, for example 'mayo-clinic-causes'."
    )
    title = models.CharField(max_length=300, help_text="Title of the page or article.")
    publisher = models.CharField(
        max_length=200, help_text="Who published it: a journal, a clinic, an agency."
    )
    url = models.URLField(max_length=500, help_text="Where a reader can check it.")
    accessed = models.DateField(help_text="When an editor last opened and checked it.")

    objects = SlugManager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.publisher})"


class Mechanism(SlugNaturalKeyMixin, models.Model):
    """How a cause lowers neutrophils: production, destruction or storage."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(
        max_length=40, help_text="One or two words shown beside causes, e.g. 'destruction'."
    )
    explanation = models.TextField(
        help_text="Plain-language explanation for visitors, a short paragraph."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    sources = models.ManyToManyField(Source, blank=True, related_name="mechanisms")

    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("causes:mechanism-detail", args=[self.slug])


class PublishableQuerySet(models.QuerySet):
    """Publication rules: the public sees only what `published()` returns."""

    published_lookups: tuple[str, ...] = ("status",)

    def published(self):
        """Rows whose own status, and every parent's, is published."""
        return self.filter(**{lookup: Status.PUBLISHED for lookup in self.published_lookups})

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CategoryQuerySet(PublishableQuerySet):
    pass


class CauseQuerySet(PublishableQuerySet):
    published_lookups = ("status", "category__status")


class DrugQuerySet(PublishableQuerySet):
    published_lookups = ("status", "cause__status", "cause__category__status")


class ArticleQuerySet(PublishableQuerySet):
    pass


class Publishable(SlugNaturalKeyMixin, models.Model):
    """Fields every public entry has: a slug, a status and a review date."""

    slug = models.SlugField(unique=True, help_text="The last part of the page's address.")
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts are hidden from the public site, search and the API.",
    )

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


class Category(Publishable):
    """A heading of the source page, such as 'Drugs' or 'Infections'."""

    name = models.CharField(max_length=100, unique=True)
    intro = models.TextField(blank=True, help_text="A short paragraph shown above the causes.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("causes:category-detail", args=[self.slug])


class ReviewedEntry(Publishable):
    """An entry with medical claims: it carries sources and a review date."""

    summary = models.TextField(
        help_text="Plain language, in our own words, from the sources attached below."
    )
    last_reviewed = models.DateField(
        help_text="When an editor last checked this entry against its sources."
    )

    class Meta:
        abstract = True


class Cause(ReviewedEntry):
    """One line of the source list: a disease, treatment or drug group."""

    name = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="causes",
        help_text="The heading it stands under on the source page.",
    )
    mechanisms = models.ManyToManyField(
        Mechanism,
        blank=True,
        related_name="causes",
        help_text="Only mechanisms a cited source supports. Leave empty and explain below if none.",
    )
    mechanism_note = models.TextField(
        blank=True,
        help_text="Shown beside the mechanisms: say plainly when the sources do not establish one.",
    )
    source_wording = models.CharField(
        max_length=300,
        blank=True,
        help_text="The line as the source page words it, when it differs from the name.",
    )
    sources = models.ManyToManyField(Source, related_name="causes")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within its category; lower numbers come first."
    )

    objects = CauseQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"], name="cause_unique_name_in_category"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("causes:cause-detail", args=[self.slug])


class Drug(ReviewedEntry):
    """A generic drug named under a cause of the Drugs category."""

    name = models.CharField(max_length=100, unique=True, help_text="Generic (international) name.")
    cause = models.ForeignKey(
        Cause,
        on_delete=models.PROTECT,
        related_name="drugs",
        help_text="The drug group it is listed under.",
    )
    drug_class = models.CharField(
        max_length=150, help_text="What kind of drug it is, e.g. 'atypical antipsychotic'."
    )
    mechanisms = models.ManyToManyField(Mechanism, blank=True, related_name="drugs")
    mechanism_note = models.TextField(
        blank=True, help_text="Say plainly when the sources do not establish a mechanism."
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="drugs")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position within its cause.")

    objects = DrugQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("causes:drug-detail", args=[self.slug])


class BrandNameManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name__iexact=name)


class BrandName(models.Model):
    """A trade name on a pill bottle; belongs to exactly one drug."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="brand_names")
    name = models.CharField(max_length=100, help_text="As printed on the pack, e.g. 'Clozaril'.")
    in_source = models.BooleanField(
        default=True, help_text="Named on the source page (untick for brands from other sources)."
    )

    objects = BrandNameManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="brandname_unique_name_ignoring_case",
                violation_error_message="This brand name already exists.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.drug.get_absolute_url()

    def natural_key(self):
        return (self.name,)

    natural_key.dependencies = ["causes.drug"]

    def validate_constraints(self, exclude=None):
        """Name the drug that already has this brand, rather than a bare 'already exists'."""
        if not exclude or "name" not in exclude:
            clash = (
                BrandName.objects.filter(name__iexact=self.name)
                .exclude(pk=self.pk)
                .select_related("drug")
                .first()
            )
            if clash:
                raise ValidationError(
                    {"name": f"“{clash.name}” is already a brand name of {clash.drug.name}."},
                    code="unique",
                )
        super().validate_constraints(exclude=exclude)


class AliasKind(models.TextChoices):
    ABBREVIATION = "abbreviation", "Abbreviation"
    FORMER_NAME = "former", "Former name"
    SYNONYM = "synonym", "Other name"
    LAY_TERM = "lay", "Everyday term"
    SPELLING = "spelling", "Other spelling"
    MISSPELLING = "misspelling", "Common misspelling"


class Alias(models.Model):
    """Another name people type for an entry."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=AliasKind, default=AliasKind.SYNONYM)

    class Meta:
        abstract = True
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        """Misspellings help search but are not shown as names."""
        return self.kind != AliasKind.MISSPELLING


class CauseAliasManager(models.Manager):
    def get_by_natural_key(self, cause_slug, name):
        return self.get(cause__slug=cause_slug, name=name)


class CauseAlias(Alias):
    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="aliases")

    objects = CauseAliasManager()

    class Meta(Alias.Meta):
        verbose_name = "cause alias"
        verbose_name_plural = "cause aliases"
        constraints = [
            models.UniqueConstraint(fields=["cause", "name"], name="causealias_unique_per_cause"),
        ]

    def natural_key(self):
        return (self.cause.slug, self.name)

    natural_key.dependencies = ["causes.cause"]


class DrugAliasManager(models.Manager):
    def get_by_natural_key(self, drug_slug, name):
        return self.get(drug__slug=drug_slug, name=name)


class DrugAlias(Alias):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="aliases")

    objects = DrugAliasManager()

    class Meta(Alias.Meta):
        verbose_name = "drug alias"
        verbose_name_plural = "drug aliases"
        constraints = [
            models.UniqueConstraint(fields=["drug", "name"], name="drugalias_unique_per_drug"),
        ]

    def natural_key(self):
        return (self.drug.slug, self.name)

    natural_key.dependencies = ["causes.drug"]


class Article(ReviewedEntry):
    """Background a visitor needs that is not itself a cause, e.g. benign neutropenia."""

    title = models.CharField(max_length=200, unique=True)
    body = models.TextField(
        help_text="The full text. Separate paragraphs with a blank line.", blank=True
    )
    sources = models.ManyToManyField(Source, related_name="articles")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("causes:article-detail", args=[self.slug])


class TargetKind(models.TextChoices):
    CAUSE = "cause", "Cause"
    DRUG = "drug", "Drug"
    CATEGORY = "category", "Category"
    MECHANISM = "mechanism", "Mechanism"
    ARTICLE = "article", "Article"


class MatchField(models.TextChoices):
    NAME = "name", "Name"
    ALIAS = "alias", "Alias"
    BRAND = "brand", "Brand name"
    SUMMARY = "summary", "Summary"


class SearchEntry(models.Model):
    """One searchable term of one published entry: the denormalised search index.

    Rows are derived data, rebuilt from the content by `causes.indexing`; never edit them.
    The display columns (title, url, description, context) let a results page render
    without touching the content tables.
    """

    target_kind = models.CharField(max_length=10, choices=TargetKind)
    target_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=10, choices=MatchField)
    alias_kind = models.CharField(max_length=12, blank=True)
    term = models.TextField(help_text="The text as written, for display.")
    norm = models.TextField(help_text="Normalised: lower case, no accents, words split by spaces.")
    compact = models.CharField(max_length=255, db_index=True, help_text="`norm` without spaces.")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    description = models.CharField(max_length=300, blank=True)
    context = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "search entries"
        indexes = [models.Index(fields=["target_kind", "target_id"], name="searchentry_target")]

    def __str__(self):
        return f"{self.term} → {self.title}"
