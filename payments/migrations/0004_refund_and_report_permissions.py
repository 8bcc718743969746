"""Finance refunds and reads the deposit report; the Permit Center sees refunds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Finance": ["add_refund", "view_refund"],
    "Permit Center": ["view_refund"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("payments")
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUP_PERMISSIONS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="payments", codename__in=GROUP_PERMISSIONS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_online_payments")]

    operations = [migrations.RunPython(grant, revoke)]
