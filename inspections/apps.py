from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register
        from inspections import sections
        from permits.hooks import (
            APPLICANT_PAGE,
            PUBLIC_PAGE,
            PermitSection,
            inspections_needed_register,
            permit_section_register,
        )

        inspections_needed_register(sections.inspection_names)

        permit_section_register(
            APPLICANT_PAGE,
            PermitSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/permit_section.html",
                order=10,
                context=sections.permit_section_context,
            ),
        )
        permit_section_register(
            PUBLIC_PAGE,
            PermitSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/public_section.html",
                order=10,
                context=sections.public_section_context,
            ),
        )

        dashboard_section_register(
            DashboardSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/dashboard_section.html",
                order=20,
                context=sections.dashboard_section_context,
            )
        )
