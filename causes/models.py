"""Content model: what lowers neutrophils, how, and where each claim comes from."""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords


@lru_cache(maxsize=4096)
def entry_url(view_name: str, slug: str) -> str:
    """reverse() for an entry's page, remembered: list pages link dozens of entries and
    the URLconf does not change while the process runs."""
    return reverse(view_name, args=[slug])


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.publisher})"


class MechanismQuerySet(models.QuerySet):
    def delete(self):
        for mechanism in self:
            mechanism.refuse_delete_while_used()
        return super().delete()

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Mechanism(SlugNaturalKeyMixin, models.Model):
    """How a cause lowers neutrophils: production, destruction or storage."""

    slug = models.SlugField(unique=True, help_text="The last part of the page's address.")
    name = models.CharField(
        max_length=100, unique=True, help_text="As a heading, e.g. 'Decreased production'."
    )
    short_name = models.CharField(
        max_length=40, help_text="One or two words shown beside causes, e.g. 'destruction'."
    )
    explanation = models.TextField(
        help_text="Plain-language explanation for visitors, a short paragraph."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    sources = models.ManyToManyField(
        Source, blank=True, related_name="mechanisms", help_text="Where the explanation comes from."
    )

    objects = MechanismQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return entry_url("causes:mechanism-detail", self.slug)

    def entries_using_it(self) -> list:
        """Causes and drugs that name this mechanism: while any do, it cannot be deleted."""
        return [*self.causes.all(), *self.drugs.all()]

    def refuse_delete_while_used(self) -> None:
        """A mechanism is reference data: deleting it would silently strip it from entries."""
        users = self.entries_using_it()
        if users:
            names = ", ".join(str(u) for u in users[:5]) + (" …" if len(users) > 5 else "")
            raise models.ProtectedError(
                f"Cannot delete the mechanism “{self}”: {len(users)} entries use it ({names}).",
                set(users),
            )

    def delete(self, *args, **kwargs):
        self.refuse_delete_while_used()
        return super().delete(*args, **kwargs)


class PublishableQuerySet(models.QuerySet):
    """Publication rules: the public sees only what `published()` returns."""

    published_lookups: tuple[str, ...] = ("status",)

    def published(self):
        """Rows whose own status, and every parent's, is published."""
        return self.filter(**{lookup: Status.PUBLISHED for lookup in self.published_lookups})

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ReviewedQuerySet(PublishableQuerySet):
    def review_due(self, within_days: int = 0):
        """Entries whose next review falls within this many days from today (or is past)."""
        cutoff = date.today() + timedelta(days=within_days) - review_interval()
        return self.filter(last_reviewed__lte=cutoff)


def review_interval() -> timedelta:
    return timedelta(days=settings.REVIEW_INTERVAL_DAYS)


class CategoryQuerySet(PublishableQuerySet):
    pass


class CauseQuerySet(ReviewedQuerySet):
    published_lookups = ("status", "category__status")


class DrugQuerySet(ReviewedQuerySet):
    published_lookups = ("status", "cause__status", "cause__category__status")


class ArticleQuerySet(ReviewedQuerySet):
    pass


class Publishable(SlugNaturalKeyMixin, models.Model):
    """Fields every public entry has: a slug, a status and a review date."""

    slug = models.SlugField(unique=True, help_text="The last part of the page's address.")
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text=(
            "Drafts are hidden from the public site, search and the API. "
            "Only publishers can publish."
        ),
    )
    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up on every save, so a save based on an older copy is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Count from the stored version, so a revert to an old copy still moves forward.
        stored = type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True)
        self.version = (stored.first() or 0) + 1 if self.pk else 1
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_live(self) -> bool:
        """Whether the public sees it: published, and so are its parents."""
        return self.is_published


