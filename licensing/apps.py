from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Business licenses")

    def ready(self) -> None:
        from accounts.registry import account_requirement_register, dashboard_sections
        from licensing import services
        from licensing.dashboard import licenses_dashboard_context
        from licensing.selectors import business_license_blockers
        from payments.registry import Payable, payable_register
        from portal.registry import PageSection

        payable_register(
            Payable(
                kind=services.INVOICE_KIND,
                on_paid=services.license_activate_for_invoice,
                url=lambda invoice: reverse("licensing:detail", args=[invoice.business_license.pk]),
            )
        )
        account_requirement_register(business_license_blockers)
        dashboard_sections.register(
            PageSection(
                key="business-licenses",
                title=_("Business licenses"),
                template_name="licensing/dashboard_section.html",
                order=30,
                context=licenses_dashboard_context,
            )
        )
