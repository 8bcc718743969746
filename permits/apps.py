from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Permits")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register

        dashboard_section_register(
            DashboardSection(
                key="my-permits",
                title=_("My permits"),
                template_name="permits/dashboard_section.html",
                order=10,
            )
        )
