"""Roles: Editors prepare content (add, change, view; drafts only); Publishers also
publish, unpublish, delete and mark reviewed. Neither may manage users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = [
    "source",
    "mechanism",
    "category",
    "cause",
    "drug",
    "brandname",
    "causealias",
    "drugalias",
    "article",
]
PUBLISHED = ["category", "cause", "drug", "article"]
REVIEWED = ["cause", "drug", "article"]


def editor_codenames():
    codes = {f"{action}_{model}" for model in CONTENT for action in ("add", "change", "view")}
    return codes | {"view_searchentry"}


def publisher_codenames():
    return (
        editor_codenames()
        | {f"delete_{model}" for model in CONTENT}
        | {f"publish_{model}" for model in PUBLISHED}
        | {f"review_{model}" for model in REVIEWED}
    )


def set_groups(apps, schema_editor):
    app_config = apps.get_app_config("causes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    causes_perms = Permission.objects.filter(content_type__app_label="causes")
    for name, codes in [("Editors", editor_codenames()), ("Publishers", publisher_codenames())]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(causes_perms.filter(codename__in=codes))


def back_to_editors_only(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Publishers").delete()


class Migration(migrations.Migration):
    dependencies = [("causes", "0004_editorial_workflow")]

    operations = [migrations.RunPython(set_groups, back_to_editors_only)]
