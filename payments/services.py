"""Everything that changes an invoice or records a payment: bills, counter payments, card
checkouts and their settling by webhook or reconciliation, refunds. Longer than the
house's 500 lines on purpose: every path that moves money is read in one file, and they
share the invoice locking and the settling below."""

import contextlib
import datetime
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from payments.models import FeeLine, Invoice, Payment, Refund
from payments.providers import provider_of
from payments.providers.base import (
    CURRENCY,
    CheckoutLine,
    CheckoutResult,
    Outcome,
    PaymentProvider,
    ProviderUnavailable,
    cents,
)
from payments.registry import payable_of
from payments.selectors import charged_as_owed
from portal.email import email_send
from portal.links import absolute_url
from portal.money import money

logger = logging.getLogger(__name__)


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
    if _holding_payments([invoice.pk]).exists():
        raise PaymentError(
            _(
                "A card payment of these fees is in progress. Finish or cancel it first, or "
                "wait half an hour for it to lapse."
            )
        )
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
    if _holding_payments([invoice.pk]).exists():
        raise PaymentError(
            _(
                "The payer is paying these fees by card right now. Change them once the "
                "checkout is paid or closed."
            )
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
    _checkouts_close([invoice.pk])
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


# Card payments ---------------------------------------------------------------------------

CARD_PAYMENTS_UNAVAILABLE = gettext_lazy(
    "Card payments are not available at the moment; nothing was charged. Please try again "
    "in a few minutes, or pay at the Permit Center counter."
)


def convenience_fee_for(amount: Decimal) -> Decimal:
    """The city's optional card fee: a percentage and a flat part, both none by default."""
    percent = Decimal(settings.PAYMENT_CONVENIENCE_FEE_PERCENT)
    flat = Decimal(settings.PAYMENT_CONVENIENCE_FEE_FLAT)
    return money(amount * percent / 100 + flat) if amount else Decimal("0.00")


def _holding_payments(invoice_ids: list[int]):
    """Card checkouts still open on any of these fees. A subquery rather than DISTINCT,
    so the rows can be locked: Postgres refuses FOR UPDATE with DISTINCT."""
    holding = Payment.invoices.through.objects.filter(
        invoice_id__in=invoice_ids,
        payment__method=Payment.Method.CARD,
        payment__status__in=(Payment.Status.CREATED, Payment.Status.PENDING),
    ).values("payment_id")
    return Payment.objects.filter(pk__in=holding)


def _checkouts_close(invoice_ids: list[int]) -> None:
    """Close the card checkouts open on these fees (the caller holds the fees' locks):
    here at once, at the provider once this commits. Money taken on one all the same is
    recorded when it is reported, and flagged for a refund."""
    holding = _holding_payments(invoice_ids).values("pk")
    for earlier in Payment.objects.select_for_update().filter(pk__in=holding).order_by("pk"):
        earlier.status = Payment.Status.EXPIRED
        earlier.save(update_fields=["status"])
        if earlier.provider_reference:
            transaction.on_commit(
                functools.partial(
                    _checkout_expire_quietly, earlier.provider, earlier.provider_reference
                )
            )


@transaction.atomic
def _payment_create(*, payer: User, invoice_ids: list[int], provider_name: str) -> Payment:
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=invoice_ids, payer=payer).order_by("pk")
    )
    if not invoice_ids or len(invoices) != len(set(invoice_ids)):
        raise PaymentError(_("Choose fees of yours to pay."))
    for invoice in invoices:
        if invoice.status == Invoice.Status.PAID:
            raise PaymentError(
                _("The fees of %(ref)s are already paid.") % {"ref": invoice.reference}
            )
        if invoice.status != Invoice.Status.DUE:
            raise PaymentError(_("The fees of %(ref)s are not due.") % {"ref": invoice.reference})
    # A second checkout for the same fees replaces the first, which can no longer be paid.
    _checkouts_close(invoice_ids)
    amount = money(sum((invoice.total for invoice in invoices), Decimal(0)))
    fee = convenience_fee_for(amount)
    payment = Payment.objects.create(
        payer=payer,
        method=Payment.Method.CARD,
        status=Payment.Status.CREATED,
        amount=amount + fee,
        convenience_fee=fee,
        provider=provider_name,
    )
    payment.invoices.set(invoices)
    return payment


def _checkout_expire_quietly(provider_name: str, reference: str) -> None:
    # Reconciliation asks again later; the payment is already expired on our side.
    with contextlib.suppress(ProviderUnavailable):
        provider_of(provider_name).checkout_expire(reference=reference)


def payment_checkout_lines(payment: Payment) -> list[CheckoutLine]:
    lines = [
        CheckoutLine(
            description=f"{invoice.reference}: {invoice.description}", amount=invoice.total
        )
        for invoice in payment.invoices.prefetch_related("lines").order_by("pk")
    ]
    if payment.convenience_fee:
        lines.append(
            CheckoutLine(description=_("Card convenience fee"), amount=payment.convenience_fee)
        )
    return lines


