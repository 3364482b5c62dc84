"""Merge the content helpers' patches into the database loaded from the fixture.

Run with DJANGO_SETTINGS_MODULE etc. set, on a scratch database that holds the fixture.
"""

import glob
import json
import re
import os
import sys
from datetime import date

sys.path.insert(0, "/work/main")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from causes import citations  # noqa: E402

from causes.models import (  # noqa: E402
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
    Origin,
    Source,
)

TODAY = date(2026, 11, 25)
RANK = {"full": 0, "abstract": 1, "unconfirmed": 2}
patches = {os.path.basename(f): json.load(open(f)) for f in sorted(glob.glob("/tmp/content/patches/*.json"))}
h7 = patches.pop("h7-sources.json")


def conservative(*values):
    values = [v for v in values if v]
    return max(values, key=lambda v: RANK[v]) if values else "full"


def merge():
    # 1. sources: h7's corrections, then new sources, then access reports
    reports: dict[str, list[str]] = {}
    for name, patch in patches.items():
        for slug, access in patch.get("sources_checked", {}).items():
            reports.setdefault(slug, []).append(access)
    dropped = set()
    for slug, rec in h7["sources_changed"].items():
        source = Source.objects.get(slug=slug)
        if rec.get("drop"):
            dropped.add(slug)
            continue
        for field in ("title", "publisher", "url"):
            if rec.get(field):
                setattr(source, field, rec[field])
        source.accessed = date.fromisoformat(rec.get("accessed") or str(source.accessed))
        source.access = conservative(rec.get("access"), *reports.get(slug, []))
        if slug in reports:
            source.accessed = TODAY
        source.save()
    for name, patch in patches.items():
        for slug, rec in patch.get("sources_new", {}).items():
            source, created = Source.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": rec["title"][:300],
                    "publisher": rec["publisher"][:200],
                    "url": rec["url"],
                    "accessed": date.fromisoformat(rec.get("accessed", "2026-11-25")),
                    "access": rec.get("access", "full"),
                },
            )
            if not created:
                source.access = conservative(source.access, rec.get("access"))
                source.save()
    for slug, accesses in reports.items():
        source = Source.objects.filter(slug=slug).first()
        if source and slug not in h7["sources_changed"]:
            source.access = conservative(source.access, *accesses)
            source.accessed = TODAY
            source.save()

    # 2. entries
    for name, patch in patches.items():
        for slug, rec in patch.get("causes", {}).items():
            apply_entry(Cause, slug, rec, name)
    for name, patch in patches.items():
        for slug, rec in patch.get("drugs", {}).items():
            apply_entry(Drug, slug, rec, name)
        for slug, rec in patch.get("articles", {}).items():
            apply_entry(Article, slug, rec, name)

    # 3. dropped sources: unlink, then delete
    for slug in dropped:
        source = Source.objects.get(slug=slug)
        for rel in ("causes", "drugs", "articles", "mechanisms"):
            for entry in getattr(source, rel).all():
                print(f"  unlinking dropped {slug} from {entry}")
                getattr(entry, "sources").remove(source)
        source.delete()


TEXT = ("summary", "advice", "mechanism_note", "used_to_treat", "drug_class", "source_wording",
        "body", "search_terms", "name", "title", "status", "order")


def apply_entry(model, slug, rec, patch_name):
    entry = model.objects.filter(slug=slug).first()
    creating = entry is None
    if creating:
        entry = model(slug=slug)
    for field in TEXT:
        if field in rec and hasattr(entry, field):
            setattr(entry, field, rec[field])
    if "in_source_page" in rec and hasattr(entry, "origin"):
        entry.origin = Origin.SOURCE_PAGE if rec["in_source_page"] else Origin.BEYOND
    if "category" in rec:
        entry.category = Category.objects.get(slug=rec["category"])
    if "cause" in rec:
        entry.cause = Cause.objects.get(slug=rec["cause"])
    entry.last_reviewed = TODAY
    if creating and not rec.get("status"):
        entry.status = "published"
    entry.save()
    if "sources" in rec:
        entry.sources.set(Source.objects.filter(slug__in=rec["sources"]))
        missing = set(rec["sources"]) - set(entry.sources.values_list("slug", flat=True))
        if missing:
            print(f"!! {patch_name} {slug}: sources not found {missing}")
    if "mechanisms" in rec:
        entry.mechanisms.set(Mechanism.objects.filter(slug__in=rec["mechanisms"]))
    if "aliases" in rec:
        alias_model = CauseAlias if model is Cause else DrugAlias
        fk = "cause" if model is Cause else "drug"
        alias_model.objects.filter(**{fk: entry}).delete()
        seen = set()
        for alias in rec["aliases"]:
            key = alias["name"].casefold()
            if key in seen or key == entry.name.casefold():
                continue
            seen.add(key)
            alias_model.objects.create(**{fk: entry}, name=alias["name"], kind=alias["kind"])
    if "brands" in rec:
        wanted = {b["name"].casefold(): b for b in rec["brands"]}
        for brand in entry.brand_names.all():
            if brand.name.casefold() not in wanted:
                print(f"  {slug}: brand {brand.name} removed")
                brand.delete()
        for b in rec["brands"]:
            brand = BrandName.objects.filter(name__iexact=b["name"]).first()
            if brand and brand.drug_id != entry.pk:
                print(f"!! brand {b['name']} belongs to {brand.drug}")
                continue
            brand = brand or BrandName(drug=entry, name=b["name"])
            brand.market = b.get("market", "us")
            brand.market_note = (b.get("market_note") or "")[:150]
            brand.in_source = b.get("in_source", brand.in_source if brand.pk else False)
            brand.save()


