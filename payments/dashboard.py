from accounts.models import User
from payments.registry import payable_of
from payments.selectors import invoices_due
from portal.money import money


def fees_due_dashboard_context(user: User) -> dict:
    """The person's due invoices, each with where to read what it is for, and their sum."""
    invoices = list(invoices_due(user))
    for invoice in invoices:
        # SQLite hands back a sum without its two places; every database shows cents.
        invoice.amount_due = money(invoice.amount_due)
        invoice.for_url = payable_of(invoice.kind).url(invoice)
    return {
        "invoices": invoices,
        "total": money(sum((invoice.amount_due for invoice in invoices), 0)),
    }
