"""Everything that changes an invoice or records a payment."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from payments.models import FeeLine, Invoice, Payment
from payments.registry import payable_of
from portal.money import money


class PaymentError(Exception):
    """A change that cannot be made, with a message a person can read."""


@dataclass(frozen=True)
class FeeLineDraft:
    description: str
    amount: Decimal


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


@transaction.atomic
def invoice_create(
    *, payer: User, kind: str, reference: str, description: str, lines: list[FeeLineDraft]
) -> Invoice:
    invoice = Invoice.objects.create(
        payer=payer, kind=kind, reference=reference, description=description
    )
    # With history, so a staff adjustment later shows what the line was computed as.
    bulk_create_with_history(
        [
            FeeLine(
                invoice=invoice, description=line.description, amount=money(line.amount), order=i
            )
            for i, line in enumerate(lines)
        ],
        FeeLine,
    )
    return invoice


@transaction.atomic
def invoice_make_due(*, invoice: Invoice) -> Invoice:
    """Fees become payable; an invoice of nothing is settled at once."""
    invoice = _locked(invoice)
    if invoice.status != Invoice.Status.PENDING:
        raise PaymentError(_("These fees are already %(status)s.") % _status(invoice))
    invoice.status = Invoice.Status.DUE
    invoice.due_at = timezone.now()
    invoice.save(update_fields=["status", "due_at"])
    if invoice.total == 0:
        _invoice_settle(invoice)
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice) -> Invoice:
    invoice = _locked(invoice)
    if invoice.status == Invoice.Status.PAID:
        raise PaymentError(_("These fees are paid; a refund goes through Finance."))
    invoice.status = Invoice.Status.VOID
    invoice.save(update_fields=["status"])
    return invoice


def _status(invoice: Invoice) -> dict:
    return {"status": invoice.get_status_display().lower()}


def _invoice_open(invoice: Invoice) -> Invoice:
    invoice = _locked(invoice)
    if invoice.status not in (Invoice.Status.PENDING, Invoice.Status.DUE):
        raise PaymentError(
            _("These fees are %(status)s and can no longer be changed.") % _status(invoice)
        )
    return invoice


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise PaymentError(_("Give the reason for the change; it is kept with the fees."))
    return reason


def _total_not_negative(invoice: Invoice) -> None:
    if invoice.total < 0:
        raise PaymentError(_("The fees cannot add up to less than nothing."))


@transaction.atomic
def fee_line_add(*, invoice: Invoice, description: str, amount: Decimal, reason: str) -> FeeLine:
    """Staff add a line (a negative amount is a credit); who did it is in the history."""
    invoice = _invoice_open(invoice)
    description = description.strip()
    if not description:
        raise PaymentError(_("Describe the fee."))
    line = FeeLine.objects.create(
        invoice=invoice,
        description=description,
        amount=money(amount),
        reason=_reason_required(reason),
        order=invoice.lines.count(),
    )
    _total_not_negative(invoice)
    return line


@transaction.atomic
def fee_line_adjust(*, line: FeeLine, amount: Decimal, reason: str) -> FeeLine:
    invoice = _invoice_open(line.invoice)
    line = FeeLine.objects.get(pk=line.pk)
    line.amount = money(amount)
    line.reason = _reason_required(reason)
    line.save(update_fields=["amount", "reason"])
    _total_not_negative(invoice)
    return line


def _invoice_settle(invoice: Invoice) -> None:
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["status", "paid_at"])
    payable_of(invoice.kind).on_paid(invoice=invoice)


@transaction.atomic
def payment_record_counter(
    *, invoice: Invoice, method: str, receipt_number: str, recorded_by: User
) -> Payment:
    """Cash or a check taken at the counter pays the whole invoice."""
    if method not in (Payment.Method.CASH, Payment.Method.CHECK):
        raise PaymentError(_("At the counter the city takes cash or a check."))
    receipt_number = receipt_number.strip()
    if not receipt_number:
        raise PaymentError(_("Enter the receipt number from the register."))
    invoice = _locked(invoice)
    if invoice.status == Invoice.Status.PAID:
        raise PaymentError(_("These fees are already paid."))
    if invoice.status != Invoice.Status.DUE:
        raise PaymentError(
            _("These fees are not due yet: the application must be approved first.")
            if invoice.status == Invoice.Status.PENDING
            else _("These fees were cancelled.")
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                payer=invoice.payer,
                method=method,
                status=Payment.Status.SUCCEEDED,
                amount=invoice.total,
                receipt_number=receipt_number,
                recorded_by=recorded_by,
                succeeded_at=now,
            )
    except IntegrityError:
        raise PaymentError(
            _("Receipt %(number)s is already recorded for another payment.")
            % {"number": receipt_number}
        ) from None
    payment.invoices.add(invoice)
    _invoice_settle(invoice)
    return payment
