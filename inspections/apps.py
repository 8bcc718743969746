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

        def inspections_section(template_name: str, order: int, context) -> PageSection:
            # The one "Inspections" section, drawn on three pages.
            return PageSection(
                key="inspections",
                title=_("Inspections"),
                template_name=template_name,
                order=order,
                context=context,
            )

        applicant_page_sections.register(
            inspections_section(
                "inspections/permit_section.html", 10, sections.permit_section_context
            )
        )
        public_page_sections.register(
            inspections_section(
                "inspections/public_section.html", 10, sections.public_section_context
            )
        )
        dashboard_sections.register(
            inspections_section(
                "inspections/dashboard_section.html", 20, sections.dashboard_section_context
            )
        )
