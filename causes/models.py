"""Content model: what lowers neutrophils, how, and where each claim comes from."""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from causes.rules import StaleEdit


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


class Versioned(models.Model):
    """An entry edited on a form of its own: every write claims the next version.

    The claim is a conditional `UPDATE … SET version = seen + 1 WHERE version = seen` in the
    same transaction as the write, so of two saves based on the same copy exactly one
    succeeds, whatever the timing; the other raises `StaleEdit`. `version` holds the copy's
    version: as loaded, or as the editor's form saw it.
    """

    version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up on every save, so a save based on an older copy is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            if self._state.adding:
                self.version = max(self.version, 1)
            elif not getattr(self, "_version_claimed", False):
                self.claim_version()
            self._version_claimed = False
            super().save(*args, **kwargs)

    def claim_version(self) -> None:
        """Take the next version, or refuse if the stored one is not the one this copy saw."""
        seen = self.version
        model = type(self)
        claimed = model._base_manager.filter(pk=self.pk, version=seen).update(version=seen + 1)
        if not claimed:
            raise StaleEdit(stale_message(self), code="stale")
        self.version = seen + 1
        self._version_claimed = True


def stale_message(entry) -> str:
    """Who saved over the copy an editor had open, and when: the newest of the entry's
    revisions and its pending changes."""
    where = {"entry_type": ContentType.objects.get_for_model(entry), "entry_id": entry.pk}
    saves = [
        (r.created, r.user) for r in Revision.objects.filter(**where).select_related("user")[:1]
    ] + [
        (p.updated, p.author)
        for p in PendingChange.objects.filter(**where).select_related("author")
    ]
    when, user = max(saves, key=lambda save: save[0]) if saves else (None, None)
    who = f" by {user}" if user else ""
    at = f" at {timezone.localtime(when):%H:%M on %d %b %Y}" if when else ""
    return (
        f"Someone else saved this {entry._meta.verbose_name}{who}{at} after you opened "
        "it, so your changes were not saved. Copy what you wrote, reload the page to see "
        "their version, and apply your changes again."
    )


class SourceAccess(models.TextChoices):
    FULL = "full", "Full text read"
    ABSTRACT = "abstract", "Abstract only"
    UNCONFIRMED = "unconfirmed", "Title not confirmed"


class Source(SlugNaturalKeyMixin, Versioned):
    """A citation shared by many entries."""

    slug = models.SlugField(
        unique=True, help_text="Short stable key, for example 'mayo-clinic-causes'."
    )
    title = models.CharField(max_length=300, help_text="Title of the page or article.")
    authors = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "For an article: its authors as cited, e.g. “Curtis BR” or “Andersohn F, et al.”."
        ),
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year it was published, when known."
    )
    publisher = models.CharField(
        max_length=200, help_text="Who published it: a journal, a clinic, an agency."
    )
    url = models.URLField(max_length=500, help_text="Where a reader can check it.")
    accessed = models.DateField(
        help_text="The date an editor really opened and read it (not the date it was added)."
    )
    access = models.CharField(
        max_length=12,
        choices=SourceAccess,
        default=SourceAccess.FULL,
        help_text=(
            "How much of it was read: the full text, only the abstract, or a page whose title "
            "could not be confirmed. Shown to readers beside the source."
        ),
    )

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [
            ("publish_source", "Can change sources cited by published entries"),
            ("import_source", "Can import sources"),
        ]

    def __str__(self):
        """As an editor picks it: 'Title (Publisher, 2017; Curtis BR)'."""
        details = ", ".join(str(part) for part in (self.publisher, self.year) if part)
        return f"{self.title} ({details}{'; ' + self.authors if self.authors else ''})"


class MechanismQuerySet(models.QuerySet):
    def delete(self):
        for mechanism in self:
            mechanism.refuse_delete_while_used()
        return super().delete()

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Mechanism(SlugNaturalKeyMixin, Versioned):
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
        return self.filter(models.Q(last_reviewed__lte=cutoff) | models.Q(last_reviewed=None))


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


class Publishable(SlugNaturalKeyMixin, Versioned):
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

    class Meta:
        abstract = True

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


