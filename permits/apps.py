from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Permits")

    def ready(self) -> None:
        from accounts.registry import dashboard_sections
        from payments.registry import Payable, payable_register
        from permits import services
        from permits.dashboard import permits_dashboard_context
        from permits.selectors import online_permit_categories
        from portal.registry import PageSection, home_page_sections

        payable_register(
            Payable(
                kind=services.INVOICE_KIND,
                on_paid=services.permit_issue_for_invoice,
                url=lambda invoice: reverse("permits:detail", args=[invoice.permit.pk]),
            )
        )

        dashboard_sections.register(
            PageSection(
                key="my-permits",
                title=_("My permits"),
                template_name="permits/dashboard_section.html",
                order=10,
                context=permits_dashboard_context,
            )
        )
        home_page_sections.register(
            PageSection(
                key="online-permits",
                title=_("Permits you can apply for online"),
                template_name="permits/home_section.html",
                order=10,
                context=lambda: {"categories": online_permit_categories()},
            )
        )
