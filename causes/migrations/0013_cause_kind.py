from django.db import migrations, models

# What each cause of the content so far is; anything else stays a condition.
KINDS = {
    "infection": [
        "chickenpox",
        "epstein-barr-virus",
        "hepatitis-a",
        "hepatitis-b",
        "hepatitis-c",
        "hiv-aids",
        "measles",
        "salmonella-infection",
        "sepsis",
        "parvovirus-b19",
        "cytomegalovirus",
        "influenza",
        "tuberculosis",
        "malaria",
    ],
    "treatment": ["chemotherapy", "radiation-therapy"],
    "medicines": [
        "overactive-thyroid-medications",
        "certain-antibiotics",
        "antiviral-drugs",
        "anti-inflammatory-medication",
        "antipsychotic-medications",
        "heart-rhythm-drugs",
        "other-medicines",
    ],
    "medicine": ["levamisole"],
}


def set_kinds(apps, schema_editor):
    Cause = apps.get_model("causes", "Cause")
    for kind, slugs in KINDS.items():
        Cause.objects.filter(slug__in=slugs).update(kind=kind)


def kind_field():
    """The same field on the cause and on its django-simple-history table."""
    return models.CharField(
        choices=[
            ("condition", "A disease or condition"),
            ("infection", "An infection"),
            ("treatment", "A treatment"),
            ("medicines", "A group of medicines"),
            ("medicine", "One medicine"),
        ],
        default="condition",
        help_text="A disease, an infection, a treatment (chemotherapy) or medicines.",
        max_length=12,
        verbose_name="what it is",
    )


class Migration(migrations.Migration):
    dependencies = [("causes", "0012_source_authors_year")]

    operations = [
        migrations.AddField(model_name="cause", name="kind", field=kind_field()),
        migrations.AddField(model_name="historicalcause", name="kind", field=kind_field()),
        migrations.RunPython(set_kinds, migrations.RunPython.noop),
    ]
