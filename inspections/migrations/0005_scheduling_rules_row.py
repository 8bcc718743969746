"""The scheduling rules' single row (id 1), with the defaults: every running city has it
from here on, so reading the rules never has to make it."""

from django.db import migrations


def rules_row_make(apps, schema_editor):
    apps.get_model("inspections", "SchedulingRules").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_inspection_cancellation_note"),
    ]

    operations = [
        # Going back leaves the row: the table it is in goes with the earlier migrations.
        migrations.RunPython(rules_row_make, migrations.RunPython.noop),
    ]
