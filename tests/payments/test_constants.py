"""Every status of a bill is explained once, except fees due: how those are paid is for
the page of what they are for to say."""

from payments.constants import INVOICE_STATUS_MEANINGS, InvoiceStatus


def test_every_status_but_due_has_a_meaning():
    assert set(INVOICE_STATUS_MEANINGS) == set(InvoiceStatus) - {InvoiceStatus.DUE}
