"""Roles after the editorial-integrity work: importing is a right of its own (Editors and
Publishers); mechanisms are reference data shown on every cause, so only Publishers change
them; Publishers may change sources that published entries cite."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GAINS = {"import_cause", "import_drug", "import_source"}
EDITOR_LOSES = {"add_mechanism", "change_mechanism"}
PUBLISHER_GAINS = EDITOR_GAINS | {"publish_source"}


def update_groups(apps, schema_editor):
    app_config = apps.get_app_config("causes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="causes")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*perms.filter(codename__in=EDITOR_GAINS))
    editors.permissions.remove(*perms.filter(codename__in=EDITOR_LOSES))
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(*perms.filter(codename__in=PUBLISHER_GAINS))


def restore_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="causes")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*perms.filter(codename__in=EDITOR_GAINS))
        group.permissions.add(*perms.filter(codename__in=EDITOR_LOSES))
    for group in Group.objects.filter(name="Publishers"):
        group.permissions.remove(*perms.filter(codename__in=PUBLISHER_GAINS))


class Migration(migrations.Migration):
    dependencies = [
        ("causes", "0007_editorial_integrity"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(update_groups, restore_groups)]