CITATION_HELP = (
    " Cite the source of each sentence with its slug in square brackets right after it: "
    "“…neutrophils.[dailymed-clozapine]”. Every paragraph needs at least one citation, and "
    "each slug must be a source attached below; the page shows them as numbered links."
)
ADVICE_HELP = (
    "“What to do”: one to four short sentences of advice specific to this entry that an "
    "attached source gives (a monitoring schedule, when to call the doctor), with citations."
    + CITATION_HELP
    + " Leave empty when no source gives specific advice: the page then links to “When to "
    "get help” only."
)
ORIGIN_HELP = (
    "“On the source page”: an item of the Mayo Clinic list the site is built on. “Added "
    "beyond the source page”: an entry added from other sources (the page says so)."
)


class Origin(models.TextChoices):
    SOURCE_PAGE = "source_page", "On the source page"
    BEYOND = "beyond_source", "Added beyond the source page"


class SourcePageOrigin:
    @property
    def in_source_page(self) -> bool:
        return self.origin == Origin.SOURCE_PAGE


class ReviewedEntry(Publishable):
    """An entry with medical claims: it carries sources and a review date."""

    summary = models.TextField(
        help_text=(
            "Plain language (a reading grade of 8 or lower), in our own words, from the "
            "sources attached below." + CITATION_HELP
        )
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "When a publisher last checked this entry against its sources; set only by "
            "“Mark reviewed”. Empty until the first review."
        ),
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
        """Today for an entry never reviewed: it is due at once."""
        if self.last_reviewed is None:
            return date.today()
        return self.last_reviewed + review_interval()

    @property
    def review_overdue(self) -> bool:
        return self.next_review_due <= date.today()


USED_TO_TREAT_HELP = (
    "For a drug or a group of drugs: the conditions it is used to treat, as one plain phrase, "
    "e.g. “an overactive thyroid (hyperthyroidism), as in Graves' disease”. Give the everyday "
    "name and the medical one; only uses an attached source states. Shown as “Used to treat: "
    "…” and searched. Leave empty for causes that are not drugs. Cite the source (the "
    "label's indications) after the phrase: “…ulcerative colitis.[dailymed-sulfasalazine]”."
)


class ShownAliases:
    """The aliases a page shows, from the (prefetched) aliases: other names, and related
    terms apart (misspellings are for search only)."""

    @property
    def public_names(self):
        return [a for a in self.aliases.all() if a.is_name]

    @property
    def related_terms(self):
        return [a for a in self.aliases.all() if a.kind == AliasKind.RELATED]


class CauseKind(models.TextChoices):
    """What a cause is; search engines read it from the page's structured data
    (`causes/structured_data.py` maps each to its schema.org type)."""

    CONDITION = "condition", "A disease or condition"
    INFECTION = "infection", "An infection"
    TREATMENT = "treatment", "A treatment"
    MEDICINES = "medicines", "A group of medicines"
    MEDICINE = "medicine", "One medicine"


