from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register
        from inspections.models import InspectionType
        from permits.hooks import inspections_needed_register

        inspections_needed_register(
            lambda permit_type: list(
                InspectionType.objects.filter(permit_type=permit_type).values_list(
                    "name", flat=True
                )
            )
        )

        dashboard_section_register(
            DashboardSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/dashboard_section.html",
                order=20,
            )
        )
