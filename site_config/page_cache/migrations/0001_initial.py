from django.db import migrations, models

import site_config.page_cache.models


def first_generation(apps, schema_editor):
    """A new database starts with a generation of its own, never one seen before."""
    ContentChange = apps.get_model("page_cache", "ContentChange")
    ContentChange.objects.using(schema_editor.connection.alias).create(
        token=site_config.page_cache.models.new_token()
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        default=site_config.page_cache.models.new_token,
                        editable=False,
                        max_length=32,
                    ),
                ),
                ("changed_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-id"],
                "get_latest_by": "id",
            },
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
