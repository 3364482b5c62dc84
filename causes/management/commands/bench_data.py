"""Synthetic content for benchmarks: many published causes, drugs, brands and aliases.

Names are built from syllables that never occur in the real content (each has a z, q, x
or k the medical vocabulary lacks), so synthetic entries cannot be mistaken for real
ones and a real query finds the same real answers at any size.
"""

import itertools
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from causes import indexing
from causes.models import (
    AliasKind,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    Mechanism,
    Source,
    Status,
)
from site_config.page_cache import generation

SYLLABLES = [
    "zor", "vax", "quel", "kix", "zub", "xan", "qir", "zel",
    "kov", "vux", "zim", "qat", "xel", "kaz", "vuz", "zak",
    "quo", "xor", "kez", "zyl", "qub", "xim", "kuz", "zeq",
]  # fmt: skip
WORDS = [
    "zorbic", "vaxen", "quelda", "kixom", "zubra", "xanthor", "qirel", "zelkor",
    "kovra", "vuxin", "zimbal", "qatro", "xelvan", "kazur", "vuzel", "zakri",
]  # fmt: skip
BATCH = 2000
SOURCE_SLUG = "synthetic-benchmark-source"


def synthetic_word(n: int, length: int = 4) -> str:
    """A unique pronounceable word for each n: base-24 digits spelled as syllables."""
    parts = []
    for _ in range(length):
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts)


def summary_for(n: int) -> str:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(24)]
    return f"Synthetic benchmark entry {n}: " + " ".join(words) + "."


class Command(BaseCommand):
    help = "Add N synthetic published causes with drugs, brand names and aliases, then index them."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, required=True, help="How many causes to add.")

    def handle(self, *args, entries, **options):
        if entries < 1:
            raise CommandError("--entries must be at least 1.")
        categories = list(Category.objects.all())
        mechanisms = list(Mechanism.objects.all())
        if not categories or not mechanisms:
            raise CommandError("Load the content first (manage.py load_content).")
        start = time.perf_counter()
        source, _ = Source.objects.get_or_create(
            slug=SOURCE_SLUG,
            defaults={
                "title": "Synthetic benchmark data",
                "publisher": "bench_data",
                "url": "https://example.org/synthetic",
                "accessed": date.today(),
            },
        )
        offset = Cause.objects.filter(slug__startswith="bench-").count()
        created = 0
        for first in range(offset, offset + entries, BATCH):
            count = min(BATCH, offset + entries - first)
            self._add_batch(first, count, categories, mechanisms, source)
            created += count
            if options["verbosity"] > 1:
                self.stdout.write(f"  {created}/{entries}")
        generation.bump()  # bulk inserts send no signals
        seconds = time.perf_counter() - start
        self.stdout.write(f"Added and indexed {created} synthetic causes in {seconds:.1f} s.")

    @transaction.atomic
    def _add_batch(self, first, count, categories, mechanisms, source):
        today = date.today()
        numbers = range(first, first + count)
        causes = Cause.objects.bulk_create(
            Cause(
                slug=f"bench-{n}",
                name=synthetic_word(n).capitalize(),
                category=categories[n % len(categories)],
                summary=summary_for(n),
                last_reviewed=today,
                status=Status.PUBLISHED,
                order=1000,  # after the real causes; ties sort by name
            )
            for n in numbers
        )
        Cause.mechanisms.through.objects.bulk_create(
            Cause.mechanisms.through(cause_id=c.pk, mechanism_id=mechanisms[n % 3].pk)
            for n, c in zip(numbers, causes, strict=True)
        )
        Cause.sources.through.objects.bulk_create(
            Cause.sources.through(cause_id=c.pk, source_id=source.pk) for c in causes
        )
        aliases = CauseAlias.objects.bulk_create(
            CauseAlias(cause=c, name=synthetic_word(n, 3).upper(), kind=AliasKind.ABBREVIATION)
            for n, c in zip(numbers, causes, strict=True)
        )
        # Every other cause names a drug with one or two brand names.
        with_drugs = [(n, c) for n, c in zip(numbers, causes, strict=True) if n % 2 == 0]
        drugs = Drug.objects.bulk_create(
            Drug(
                slug=f"bench-{n}",
                name=f"{synthetic_word(n)}ol",
                cause=c,
                drug_class="synthetic benchmark drug",
                summary=summary_for(n + 1),
                last_reviewed=today,
                status=Status.PUBLISHED,
            )
            for n, c in with_drugs
        )
        Drug.mechanisms.through.objects.bulk_create(
            Drug.mechanisms.through(drug_id=d.pk, mechanism_id=mechanisms[(n + 1) % 3].pk)
            for (n, _), d in zip(with_drugs, drugs, strict=True)
        )
        brands = BrandName.objects.bulk_create(
            itertools.chain.from_iterable(
                [BrandName(drug=d, name=f"{synthetic_word(n).capitalize()}ex")]
                + ([BrandName(drug=d, name=f"{synthetic_word(n).capitalize()}a")] if n % 4 else [])
                for (n, _), d in zip(with_drugs, drugs, strict=True)
            )
        )
        brands_of = {d.pk: [] for d in drugs}
        for brand in brands:
            brands_of[brand.drug_id].append(brand)
        # Index from the objects in hand rather than reading them back.
        by_number = dict(zip(numbers, causes, strict=True))
        rows = []
        for n, cause in by_number.items():
            rows += indexing.cause_rows(cause, [mechanisms[n % 3]], [aliases[n - first]])
        for (n, cause), drug in zip(with_drugs, drugs, strict=True):
            drug.cause = cause
            rows += indexing.drug_rows(drug, [mechanisms[(n + 1) % 3]], [], brands_of[drug.pk])
        indexing.add_rows(rows)
