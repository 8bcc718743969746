"""Reads about invoices that views and the dashboard share."""

from decimal import Decimal

from django.db.models import QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from payments.models import Invoice
from portal.money import MoneyField


def _what_invoices_are_for() -> list[str]:
    """The one-to-one relations through which a permit or license holds its invoice.
    Joining them lets each registered Payable build its link without a query per
    invoice, and without `payments` naming the apps above it."""
    return [
        relation.get_accessor_name()
        for relation in Invoice._meta.related_objects
        if relation.one_to_one
    ]


def invoices_due(user: User) -> QuerySet[Invoice]:
    """The person's invoices waiting for payment, oldest first, each with `amount_due`
    (the sum of its lines) computed by the database."""
    return (
        Invoice.objects.filter(payer=user, status=Invoice.Status.DUE)
        .annotate(
            amount_due=Coalesce(
                Sum("lines__amount"), Value(Decimal("0.00")), output_field=MoneyField()
            )
        )
        .select_related(*_what_invoices_are_for())
        .order_by("due_at", "pk")
    )
