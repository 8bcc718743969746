"""What the staff groups may do with permits, fees and payments. Grants are added to
the groups, never replacing them, so a city's own changes to its groups are kept."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The inlines of a permit type: editing a type means adding, changing and removing them.
PERMIT_TYPE_PARTS = ("permitfield", "feerule", "feetier", "requireddocument")

GROUP_PERMISSIONS = {
    "Permit Center": {
        "permits": [
            "view_permit", "change_permit",
            *(
                f"{action}_{model}"
                for model in PERMIT_TYPE_PARTS
                for action in ("add", "change", "delete", "view")
            ),
        ],
        "payments": [
            "view_invoice",
            "view_feeline", "add_feeline", "change_feeline",
            "view_payment", "add_payment",
        ],
    },
    "Finance": {
        # Counter payments are recorded from the permit's page.
        "permits": ["view_permit"],
        "payments": ["view_invoice", "view_payment", "view_feeline", "add_payment"],
    },
    # Viewing permit types and categories the groups have had since accounts 0003.
    "Inspector": {
        "permits": ["view_permit"],
        "inspections": ["view_inspectiontype"],
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
        ("payments", "0001_initial"),
        ("permits", "0002_permit_types_as_data_and_permits"),
        ("inspections", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
