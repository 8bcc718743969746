"""The licensing settings' single row (id 1), with the defaults: every running city has
it from here on, so reading the settings never has to make it."""

from django.db import migrations


def settings_row_make(apps, schema_editor):
    apps.get_model("licensing", "LicensingSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0002_staff_group_permissions"),
    ]

    operations = [
        # Going back leaves the row: the table it is in goes with the earlier migrations.
        migrations.RunPython(settings_row_make, migrations.RunPython.noop),
    ]
