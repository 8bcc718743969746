"""Reads about invoices and payments that views, the dashboard and the admin share."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from accounts.models import User
from payments.models import Invoice, Payment, Refund
from payments.providers.base import CURRENCY, cents
from payments.registry import payable_of
from portal.money import MoneyField, money
from portal.selectors import city_profile


def what_invoices_are_for() -> list[str]:
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
        .select_related(*what_invoices_are_for())
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class DepositLine:
    """One payment method's takings on a day, as the deposit slip needs them."""

    method: str
    label: str
    payments: int
    received: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


def deposit_report(day: datetime.date) -> list[DepositLine]:
    """What came in and went back on a day of the city's, by method; three queries."""
    zone = city_profile().zone
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    received = {
        row["method"]: row
        for row in Payment.objects.filter(succeeded_at__gte=start, succeeded_at__lt=end)
        .values("method")
        .annotate(count=Count("pk"), total=Sum("amount"))
    }
    refunded = {
        row["payment__method"]: row["total"]
        for row in Refund.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("payment__method")
        .annotate(total=Sum("amount"))
    }
    return [
        DepositLine(
            method=method,
            label=str(label),
            payments=received.get(method, {}).get("count", 0),
            received=money(received.get(method, {}).get("total") or 0),
            refunded=money(refunded.get(method) or 0),
        )
        for method, label in Payment.Method.choices
    ]


def charged_as_owed(payment: Payment, *, amount_cents: int | None, currency: str) -> bool:
    """Whether what a provider reports charging is the payment's amount, in its currency."""
    return currency == CURRENCY and amount_cents == cents(payment.amount)


def _amount_text(amount_cents: int | None, currency: str) -> str:
    if amount_cents is None:
        return gettext("an unreported amount")
    return f"{Decimal(amount_cents).scaleb(-2):.2f} {currency.upper() or '?'}"


@dataclass(frozen=True)
class ChargeCheck:
    matches: bool
    text: str


def charge_check(payment: Payment) -> ChargeCheck | None:
    """What the card company reported charging for a card payment, against what was owed;
    None when it reported nothing on a payment nobody needs to look at (a counter payment,
    a checkout not paid). A payment held for a mismatch always says what was reported,
    "an unreported amount" included."""
    if (
        payment.charged_cents is None
        and not payment.charged_currency
        and not payment.needs_attention
    ):
        return None
    charged = _amount_text(payment.charged_cents, payment.charged_currency)
    if charged_as_owed(
        payment, amount_cents=payment.charged_cents, currency=payment.charged_currency
    ):
        return ChargeCheck(
            matches=True,
            text=gettext("Matches: the card company charged %(charged)s.") % {"charged": charged},
        )
    return ChargeCheck(
        matches=False,
        text=gettext(
            "Does not match: the card company charged %(charged)s; %(owed)s was owed. The "
            "fees were not marked paid: refund the charge or look into it."
        )
        % {"charged": charged, "owed": _amount_text(cents(payment.amount), CURRENCY)},
    )


# Receipts --------------------------------------------------------------------------------

CARD_BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
}
# A refund later does not take the receipt of the payment away.
RECEIPTED = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


@dataclass(frozen=True)
class PaidInvoice:
    invoice: Invoice
    lines: list
    url: str  # where the payer reads what it was for; empty when no page says


@dataclass(frozen=True)
class Receipt:
    payment: Payment
    number: str
    paid: list[PaidInvoice]
    card_brand: str


def receipt_for(user: User, payment_id: int) -> Receipt | None:
    """The receipt of a payment that went through, for the payer and for whoever owes the
    fees it paid (the permit's applicant); None for anyone else."""
    invoices = Invoice.objects.select_related(*what_invoices_are_for()).prefetch_related("lines")
    payment = (
        Payment.objects.filter(pk=payment_id, status__in=RECEIPTED)
        .select_related("payer")
        .filter(Q(payer=user) | Q(invoices__payer=user))
        .prefetch_related(Prefetch("invoices", queryset=invoices.order_by("pk")))
        .distinct()
        .first()
    )
    if payment is None:
        return None
    paid = []
    for invoice in payment.invoices.all():
        try:
            url = payable_of(invoice.kind).url(invoice)
        except (KeyError, ObjectDoesNotExist):
            url = ""
        paid.append(PaidInvoice(invoice=invoice, lines=list(invoice.lines.all()), url=url))
    return Receipt(
        payment=payment,
        number=payment.receipt_label,
        paid=paid,
        card_brand=CARD_BRANDS.get(payment.card_brand, payment.card_brand.title()),
    )
