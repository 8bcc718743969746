from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from accounts.registry import dashboard_sections
        from inspections import sections
        from permits.registry import (
            applicant_page_sections,
            inspections_needed_register,
            public_page_sections,
        )
        from portal.registry import PageSection

        inspections_needed_register(sections.inspection_names)

        applicant_page_sections.register(
            PageSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/permit_section.html",
                order=10,
                context=sections.permit_section_context,
            )
        )
        public_page_sections.register(
            PageSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/public_section.html",
                order=10,
                context=sections.public_section_context,
            )
        )
        dashboard_sections.register(
            PageSection(
                key="inspections",
                title=_("Inspections"),
                template_name="inspections/dashboard_section.html",
                order=20,
                context=sections.dashboard_section_context,
            )
        )