def lead_fixes():
    """The lead's corrections after reading the helpers' notes."""
    # The children's typhoid study: no publisher page or journal found (h7 dropped the
    # aggregator record), so its claim goes, and with it the destruction mechanism.
    salmonella = Cause.objects.get(slug="salmonella-infection")
    salmonella.summary = salmonella.summary.split(" In a small study of children")[0]
    salmonella.mechanism_note = (
        "The adult study looked at all types of low blood counts, not only "
        "neutrophils.[ajtmh-1997-typhoid-bone-marrow]"
    )
    salmonella.save()
    salmonella.mechanisms.set(Mechanism.objects.filter(slug="decreased-production"))
    # Drug-information sites standing in for labels (review §5), replaced by the label
    # or a publisher's page the lead read (the pages' indications, 2026-11-25).
    new_sources = {
        "dailymed-azulfidine-en-tabs": (
            "Label: AZULFIDINE EN-TABS (sulfasalazine tablet, delayed release)",
            "DailyMed, U.S. National Library of Medicine (Pfizer)",
            "https://dailymed.nlm.nih.gov/dailymed/fda/fdaDrugXsl.cfm?setid=b9ef541a-93c8-4428-ba45-398aa0b327d1&type=display",
        ),
        "dailymed-vancomycin-capsules": (
            "Label: VANCOMYCIN HYDROCHLORIDE capsule",
            "DailyMed, U.S. National Library of Medicine (Avet Pharmaceuticals)",
            "https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=23155085978",
        ),
        "uofm-health-oxacillin": (
            "Oxacillin (injection)",
            "University of Michigan Health, Health Library",
            "https://uofmhealth.org/health-library/d00115a1",
        ),
    }
    for slug, (title, publisher, url) in new_sources.items():
        Source.objects.update_or_create(
            slug=slug,
            defaults={"title": title, "publisher": publisher, "url": url,
                      "accessed": TODAY, "access": "full"},
        )

    def set_uses(model, slug, text, drop=(), add=()):
        entry = model.objects.get(slug=slug)
        entry.used_to_treat = text
        entry.save()
        entry.sources.remove(*Source.objects.filter(slug__in=drop))
        entry.sources.add(*Source.objects.filter(slug__in=add))

    ashp = ["drugs-com-ashp-sulfasalazine-monograph", "drugs-com-ashp-vancomycin-monograph"]
    set_uses(Drug, "sulfasalazine", "ulcerative colitis and rheumatoid arthritis.[dailymed-azulfidine-en-tabs]",
             drop=ashp, add=["dailymed-azulfidine-en-tabs"])
    set_uses(Cause, "anti-inflammatory-medication", "ulcerative colitis and rheumatoid arthritis.[dailymed-azulfidine-en-tabs]",
             drop=ashp, add=["dailymed-azulfidine-en-tabs"])
    vanco = Drug.objects.get(slug="vancomycin").used_to_treat
    vanco = vanco.replace("[dailymed-vancomycin-for-injection][drugs-com-ashp-vancomycin-monograph]", "[dailymed-vancomycin-for-injection]")
    vanco = vanco.replace("[drugs-com-ashp-vancomycin-monograph]", "[dailymed-vancomycin-capsules]")
    set_uses(Drug, "vancomycin", vanco, drop=ashp, add=["dailymed-vancomycin-capsules"])
    antibiotics = Cause.objects.get(slug="certain-antibiotics").used_to_treat
    antibiotics = antibiotics.replace("[pfizer-pfizerpen-indications][drugs-com-ashp-vancomycin-monograph]", "[pfizer-pfizerpen-indications][dailymed-vancomycin-for-injection]")
    antibiotics = antibiotics.replace("[drugs-com-ashp-vancomycin-monograph]", "[dailymed-vancomycin-capsules]")
    set_uses(Cause, "certain-antibiotics", antibiotics, drop=ashp,
             add=["dailymed-vancomycin-capsules", "dailymed-vancomycin-for-injection"])
    set_uses(Drug, "oxacillin", "infections caused by staph (Staphylococcus) bacteria.[uofm-health-oxacillin]",
             drop=["rxlist-oxacillin-indications"], add=["uofm-health-oxacillin"])
    set_uses(Drug, "carbimazole", "an overactive thyroid (hyperthyroidism).[nps-neo-mercazole-cmi]",
             drop=["carbimazole-5mg-smpc-flamingo"])
    other = Cause.objects.get(slug="other-medicines")
    uses = other.used_to_treat.replace("stroke prevention (ticlopidine).[medicinenet-ticlopidine]",
                                       "stroke prevention (ticlopidine);[medicinenet-ticlopidine]")
    assert uses != other.used_to_treat
    set_uses(Cause, "other-medicines", uses + " epilepsy and sudden attacks of severe face pain "
             "(carbamazepine).[emc-tegretol-prolonged-release-smpc]",
             add=["emc-tegretol-prolonged-release-smpc"])
    rituximab = Drug.objects.get(slug="rituximab")
    rituximab.sources.add(*Source.objects.filter(slug__in=["ec-mabthera-smpc-2017-pt", "rituximab-late-onset-neutropenia-aav-2016"]))
    set_uses(Drug, "rituximab", "non-Hodgkin lymphoma, a blood cancer;[ec-mabthera-smpc-2017-pt] also "
             "inflamed blood vessels (ANCA-associated vasculitis).[rituximab-late-onset-neutropenia-aav-2016]")
    # Records repointed to labels whose indications no one read: cited by no text.
    for slug in ("certain-antibiotics",):
        Cause.objects.get(slug=slug).sources.remove(*Source.objects.filter(slug__in=["ashp-vancomycin-monograph", "michigan-medicine-oxacillin"]))
    Drug.objects.get(slug="oxacillin").sources.remove(*Source.objects.filter(slug="michigan-medicine-oxacillin"))
    # Copies on aggregators with no publisher page found: the claims go (review §5).
    def drop_sentence(model, slug, field, needle):
        entry = model.objects.get(slug=slug)
        text = getattr(entry, field)
        sentences = re.split(r"(?<=[.\]])\s+(?=[A-Z])", text)
        kept = [x for x in sentences if needle not in x]
        assert len(kept) < len(sentences), (slug, needle)
        setattr(entry, field, " ".join(kept))
        entry.save()

    for slug, model in (("ganciclovir", Drug), ("antiviral-drugs", Cause)):
        drop_sentence(model, slug, "summary", "[tomonari-2004-ganciclovir-neutropenia-cord-blood]")
    drop_sentence(Drug, "ganciclovir", "summary", "[drugs-com-ganciclovir-capsules-shortage]")
    for slug, model in (("valganciclovir", Drug), ("antiviral-drugs", Cause)):
        entry = model.objects.get(slug=slug)
        entry.summary = entry.summary.replace("[drugs-com-ganciclovir-capsules-shortage]", "")
        entry.save()
    clozapine = Drug.objects.get(slug="clozapine")
    clozapine.summary = clozapine.summary.replace(
        "In the US, the special safety program (REMS) ended in 2025, but the FDA still advises "
        "regular blood tests.[ncpa-2025-clozapine-rems-ended][fda-2025-clozapine-rems-removed]",
        "In the US, the special safety program (REMS) ended in 2025.[ncpa-2025-clozapine-rems-ended]",
    )
    clozapine.advice = clozapine.advice.replace("[fda-2025-clozapine-rems-removed]", "[ncpa-2025-clozapine-rems-ended]")
    clozapine.save()
    BrandName.objects.filter(name="Cytovene").update(market_note="Sold as Cytovene-IV (injection).")
    for slug in ("tomonari-2004-ganciclovir-neutropenia-cord-blood", "drugs-com-ganciclovir-capsules-shortage",
                 "fda-2025-clozapine-rems-removed"):
        for entry in list(Source.objects.get(slug=slug).drugs.all()) + list(Source.objects.get(slug=slug).causes.all()):
            entry.sources.remove(Source.objects.get(slug=slug))
    # Quinidine's label (DailyMed setid a10b6ded…, read by the lead through its warnings
    # section): used to restore and keep a normal rhythm in atrial fibrillation/flutter.
    Source.objects.update_or_create(
        slug="dailymed-quinidine-sulfate",
        defaults={"title": "Label: QUINIDINE SULFATE tablet (Eon Labs)",
                  "publisher": "DailyMed, U.S. National Library of Medicine",
                  "url": "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=a10b6ded-4fe0-4059-bd77-c45acc3c876d",
                  "accessed": TODAY, "access": "full"},
    )
    set_uses(Drug, "quinidine", "irregular heartbeat (arrhythmia),[mayo-clinic-quinidine-proper-use] "
             "including atrial fibrillation and atrial flutter.[dailymed-quinidine-sulfate]",
             add=["dailymed-quinidine-sulfate"])
    heart = Cause.objects.get(slug="heart-rhythm-drugs")
    set_uses(Cause, "heart-rhythm-drugs", heart.used_to_treat.rstrip(".") + "; quinidine also "
             "atrial fibrillation and atrial flutter.[dailymed-quinidine-sulfate]",
             add=["dailymed-quinidine-sulfate"])
    # The AHFS monograph on Drugs.com stood in for the label: the label's boxed warning
    # (blood counts weekly for 3 months; most cases in the first 12 weeks) is cited instead.
    for model, slug in ((Drug, "procainamide"), (Cause, "heart-rhythm-drugs")):
        entry = model.objects.get(slug=slug)
        for field in ("summary", "advice", "used_to_treat"):
            setattr(entry, field, getattr(entry, field).replace(
                "[ashp-procainamide-monograph]", "[dailymed-procainamide-injection]"))
        entry.save()
        entry.sources.add(*Source.objects.filter(slug="dailymed-procainamide-injection"))
        entry.sources.remove(*Source.objects.filter(slug="ashp-procainamide-monograph"))
    # Another entry's own name is not a related term of this one.
    CauseAlias.objects.filter(cause__slug="autoimmune-neutropenia-of-infancy",
                              name__iexact="chronic idiopathic neutropenia").delete()
    # Every item of the source page keeps the source page among its sources.
    page = Source.objects.get(slug="mayo-clinic-causes")
    for model in (Cause, Drug):
        for entry in model.objects.filter(origin=Origin.SOURCE_PAGE).exclude(sources=page):
            print(f"  source page re-attached to {entry.slug}")
            entry.sources.add(page)
        for entry in model.objects.filter(origin=Origin.SOURCE_PAGE):
            if "[mayo-clinic-causes]" not in " ".join(citations.texts_of(entry)):
                if model is Drug:
                    line = f"Mayo Clinic lists {entry.name.lower()} among the drugs that can cause neutropenia."
                else:
                    line = f"Mayo Clinic lists {entry.name} as a cause of neutropenia."
                entry.summary += f" {line}[mayo-clinic-causes]"
                entry.save()
                print(f"  source page cited on {entry.slug}")
    # h4 read only the table, never the article: its title is unconfirmed.
    Source.objects.filter(slug="pmc7093866-infections-leukopenia-table").update(access="unconfirmed")
    # Slugs are at most 50 characters (PostgreSQL enforces it): shorter keys, markers too.
    renames = {
        "salzberger-1997-ganciclovir-neutropenia-marrow-transplant": "salzberger-1997-ganciclovir-marrow-transplant",
        "annals-1984-sustained-release-procainamide-neutropenia": "annals-1984-slow-release-procainamide",
        "rheumatology-2021-lupus-neutropaenia-immunosuppression": "rheumatology-2021-lupus-neutropenia",
        "farruggia-2015-primary-autoimmune-neutropenia-children": "farruggia-2015-autoimmune-neutropenia-children",
        "verrotti-2014-anticonvulsants-hematological-disease": "verrotti-2014-anticonvulsants-blood-disease",
    }
    for old_slug, new_slug in renames.items():
        assert len(new_slug) <= 50
        Source.objects.filter(slug=old_slug).update(slug=new_slug)
        for model in (Cause, Drug, Article, Mechanism):
            for entry in model.objects.all():
                changed = False
                for field in citations.CITED_FIELDS:
                    value = getattr(entry, field, None)
                    if value and f"[{old_slug}]" in value:
                        setattr(entry, field, value.replace(f"[{old_slug}]", f"[{new_slug}]"))
                        changed = True
                if changed:
                    entry.save()
    assert not [x.slug for x in Source.objects.all() if len(x.slug) > 50]
    # Sources no entry, article or mechanism cites or lists any more.
    for source in Source.objects.all():
        if not any(getattr(source, rel).exists() for rel in ("causes", "drugs", "articles", "mechanisms")):
            print(f"  unused source removed: {source.slug}")
            source.delete()


with transaction.atomic():
    merge()
    lead_fixes()
print("merged")