def payment_checkout_start(
    *,
    payer: User,
    invoice_ids: list[int],
    provider: PaymentProvider,
    success_url: Callable[[Payment], str],
    cancel_url: Callable[[Payment], str],
) -> tuple[Payment, str]:
    """Open a checkout for these fees at the provider; returns where the person pays.

    The amount comes from the fees as they stand now, never from the form. The provider is
    called outside the transaction that holds the fees, so a slow provider holds no locks.
    `success_url` and `cancel_url` take the payment and give absolute addresses."""
    payment = _payment_create(payer=payer, invoice_ids=invoice_ids, provider_name=provider.name)
    try:
        started = provider.checkout_start(
            payment=payment,
            lines=payment_checkout_lines(payment),
            success_url=success_url(payment),
            cancel_url=cancel_url(payment),
        )
    except ProviderUnavailable:
        Payment.objects.filter(pk=payment.pk).update(
            status=Payment.Status.FAILED, failure_message=str(CARD_PAYMENTS_UNAVAILABLE)
        )
        raise PaymentError(CARD_PAYMENTS_UNAVAILABLE) from None
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        # Kept whatever happened meanwhile, so a webhook for this checkout finds its payment.
        payment.provider_reference = started.reference
        replaced = payment.status != Payment.Status.CREATED
        if not replaced:
            payment.status = Payment.Status.PENDING
        payment.save(update_fields=["status", "provider_reference"])
    if replaced:
        # A newer checkout for the same fees started while this one opened: close this one.
        _checkout_expire_quietly(provider.name, started.reference)
        raise PaymentError(
            _("A newer checkout for these fees was started; continue with that one.")
        )
    return payment, started.redirect_url


def _receipt_send(payment: Payment) -> None:
    """The receipt by email, after commit; the card shows as its brand and last four digits."""
    if not payment.payer.email:
        return
    email_send(
        template_prefix="email/payment_receipt",
        to=[payment.payer.email],
        context={
            "payment": payment,
            "invoices": list(payment.invoices.prefetch_related("lines").order_by("pk")),
            "receipt_url": absolute_url(reverse("payments:receipt", args=[payment.pk])),
        },
    )


CHARGE_MISMATCH = gettext_lazy(
    "The amount the card company reported does not match the fees due, so the payment "
    "was not applied. The city's Finance staff will refund any charge."
)


def _charge_mismatch_record(payment: Payment, result: CheckoutResult) -> None:
    """A checkout paid for another amount or currency than the payment settles nothing:
    the fees stay due, and Finance finds the payment to refund or look into it."""
    logger.error(
        "Payment %s: %s checkout %s charged %s cents %s, the payment is %s cents %s; "
        "the fees are not settled",
        payment.pk,
        payment.provider,
        result.reference,
        result.amount_cents,
        result.currency or "(no currency)",
        cents(payment.amount),
        CURRENCY,
    )
    payment.needs_attention = True
    payment.failure_message = str(CHARGE_MISMATCH)
    if not payment.is_final:
        # Final, so it holds the fees no longer: they can be paid again, at the counter
        # or online, and reconciliation stops asking about it.
        payment.status = Payment.Status.FAILED


def _payment_succeed(payment: Payment, invoices: list[Invoice], result: CheckoutResult) -> None:
    already_paid = [invoice for invoice in invoices if invoice.status != Invoice.Status.DUE]
    for invoice in invoices:
        if invoice.status == Invoice.Status.DUE:
            _invoice_settle(invoice)
    if already_paid:
        # Paid on a checkout that had been replaced: the money came in twice.
        payment.needs_attention = True
        payment.failure_message = _(
            "Refund needed: %(refs)s had already been paid or cancelled."
        ) % {"refs": ", ".join(invoice.reference for invoice in already_paid)}
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.card_brand = result.card_brand[:20]
    payment.card_last4 = result.card_last4[-4:]
    _receipt_send(payment)


@transaction.atomic
def payment_checkout_settle(*, provider_name: str, result: CheckoutResult) -> Payment | None:
    """Bring a card payment to what the provider says: the one path the webhook, the
    return page, the test provider and reconciliation all take. A payment already final
    is left alone, so a replayed or late event changes nothing; but money taken on a
    checkout we had closed is recorded, never dropped. Only a charge of the payment's
    amount in its currency settles the fees; any other is recorded for Finance."""
    if not result.reference:
        return None
    payment_id = (
        Payment.objects.filter(provider=provider_name, provider_reference=result.reference)
        .values_list("pk", flat=True)
        .first()
    )
    if payment_id is None:
        return None
    # Fees before the payment, the order a new checkout takes them in, so the two never
    # wait on each other.
    invoices = list(Invoice.objects.select_for_update().filter(payments=payment_id).order_by("pk"))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    paid_after_closing = (
        payment.status == Payment.Status.EXPIRED and result.outcome == Outcome.SUCCEEDED
    )
    if (payment.is_final and not paid_after_closing) or result.outcome == Outcome.PENDING:
        return payment
    if result.outcome == Outcome.SUCCEEDED:
        # Kept as reported, so Finance can see what was charged beside what was owed.
        payment.charged_cents = result.amount_cents
        payment.charged_currency = result.currency[:3]
        if charged_as_owed(payment, amount_cents=result.amount_cents, currency=result.currency):
            _payment_succeed(payment, invoices, result)
        else:
            _charge_mismatch_record(payment, result)
    else:
        payment.status = (
            Payment.Status.EXPIRED if result.outcome == Outcome.EXPIRED else Payment.Status.FAILED
        )
        payment.failure_message = result.message[:255]
    payment.save()
    return payment


