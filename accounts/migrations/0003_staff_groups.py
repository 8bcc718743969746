"""The staff groups a city starts with. Later apps add their permissions to these
groups in their own migrations, so a city's own changes to the groups are kept."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Permit Center": {
        "accounts": [
            "add_user", "change_user", "view_user", "issue_temporary_password",
            "unlock_user", "import_users",
            "change_contractorprofile", "view_contractorprofile", "verify_contractorprofile",
            "add_securityquestion", "change_securityquestion", "view_securityquestion",
            "add_licenseclassification", "change_licenseclassification",
            "view_licenseclassification",
        ],
        "axes": ["view_accessattempt", "delete_accessattempt", "view_accesslog"],
        "permits": [
            "add_permitcategory", "change_permitcategory", "view_permitcategory",
            "add_permittype", "change_permittype", "view_permittype",
        ],
        "portal": [
            "view_city", "change_city",
            "add_department", "change_department", "delete_department", "view_department",
            "add_faqcategory", "change_faqcategory", "view_faqcategory",
            "add_faqentry", "change_faqentry", "delete_faqentry", "view_faqentry",
        ],
    },
    "Inspector": {
        "accounts": ["view_user", "view_contractorprofile"],
        "permits": ["view_permitcategory", "view_permittype"],
    },
    "Finance": {
        "accounts": ["view_user", "view_contractorprofile"],
        "permits": ["view_permitcategory", "view_permittype"],
    },
}


def create_staff_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now to grant them.
    for app_label in {label for grants in GROUP_PERMISSIONS.values() for label in grants}:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # the migration state's stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_staff_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_contractor_profile_security_question"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("permits", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_staff_groups, remove_staff_groups)]
