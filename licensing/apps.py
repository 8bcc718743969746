from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register

        dashboard_section_register(
            DashboardSection(
                key="business-licenses",
                title=_("Business licenses"),
                template_name="licensing/dashboard_section.html",
                order=30,
            )
        )