class Cause(ShownAliases, SourcePageOrigin, ReviewedEntry):
    """One line of the source list: a disease, treatment or drug group."""

    name = models.CharField(
        max_length=200, help_text="Short and plain, e.g. 'Lupus' or 'Certain antibiotics'."
    )
    kind = models.CharField(
        "what it is",
        max_length=12,
        choices=CauseKind,
        default=CauseKind.CONDITION,
        help_text="A disease, an infection, a treatment (chemotherapy) or medicines.",
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="causes",
        help_text="The heading it stands under on the source page.",
    )
    used_to_treat = models.TextField(blank=True, help_text=USED_TO_TREAT_HELP)
    mechanisms = models.ManyToManyField(
        Mechanism,
        blank=True,
        related_name="causes",
        help_text="Only mechanisms a cited source supports. Leave empty and explain below if none.",
    )
    mechanism_note = models.TextField(
        blank=True,
        help_text=(
            "Shown beside the mechanisms: say plainly when the sources do not establish one, "
            "or which form of the cause a mechanism applies to." + CITATION_HELP
        ),
    )
    advice = models.TextField("what to do", blank=True, help_text=ADVICE_HELP)
    origin = models.CharField(
        max_length=16, choices=Origin, default=Origin.SOURCE_PAGE, help_text=ORIGIN_HELP
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
            ("import_cause", "Can import causes"),
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


class Drug(ShownAliases, SourcePageOrigin, ReviewedEntry):
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
    used_to_treat = models.TextField(blank=True, help_text=USED_TO_TREAT_HELP)
    mechanisms = models.ManyToManyField(
        Mechanism,
        blank=True,
        related_name="drugs",
        help_text="Only mechanisms a cited source supports for this drug.",
    )
    mechanism_note = models.TextField(
        blank=True,
        help_text="Say plainly when the sources do not establish a mechanism." + CITATION_HELP,
    )
    advice = models.TextField("what to do", blank=True, help_text=ADVICE_HELP)
    origin = models.CharField(
        max_length=16, choices=Origin, default=Origin.SOURCE_PAGE, help_text=ORIGIN_HELP
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
            ("import_drug", "Can import drugs"),
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


class BrandMarket(models.TextChoices):
    US = "us", "Sold in the US"
    OUTSIDE_US = "outside_us", "Sold outside the US"
    DISCONTINUED_US = "discontinued_us", "No longer sold in the US"


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
        "named on the source page",
        default=True,
        help_text="Ticked: the Mayo Clinic page the site is built on names this brand. Untick "
        "for brands found in other sources.",
    )
    market = models.CharField(
        "where it is sold",
        max_length=16,
        choices=BrandMarket,
        default=BrandMarket.US,
        help_text=(
            "Where it is sold, as an attached source of the drug says (DailyMed, the FDA, "
            "a regulator outside the US). Shown beside the name."
        ),
    )
    market_note = models.CharField(
        max_length=150,
        blank=True,
        help_text=(
            "Where outside the US, or a short fact: “UK”, “the capsules; the injection is "
            "still sold”."
        ),
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

    @property
    def market_label(self) -> str:
        """Beside the name: '' for a current US brand, else 'no longer sold in the US' …"""
        if self.market == BrandMarket.US:
            return self.market_note
        label = BrandMarket(self.market).label
        label = label[0].lower() + label[1:]  # "no longer sold in the US"
        return f"{label}: {self.market_note}" if self.market_note else label

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
    # Not the same thing (febrile neutropenia, Felty syndrome): shown apart, still searched.
    RELATED = "related", "Related term"


class Alias(models.Model):
    """Another name people type for an entry."""

    name = models.CharField(
        max_length=150, help_text="As people write it: 'EBV', 'leukaemia', 'blood poisoning'."
    )
    kind = models.CharField(
        max_length=12,
        choices=AliasKind,
        default=AliasKind.SYNONYM,
        help_text=(
            "Shown beside the name; misspellings help search but are not shown. “Related term”: "
            "a different but related thing (febrile neutropenia, Felty syndrome), listed as "
            "related, not as another name, and still found by search."
        ),
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

    @property
    def is_name(self):
        """Shown as another name of the entry: not a misspelling, not a related term."""
        return self.kind not in (AliasKind.MISSPELLING, AliasKind.RELATED)


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


# The article every cause and drug page, and the footer, link to.
GET_HELP_SLUG = "when-to-get-help"


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
    USES = "uses", "Used to treat"


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


# --- editorial records ---------------------------------------------------------------------


class RevisionAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    PUBLISHED_PENDING = "published-pending", "Published pending changes"
    REVIEWED = "reviewed", "Marked reviewed"
    REVERTED = "reverted", "Reverted"
    RESTORED = "restored", "Restored after deletion"
    IMPORTED = "imported", "Imported"
    DELETED = "deleted", "Deleted"


class EntryRecord(models.Model):
    """Points at one entry by content type and id, so it outlives the entry's deletion."""

    entry_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    entry_id = models.PositiveBigIntegerField()
    entry_name = models.CharField(max_length=300, help_text="The entry's name at the time.")

    class Meta:
        abstract = True

    @property
    def entry_model(self):
        return self.entry_type.model_class()

    def entry(self):
        """The entry as it is now, or None if it has been deleted."""
        return self.entry_model._default_manager.filter(pk=self.entry_id).first()


class Revision(EntryRecord):
    """The whole of an entry after one editorial write: its fields, its many-to-many links
    and its children (brand names, aliases), so a revert or a restore brings back exactly
    that state. Written by `causes.editing` on every committed write and on deletion."""

    version = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=RevisionAction)
    snapshot = models.JSONField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["entry_type", "entry_id"], name="revision_entry")]

    def __str__(self):
        return f"{self.entry_name}: {self.get_action_display()} ({self.created:%Y-%m-%d %H:%M})"


class PendingChange(EntryRecord):
    """An editor's changes to a published entry, waiting for a publisher; or, with no
    snapshot, a draft its editor has submitted for publication. One per entry."""

    snapshot = models.JSONField(
        null=True, blank=True, help_text="The entry as it will be once published."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry_type", "entry_id"], name="pendingchange_one_per_entry"
            ),
        ]

    def __str__(self):
        return f"Pending changes to {self.entry_name}"
