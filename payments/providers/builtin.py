"""The built-in test provider: a checkout page on the portal itself, plainly marked as a
test, that behaves like Stripe's test mode and takes no money. Used whenever no Stripe
key is set: on the embedded defaults, in the demo and in the tests."""

import uuid
from decimal import Decimal

from django.urls import reverse

from payments.models import BuiltInCheckout, Payment
from payments.providers.base import (
    CheckoutLine,
    CheckoutResult,
    CheckoutStarted,
    Outcome,
    PaymentProvider,
    ProviderUnavailable,
)


class BuiltInTestProvider(PaymentProvider):
    name = "test"
    label = "Test card payments (no money is taken)"

    def checkout_start(
        self,
        *,
        payment: Payment,
        lines: list[CheckoutLine],
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStarted:
        checkout = BuiltInCheckout.objects.create(
            reference=f"test_cs_{uuid.uuid4().hex}",
            amount=payment.amount,
            lines=[{"description": line.description, "amount": str(line.amount)} for line in lines],
            success_url=success_url,
            cancel_url=cancel_url,
        )
        return CheckoutStarted(
            reference=checkout.reference,
            redirect_url=reverse("payments:test-checkout", args=[checkout.reference]),
        )

    def checkout_fetch(self, *, reference: str) -> CheckoutResult:
        checkout = BuiltInCheckout.objects.filter(reference=reference).first()
        if checkout is None:
            raise ProviderUnavailable(reference)
        return CheckoutResult(
            reference=reference,
            outcome=Outcome(checkout.outcome),
            card_brand=checkout.card_brand,
            card_last4=checkout.card_last4,
        )

    def refund_create(self, *, reference: str, amount: Decimal, idempotency_key: str) -> str:
        # Nothing was taken, so nothing goes back; the id shows where the refund came from.
        return f"test_re_{idempotency_key}"

    def checkout_expire(self, *, reference: str) -> None:
        BuiltInCheckout.objects.filter(reference=reference, outcome=Outcome.PENDING).update(
            outcome=Outcome.EXPIRED
        )