def _checkout_result(
    provider: PaymentProvider, reference: str, *, close_if_open: bool
) -> CheckoutResult:
    """How the checkout stands at the provider; an open one, if asked, is closed first and
    then asked about again, since it may have been paid between the two calls."""
    result = provider.checkout_fetch(reference=reference)
    if close_if_open and result.outcome == Outcome.PENDING:
        provider.checkout_expire(reference=reference)
        result = provider.checkout_fetch(reference=reference)
    return result


def payment_checkout_cancel(*, payment: Payment, provider: PaymentProvider) -> Payment:
    """The person came back without paying: close the checkout so it cannot be paid later.
    If it was paid after all, that is what is recorded; if the provider does not answer,
    the payment stays pending and reconciliation settles it."""
    if not payment.provider_reference:
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.CREATED).update(
            status=Payment.Status.EXPIRED
        )
        return Payment.objects.get(pk=payment.pk)
    try:
        result = _checkout_result(provider, payment.provider_reference, close_if_open=True)
    except ProviderUnavailable:
        return payment
    return payment_checkout_settle(provider_name=payment.provider, result=result) or payment


# Refunds --------------------------------------------------------------------------------


def payment_refundable(payment: Payment) -> Decimal:
    """What is left to give back of a payment."""
    refunded = sum((refund.amount for refund in payment.refunds.all()), Decimal(0))
    return money(payment.amount - refunded)


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal, reason: str, refunded_by: User) -> Refund:
    """Give back all or part of a payment: a card payment through its provider, a counter
    payment from the drawer. The payment row stays locked meanwhile, so two refunds at
    once cannot give back more than was paid."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not payment.can_refund:
        raise PaymentError(_("Only a payment that went through can be refunded."))
    amount = money(amount)
    left = payment_refundable(payment)
    if amount <= 0:
        raise PaymentError(_("Enter an amount above $0.00."))
    if amount > left:
        raise PaymentError(
            _("At most $%(left)s is left to refund on this payment.") % {"left": left}
        )
    reason = reason.strip()
    if not reason:
        raise PaymentError(_("Give the reason for the refund; it is kept with the payment."))
    refund = Refund(payment=payment, amount=amount, reason=reason, created_by=refunded_by)
    if payment.method == Payment.Method.CARD:
        try:
            refund.provider_reference = provider_of(payment.provider).refund_create(
                reference=payment.provider_reference,
                amount=amount,
                idempotency_key=f"portal-refund-{payment.pk}-{payment.refunds.count() + 1}",
            )
        except ProviderUnavailable:
            raise PaymentError(
                _("The card company did not answer; nothing was refunded. Try again shortly.")
            ) from None
    refund.save()
    payment.status = (
        Payment.Status.REFUNDED if amount == left else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["status"])
    return refund


# Reconciliation -------------------------------------------------------------------------

# A checkout still open after this long is asked about; after the longer one, closed.
RECONCILE_AFTER = datetime.timedelta(minutes=30)
ABANDONED_AFTER = datetime.timedelta(hours=24)


def payment_reconcile(*, payment: Payment, now: datetime.datetime) -> Payment | None:
    """Ask the provider how a lingering checkout stands and settle it the usual way; one
    abandoned for a day is closed so its fees can be paid another way."""
    try:
        result = _checkout_result(
            provider_of(payment.provider),
            payment.provider_reference,
            close_if_open=payment.created_at <= now - ABANDONED_AFTER,
        )
    except ProviderUnavailable:
        return None  # the next run asks again
    return payment_checkout_settle(provider_name=payment.provider, result=result)


def payments_reconcile(*, now: datetime.datetime) -> int:
    """Settle or expire the card payments left pending longer than half an hour."""
    # A checkout whose provider never answered has nothing to ask about: it just lapses.
    Payment.objects.filter(
        method=Payment.Method.CARD,
        status=Payment.Status.CREATED,
        provider_reference="",
        created_at__lte=now - RECONCILE_AFTER,
    ).update(status=Payment.Status.EXPIRED)
    lingering = Payment.objects.filter(
        method=Payment.Method.CARD,
        status=Payment.Status.PENDING,
        created_at__lte=now - RECONCILE_AFTER,
    ).exclude(provider_reference="")
    settled = 0
    for payment in lingering:
        result = payment_reconcile(payment=payment, now=now)
        if result is not None and result.is_final:
            settled += 1
    return settled
