from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo city: its departments, FAQ and permit catalogue. Each project app "
        "contributes its part from its demo.py. Safe to run again: nothing is duplicated."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for app_name in settings.PROJECT_APPS:
            module_name = f"{app_name}.demo"
            if find_spec(module_name) is None:
                continue
            import_module(module_name).load_demo_data()
            verbose_name = apps.get_app_config(app_name.rsplit(".", 1)[-1]).verbose_name
            self.stdout.write(f"Loaded the demo data of {verbose_name}.")
        self.stdout.write(self.style.SUCCESS("The demo city is ready."))
