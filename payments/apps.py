from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register
        from payments.dashboard import fees_due_dashboard_context

        dashboard_section_register(
            DashboardSection(
                key="fees-due",
                title=_("Fees due"),
                template_name="payments/dashboard_section.html",
                order=40,
                context=fees_due_dashboard_context,
            )
        )
