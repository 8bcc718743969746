"""The statuses of a bill and what each means to its payer, declared once for every page
that shows fees."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    # Fees are computed and shown, but not payable until the city approves the work.
    PENDING = "pending", _("Not yet due")
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    VOID = "void", _("Cancelled")


# Where and how fees due are paid differs between the offices that bill them, so the
# page of what the fees are for says it, not this. `Invoice.status_meaning` fills in the
# day the fees were paid (`date`), the placeholder's name in the templates it came from.
INVOICE_STATUS_MEANINGS = {
    InvoiceStatus.PENDING: _("Not yet due: the fees are payable once the application is approved."),
    InvoiceStatus.PAID: _("Paid on %(date)s."),
    InvoiceStatus.VOID: _("Cancelled: nothing is owed."),
}
