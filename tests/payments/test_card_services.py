"""Card payments through the services, on the built-in test provider: the amount comes
from the fees, a checkout holds them, and every path settles once."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import services
from payments.models import BuiltInCheckout, Invoice, Payment
from payments.providers import provider_of
from payments.providers.base import (
    CURRENCY,
    CheckoutResult,
    Outcome,
    ProviderUnavailable,
    cents,
)
from payments.services import PaymentError
from permits import services as permit_services
from permits.models import Permit
from tests.factories import UserFactory
from tests.permits.support import permit_submitted

URL = "http://testserver/payments/{}/"


def start(payer, *invoices) -> tuple[Payment, str]:
    return services.payment_checkout_start(
        payer=payer,
        invoice_ids=[invoice.pk for invoice in invoices],
        provider=provider_of("test"),
        success_url=lambda payment: URL.format(payment.pk) + "return/",
        cancel_url=lambda payment: URL.format(payment.pk) + "cancel/",
    )


def test_a_checkout_charges_what_is_due_and_holds_the_fees(homeowner):
    heater = permit_submitted(homeowner, "WHTR")
    parking = permit_submitted(homeowner, "RPRK")

    payment, url = start(homeowner, heater.invoice, parking.invoice)

    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Decimal("173.00")  # 143.00 + 30.00
    assert payment.provider == "test" and payment.provider_reference.startswith("test_cs_")
    assert url == f"/payments/test-checkout/{payment.provider_reference}/"
    checkout = BuiltInCheckout.objects.get(reference=payment.provider_reference)
    assert checkout.amount == Decimal("173.00")
    assert [line["amount"] for line in checkout.lines] == ["143.00", "30.00"]
    # The fees cannot be cancelled while a checkout holds them.
    with pytest.raises(permit_services.PermitError, match="in progress"):
        permit_services.permit_withdraw(permit=heater, user=homeowner)


def test_the_convenience_fee_is_its_own_line(homeowner, settings):
    settings.PAYMENT_CONVENIENCE_FEE_PERCENT = Decimal("2.5")
    settings.PAYMENT_CONVENIENCE_FEE_FLAT = Decimal("0.30")
    payment, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    assert payment.convenience_fee == Decimal("3.88")  # 143.00 * 2.5% = 3.575 -> 3.58, + 0.30
    assert payment.amount == Decimal("146.88")
    lines = BuiltInCheckout.objects.get(reference=payment.provider_reference).lines
    assert lines[-1] == {"description": "Card convenience fee", "amount": "3.88"}


def test_a_second_checkout_for_the_same_fees_closes_the_first(
    homeowner, django_capture_on_commit_callbacks
):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    first, _url = start(homeowner, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        second, _url = start(homeowner, invoice)

    first.refresh_from_db()
    assert first.status == Payment.Status.EXPIRED
    assert BuiltInCheckout.objects.get(reference=first.provider_reference).outcome == "expired"
    assert second.status == Payment.Status.PENDING


@pytest.mark.parametrize("whose", ["someone else's", "unknown", "paid", "not due"])
def test_only_ones_own_due_fees_can_be_paid(homeowner, clerk, whose):
    stranger = UserFactory(email_verified=True)
    if whose == "someone else's":
        invoice_ids = [permit_submitted(stranger, "WHTR").invoice.pk]
    elif whose == "unknown":
        invoice_ids = [987654]
    elif whose == "paid":
        invoice = permit_submitted(homeowner, "WHTR").invoice
        services.payment_record_counter(
            invoice=invoice, method="cash", receipt_number="R-1", recorded_by=clerk
        )
        invoice_ids = [invoice.pk]
    else:
        invoice_ids = [permit_submitted(homeowner, "DMPR").invoice.pk]  # reviewed first
    with pytest.raises(PaymentError):
        services.payment_checkout_start(
            payer=homeowner,
            invoice_ids=invoice_ids,
            provider=provider_of("test"),
            success_url=lambda payment: "http://testserver/",
            cancel_url=lambda payment: "http://testserver/",
        )
    assert not Payment.objects.filter(method=Payment.Method.CARD).exists()


def succeeded(payment: Payment, **charged) -> CheckoutResult:
    """The provider's news that the checkout was paid: its amount, unless `charged` says
    what else it charged (`amount_cents`, `currency`)."""
    return CheckoutResult(
        reference=payment.provider_reference,
        outcome=Outcome.SUCCEEDED,
        card_brand="visa",
        card_last4="4242",
        **{"amount_cents": cents(payment.amount), "currency": CURRENCY, **charged},
    )


def test_success_pays_the_fees_and_issues_the_permit_once(
    homeowner, django_capture_on_commit_callbacks
):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)

    with django_capture_on_commit_callbacks(execute=True):
        settled = services.payment_checkout_settle(provider_name="test", result=succeeded(payment))
        # The same news again, or news that it expired after all, changes nothing.
        again = services.payment_checkout_settle(provider_name="test", result=succeeded(payment))
        late = services.payment_checkout_settle(
            provider_name="test",
            result=CheckoutResult(reference=payment.provider_reference, outcome=Outcome.EXPIRED),
        )

    assert settled.status == again.status == late.status == Payment.Status.SUCCEEDED
    assert (settled.card_brand, settled.card_last4) == ("visa", "4242")
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    assert permit.invoice.status == Invoice.Status.PAID
    assert permit.events.filter(status=Permit.Status.ISSUED).count() == 1


@pytest.mark.parametrize(
    "charged",
    [{"amount_cents": 14299}, {"currency": "cad"}, {"amount_cents": None}, {"currency": ""}],
    ids=["a cent short", "another currency", "no amount", "no currency"],
)
def test_a_charge_other_than_the_payment_settles_nothing_and_frees_the_fees(
    homeowner, charged, caplog
):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)

    with caplog.at_level(logging.ERROR):
        settled = services.payment_checkout_settle(
            provider_name="test", result=succeeded(payment, **charged)
        )

    assert (settled.status, settled.needs_attention) == (Payment.Status.FAILED, True)
    assert settled.succeeded_at is None and settled.card_last4 == ""
    permit.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE
    assert permit.status == Permit.Status.APPROVED
    assert [record.levelno for record in caplog.records] == [logging.ERROR]
    # The same news again changes nothing; a checkout charged as owed then pays the fees.
    services.payment_checkout_settle(provider_name="test", result=succeeded(payment, **charged))
    again, _url = start(homeowner, permit.invoice)
    services.payment_checkout_settle(provider_name="test", result=succeeded(again))
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED


def test_news_of_an_unknown_checkout_is_ignored(db):
    result = CheckoutResult(reference="cs_unknown", outcome=Outcome.SUCCEEDED)
    assert services.payment_checkout_settle(provider_name="test", result=result) is None


def test_cancelling_closes_the_checkout_and_leaves_the_fees_due(homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)

    payment = services.payment_checkout_cancel(payment=payment, provider=provider_of("test"))

    assert payment.status == Payment.Status.EXPIRED
    assert BuiltInCheckout.objects.get(reference=payment.provider_reference).outcome == "expired"
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE


def test_reconciliation_settles_what_the_webhook_missed_and_closes_abandoned_checkouts(
    homeowner, time_machine
):
    now = timezone.now()
    time_machine.move_to(now - datetime.timedelta(hours=1), tick=False)
    paid, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    BuiltInCheckout.objects.filter(reference=paid.provider_reference).update(
        outcome="succeeded", card_brand="visa", card_last4="4242"
    )
    time_machine.move_to(now - datetime.timedelta(hours=25), tick=False)
    abandoned, _url = start(homeowner, permit_submitted(homeowner, "RPRK").invoice)
    time_machine.move_to(now - datetime.timedelta(minutes=5), tick=False)
    recent, _url = start(homeowner, permit_submitted(homeowner, "DCRP").invoice)
    time_machine.move_to(now, tick=False)

    assert services.payments_reconcile(now=now) == 2
    statuses = {
        payment.pk: payment.status
        for payment in Payment.objects.filter(pk__in=[paid.pk, abandoned.pk, recent.pk])
    }
    assert statuses == {
        paid.pk: Payment.Status.SUCCEEDED,
        abandoned.pk: Payment.Status.EXPIRED,
        recent.pk: Payment.Status.PENDING,  # the person may still be typing
    }
    assert services.payments_reconcile(now=now) == 0


def test_reconciliation_waits_when_the_provider_does_not_answer(homeowner, monkeypatch):
    payment, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )

    def unavailable(self, *, reference):
        raise ProviderUnavailable

    monkeypatch.setattr(type(provider_of("test")), "checkout_fetch", unavailable)
    assert services.payments_reconcile(now=timezone.now()) == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_the_receipt_is_emailed_with_the_card_as_brand_and_last_four_only(
    homeowner, django_capture_on_commit_callbacks, mailoutbox
):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_checkout_settle(provider_name="test", result=succeeded(payment))

    (receipt,) = [message for message in mailoutbox if "Receipt" in message.subject]
    assert receipt.to == [homeowner.email]
    assert receipt.subject == f"Receipt WEB-{payment.pk:06d}: payment received"
    assert "$143.00" in receipt.body and permit.number in receipt.body
    assert "Visa ending in 4242" in receipt.body
    assert f"/payments/{payment.pk}/receipt/" in receipt.body
    assert "4242424242424242" not in receipt.body


def paid_by_card(homeowner) -> Payment:
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)
    return services.payment_checkout_settle(provider_name="test", result=succeeded(payment))


def test_refunds_in_parts_up_to_what_was_paid(homeowner, clerk):
    payment = paid_by_card(homeowner)

    first = services.payment_refund(
        payment=payment, amount=Decimal("43.00"), reason="Fee charged twice.", refunded_by=clerk
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert first.provider_reference.startswith("test_re_portal-refund-")
    with pytest.raises(PaymentError, match=r"At most \$100\.00"):
        services.payment_refund(
            payment=payment, amount=Decimal("100.01"), reason="x", refunded_by=clerk
        )
    services.payment_refund(
        payment=payment, amount=Decimal("100.00"), reason="Withdrawn.", refunded_by=clerk
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert services.payment_refundable(payment) == Decimal("0.00")
    with pytest.raises(PaymentError, match="went through"):
        services.payment_refund(payment=payment, amount=Decimal("1"), reason="x", refunded_by=clerk)


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [("0", "x", "above"), ("-5", "x", "above"), ("10", "  ", "reason")],
)
def test_a_refund_needs_an_amount_and_a_reason(homeowner, clerk, amount, reason, message):
    payment = paid_by_card(homeowner)
    with pytest.raises(PaymentError, match=message):
        services.payment_refund(
            payment=payment, amount=Decimal(amount), reason=reason, refunded_by=clerk
        )
    assert not payment.refunds.exists()


def test_a_counter_payment_is_refunded_from_the_drawer(homeowner, clerk):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    payment = services.payment_record_counter(
        invoice=invoice, method="cash", receipt_number="R-55", recorded_by=clerk
    )
    refund = services.payment_refund(
        payment=payment, amount=Decimal("143.00"), reason="Overpaid.", refunded_by=clerk
    )
    assert refund.provider_reference == ""
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED


def test_money_taken_on_a_replaced_checkout_is_recorded_for_a_refund(homeowner):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    first, _url = start(homeowner, invoice)
    second, _url = start(homeowner, invoice)  # closes the first
    services.payment_checkout_settle(provider_name="test", result=succeeded(second))

    # The card company says the first went through after all, just before it closed.
    late = services.payment_checkout_settle(provider_name="test", result=succeeded(first))

    assert (late.status, late.needs_attention) == (Payment.Status.SUCCEEDED, True)
    assert (
        late.failure_message
        == f"Refund needed: {invoice.reference} had already been paid or cancelled."
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_cancelling_a_checkout_that_was_paid_records_the_payment(homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)
    BuiltInCheckout.objects.filter(reference=payment.provider_reference).update(
        outcome="succeeded", card_brand="visa", card_last4="4242"
    )

    payment = services.payment_checkout_cancel(payment=payment, provider=provider_of("test"))

    assert payment.status == Payment.Status.SUCCEEDED
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED


def test_a_checkout_replaced_while_it_opens_is_closed_and_keeps_its_reference(
    homeowner, monkeypatch, django_capture_on_commit_callbacks
):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    provider_class = type(provider_of("test"))
    opening = provider_class.checkout_start
    newer = []

    def a_second_tab_starts_meanwhile(self, **kwargs):
        started = opening(self, **kwargs)
        if not newer:
            newer.append(None)
            newer[0] = start(homeowner, invoice)[0]
        return started

    monkeypatch.setattr(provider_class, "checkout_start", a_second_tab_starts_meanwhile)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PaymentError, match="newer checkout"),
    ):
        start(homeowner, invoice)

    replaced = Payment.objects.exclude(pk=newer[0].pk).get(method=Payment.Method.CARD)
    assert replaced.status == Payment.Status.EXPIRED
    # Its reference is kept, so money reported on it still finds it, and it is closed.
    assert BuiltInCheckout.objects.get(reference=replaced.provider_reference).outcome == "expired"
    newer[0].refresh_from_db()
    assert newer[0].status == Payment.Status.PENDING


def test_fees_being_paid_by_card_cannot_be_changed(homeowner):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    start(homeowner, invoice)
    with pytest.raises(PaymentError, match="paying these fees by card right now"):
        services.fee_line_add(
            invoice=invoice, description="Re-inspection", amount=Decimal("500"), reason="x"
        )
    assert invoice.lines.count() == 4


def test_a_counter_payment_closes_the_open_card_checkout(
    homeowner, clerk, django_capture_on_commit_callbacks
):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    card, _url = start(homeowner, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_record_counter(
            invoice=invoice, method="cash", receipt_number="R-9", recorded_by=clerk
        )
    card.refresh_from_db()
    assert card.status == Payment.Status.EXPIRED
    assert BuiltInCheckout.objects.get(reference=card.provider_reference).outcome == "expired"
    assert not provider_of("test").checkout_charge(
        reference=card.provider_reference, card_brand="visa", card_last4="4242"
    )


def test_a_test_checkout_lapses_after_31_minutes_like_stripes(homeowner, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    payment, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    provider = provider_of("test")
    time_machine.shift(datetime.timedelta(minutes=32))

    assert not provider.checkout_charge(
        reference=payment.provider_reference, card_brand="visa", card_last4="4242"
    )
    assert provider.checkout_fetch(reference=payment.provider_reference).outcome == "expired"
    assert services.payments_reconcile(now=timezone.now()) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