class Category(Publishable):
    """A heading of the source page, such as 'Drugs' or 'Infections'."""

    name = models.CharField(
        max_length=100, unique=True, help_text="The heading as on the source page, e.g. 'Drugs'."
    )
    intro = models.TextField(blank=True, help_text="A short paragraph shown above the causes.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = CategoryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"
        permissions = [("publish_category", "Can publish and unpublish categories")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return entry_url("causes:category-detail", self.slug)


class ReviewedEntry(Publishable):
    """An entry with medical claims: it carries sources and a review date."""

    summary = models.TextField(
        help_text="Plain language, in our own words, from the sources attached below."
    )
    last_reviewed = models.DateField(
        help_text="When an editor last checked this entry against its sources."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last checked it; set by the 'Mark reviewed' action.",
    )

    class Meta:
        abstract = True

    @property
    def next_review_due(self) -> date:
        return self.last_reviewed + review_interval()

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due <= date.today()


class Cause(ReviewedEntry):
    """One line of the source list: a disease, treatment or drug group."""

    name = models.CharField(
        max_length=200, help_text="Short and plain, e.g. 'Lupus' or 'Certain antibiotics'."
    )
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
    sources = models.ManyToManyField(
        Source,
        related_name="causes",
        help_text="The source page, plus the source for each mechanism. Needed to publish.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within its category; lower numbers come first."
    )

    objects = CauseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[mechanisms, sources])

    class Meta:
        ordering = ["category__order", "order", "name"]
        permissions = [
            ("publish_cause", "Can publish and unpublish causes"),
            ("review_cause", "Can mark causes reviewed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"], name="cause_unique_name_in_category"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return entry_url("causes:cause-detail", self.slug)

    @property
    def is_live(self) -> bool:
        return self.is_published and self.category.is_published


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
    mechanisms = models.ManyToManyField(
        Mechanism,
        blank=True,
        related_name="drugs",
        help_text="Only mechanisms a cited source supports for this drug.",
    )
    mechanism_note = models.TextField(
        blank=True, help_text="Say plainly when the sources do not establish a mechanism."
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="drugs", help_text="Where the facts above come from."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position within its cause.")

    objects = DrugQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[mechanisms, sources])

    class Meta:
        ordering = ["order", "name"]
        permissions = [
            ("publish_drug", "Can publish and unpublish drugs"),
            ("review_drug", "Can mark drugs reviewed"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return entry_url("causes:drug-detail", self.slug)

    @property
    def is_live(self) -> bool:
        return self.is_published and self.cause.is_live


class BrandNameManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name__iexact=name)


class BrandName(models.Model):
    """A trade name on a pill bottle; belongs to exactly one drug."""

    drug = models.ForeignKey(
        Drug,
        on_delete=models.CASCADE,
        related_name="brand_names",
        help_text="The generic drug sold under this name.",
    )
    name = models.CharField(max_length=100, help_text="As printed on the pack, e.g. 'Clozaril'.")
    in_source = models.BooleanField(
        default=True, help_text="Named on the source page (untick for brands from other sources)."
    )

    objects = BrandNameManager()
    history = HistoricalRecords()

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

    name = models.CharField(
        max_length=150, help_text="As people write it: 'EBV', 'leukaemia', 'blood poisoning'."
    )
    kind = models.CharField(
        max_length=12,
        choices=AliasKind,
        default=AliasKind.SYNONYM,
        help_text="Shown beside the name; misspellings help search but are not shown.",
    )

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
    cause = models.ForeignKey(
        Cause, on_delete=models.CASCADE, related_name="aliases", help_text="The cause it names."
    )

    objects = CauseAliasManager()
    history = HistoricalRecords()

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
    drug = models.ForeignKey(
        Drug, on_delete=models.CASCADE, related_name="aliases", help_text="The drug it names."
    )

    objects = DrugAliasManager()
    history = HistoricalRecords()

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

    title = models.CharField(max_length=200, unique=True, help_text="The page's heading.")
    body = models.TextField(
        help_text="The full text. Separate paragraphs with a blank line.", blank=True
    )
    search_terms = models.TextField(
        blank=True,
        help_text=(
            "Other words people search for this page by, one per line, "
            "e.g. 'low neutrophils'. Not shown on the page."
        ),
    )
    sources = models.ManyToManyField(
        Source, related_name="articles", help_text="Where the facts in the text come from."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["order", "title"]
        permissions = [
            ("publish_article", "Can publish and unpublish background articles"),
            ("review_article", "Can mark background articles reviewed"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return entry_url("causes:article-detail", self.slug)


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
