from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Permits")

    def ready(self) -> None:
        from accounts.dashboard import DashboardSection, dashboard_section_register
        from payments.registry import Payable, payable_register
        from permits import services
        from permits.dashboard import permits_dashboard_context

        payable_register(
            Payable(
                kind=services.INVOICE_KIND,
                on_paid=services.permit_issue_for_invoice,
                url=lambda invoice: reverse("permits:detail", args=[invoice.permit.pk]),
            )
        )

        dashboard_section_register(
            DashboardSection(
                key="my-permits",
                title=_("My permits"),
                template_name="permits/dashboard_section.html",
                order=10,
                context=permits_dashboard_context,
            )
        )
