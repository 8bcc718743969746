"""The built-in test provider: a checkout page on the portal itself, plainly marked as a
test, that behaves like Stripe's test mode and takes no money. Used whenever no Stripe
key is set: on the embedded defaults, in the demo and in the tests."""

import datetime
import uuid
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from payments.models import BuiltInCheckout, Payment
from payments.providers.base import (
    CURRENCY,
    CheckoutLine,
    CheckoutResult,
    CheckoutStarted,
    Outcome,
    PaymentProvider,
    ProviderUnavailable,
    cents,
)

# As long as a Stripe Checkout Session the portal opens stays payable.
CHECKOUT_LIFETIME = datetime.timedelta(minutes=31)


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

    def checkout_charge(self, *, reference: str, card_brand: str, card_last4: str) -> bool:
        """What the card company does when a test card goes through: only an open
        checkout is charged, so one closed meanwhile takes no money."""
        self._lapsed_close()
        return bool(
            BuiltInCheckout.objects.filter(reference=reference, outcome=Outcome.PENDING).update(
                outcome=Outcome.SUCCEEDED, card_brand=card_brand, card_last4=card_last4
            )
        )

    @staticmethod
    def _lapsed_close() -> None:
        BuiltInCheckout.objects.filter(
            outcome=Outcome.PENDING, created_at__lt=timezone.now() - CHECKOUT_LIFETIME
        ).update(outcome=Outcome.EXPIRED)

    def checkout_fetch(self, *, reference: str) -> CheckoutResult:
        self._lapsed_close()
        checkout = BuiltInCheckout.objects.filter(reference=reference).first()
        if checkout is None:
            raise ProviderUnavailable(reference)
        return CheckoutResult(
            reference=reference,
            outcome=Outcome(checkout.outcome),
            card_brand=checkout.card_brand,
            card_last4=checkout.card_last4,
            amount_cents=cents(checkout.amount),
            currency=CURRENCY,
        )

    def refund_create(self, *, reference: str, amount: Decimal, idempotency_key: str) -> str:
        # Nothing was taken, so nothing goes back; the id shows where the refund came from.
        return f"test_re_{idempotency_key}"

    def checkout_expire(self, *, reference: str) -> None:
        BuiltInCheckout.objects.filter(reference=reference, outcome=Outcome.PENDING).update(
            outcome=Outcome.EXPIRED
        )
