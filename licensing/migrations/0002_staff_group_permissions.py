"""What the staff groups may do with business licenses: Finance works the review queue
and keeps the classifications, their tiers and the licensing settings; the Permit Center
looks licenses up when it checks a contractor. Grants are added to the groups, never
replacing them, so a city's own changes to its groups are kept."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Finance": {
        "licensing": [
            "view_businesslicense", "change_businesslicense",
            "add_businessclassification", "change_businessclassification",
            "view_businessclassification",
            # Tiers are edited inline on their classification, removing one included.
            "add_receiptstier", "change_receiptstier", "delete_receiptstier",
            "view_receiptstier",
            "change_licensingsettings", "view_licensingsettings",
        ],
    },
    "Permit Center": {
        "licensing": ["view_businesslicense"],
    },
}


def _permissions(apps, app_label, codenames):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to grant them.
    for app_label in {label for grants in GROUP_PERMISSIONS.values() for label in grants}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group_name, grants in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in grants.items():
            group.permissions.add(*_permissions(apps, app_label, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUP_PERMISSIONS):
        for app_label, codenames in GROUP_PERMISSIONS[group.name].items():
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_groups"),
        ("licensing", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
