from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from accounts.registry import dashboard_sections
        from payments.dashboard import fees_due_dashboard_context
        from portal.registry import PageSection

        dashboard_sections.register(
            PageSection(
                key="fees-due",
                title=_("Fees due"),
                template_name="payments/dashboard_section.html",
                order=40,
                context=fees_due_dashboard_context,
            )
        )
