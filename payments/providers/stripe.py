"""Stripe Checkout: the person pays on Stripe's hosted page, so card data never reaches the
portal. Every call to Stripe goes through this module, over the transport `http_client()`
makes (the tests give it a fake that answers like Stripe's API)."""

import contextlib
import datetime
import logging
from collections.abc import Iterator
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils import timezone

from payments.models import Payment
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

logger = logging.getLogger(__name__)

# A person waits on these calls, so no request to Stripe may take long; a timeout or
# connection error is retried once with the same idempotency key, then shown as
# "unavailable". Cancelling makes three calls: all of them fit in the web server's 60 s.
TIMEOUT_SECONDS = 8
NETWORK_RETRIES = 1
# Stripe's shortest checkout is 30 minutes; a minute more so clocks a little apart agree.
# Reconciliation settles or expires what is pending past 30 minutes by asking Stripe.
CHECKOUT_LIFETIME = datetime.timedelta(minutes=31)
# Open sessions are expanded to the charge that paid them: the card's brand and last four.
EXPAND = ["payment_intent.latest_charge", "payment_intent.payment_method"]


def http_client() -> stripe.HTTPClient:
    """The HTTP transport under stripe-python: the one thing the tests replace."""
    return stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=http_client(),
        max_network_retries=NETWORK_RETRIES,
    )


@contextlib.contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    """Whatever goes wrong at Stripe is ProviderUnavailable to the services, which tell
    the person plainly; nothing upstream becomes a 500."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        logger.warning("Stripe unavailable while trying to %s: %s", action, error)
        raise ProviderUnavailable(str(error)) from error
    except stripe.StripeError as error:
        logger.exception("Stripe refused to %s", action)
        raise ProviderUnavailable(str(error)) from error


def _field(obj, name: str):
    """A field of an expanded object, or None when it is absent or only an id."""
    if isinstance(obj, dict):
        return obj.get(name)
    return None


def _card_of(payment_intent) -> tuple[str, str]:
    card = _field(_field(_field(payment_intent, "latest_charge"), "payment_method_details"), "card")
    if not card:
        card = _field(_field(payment_intent, "payment_method"), "card")
    if not isinstance(card, dict):
        return "", ""
    return str(card.get("brand") or ""), str(card.get("last4") or "")


def checkout_result_of(session: dict) -> CheckoutResult:
    """What a Checkout Session (as a plain dict, the payment intent expanded or not) says
    about the payment."""
    reference = session["id"]
    status = session.get("status")
    payment_status = session.get("payment_status")
    payment_intent = session.get("payment_intent")
    if status == "expired":
        return CheckoutResult(reference=reference, outcome=Outcome.EXPIRED)
    if status == "complete" and payment_status in ("paid", "no_payment_required"):
        brand, last4 = _card_of(payment_intent)
        amount_total = session.get("amount_total")
        return CheckoutResult(
            reference=reference,
            outcome=Outcome.SUCCEEDED,
            card_brand=brand,
            card_last4=last4,
            # "paid" does not say for how much: the services compare what was charged with
            # the payment. Only a whole number is an amount (JSON's true is no 1 cent).
            amount_cents=amount_total if type(amount_total) is int else None,
            currency=str(session.get("currency") or ""),
        )
    if status == "complete" and _field(payment_intent, "status") in (
        "requires_payment_method",
        "canceled",
    ):
        # A delayed payment method that failed after the session completed.
        error = _field(payment_intent, "last_payment_error")
        return CheckoutResult(
            reference=reference,
            outcome=Outcome.FAILED,
            message=str(error.get("message") or "") if isinstance(error, dict) else "",
        )
    # "open", or "complete" but "unpaid" while a delayed payment method settles.
    return CheckoutResult(reference=reference, outcome=Outcome.PENDING)


class StripeProvider(PaymentProvider):
    name = "stripe"
    label = "Card (Stripe)"

    def checkout_start(
        self,
        *,
        payment: Payment,
        lines: list[CheckoutLine],
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStarted:
        try:
            line_cents = [cents(line.amount) for line in lines]
            expected = cents(payment.amount)
        except ValueError:
            line_cents, expected = [], -1
        if sum(line_cents) != expected or any(amount < 0 for amount in line_cents):
            # The services computed both; a difference is a bug, and nothing is charged.
            logger.error(
                "Payment %s: lines add up to %s cents, the payment is %s cents",
                payment.pk,
                sum(line_cents),
                expected,
            )
            raise ProviderUnavailable("checkout lines do not add up to the payment")
        params = {
            "mode": "payment",
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "line_items": [
                {
                    "price_data": {
                        "currency": CURRENCY,
                        "unit_amount": amount,
                        "product_data": {"name": str(line.description)[:250]},
                    },
                    "quantity": 1,
                }
                for line, amount in zip(lines, line_cents, strict=True)
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(payment.pk),
            "metadata": {"payment_id": str(payment.pk)},
            "payment_intent_data": {"metadata": {"payment_id": str(payment.pk)}},
            "expires_at": int((timezone.now() + CHECKOUT_LIFETIME).timestamp()),
        }
        with _stripe_errors(f"open a checkout for payment {payment.pk}"):
            session = stripe_client().v1.checkout.sessions.create(
                params,
                # A retried request, ours or stripe-python's, never opens a second session.
                {"idempotency_key": f"portal-payment-{payment.pk}"},
            )
        if session.amount_total != expected:
            logger.error(
                "Payment %s: Stripe's session %s is for %s cents, the payment %s cents",
                payment.pk,
                session.id,
                session.amount_total,
                expected,
            )
            with contextlib.suppress(ProviderUnavailable):
                self.checkout_expire(reference=session.id)
            raise ProviderUnavailable("Stripe's total differs from the payment")
        return CheckoutStarted(reference=session.id, redirect_url=session.url)

    def checkout_fetch(self, *, reference: str) -> CheckoutResult:
        with _stripe_errors(f"read checkout {reference}"):
            session = stripe_client().v1.checkout.sessions.retrieve(reference, {"expand": EXPAND})
        return checkout_result_of(session.to_dict())

    def refund_create(self, *, reference: str, amount: Decimal, idempotency_key: str) -> str:
        """Give back `amount` of what the checkout charged; Stripe refunds to the card."""
        client = stripe_client()
        with _stripe_errors(f"refund {amount} of checkout {reference}"):
            session = client.v1.checkout.sessions.retrieve(reference)
            payment_intent = session.payment_intent
            if not payment_intent:
                logger.error("Checkout %s has no payment to refund", reference)
                raise ProviderUnavailable("the checkout has no payment to refund")
            if not isinstance(payment_intent, str):
                payment_intent = payment_intent.id
            refund = client.v1.refunds.create(
                {
                    "payment_intent": payment_intent,
                    "amount": cents(amount),
                    "metadata": {"checkout": reference},
                },
                {"idempotency_key": idempotency_key},
            )
        return refund.id

    def checkout_expire(self, *, reference: str) -> None:
        """Close an open checkout so it can no longer be paid; one already expired or
        paid is left as it is (the webhook or reconciliation settles a paid one)."""
        client = stripe_client()
        with _stripe_errors(f"expire checkout {reference}"):
            try:
                client.v1.checkout.sessions.expire(reference)
            except stripe.InvalidRequestError:
                # Stripe refuses to expire a session that is not open: see which it is.
                if client.v1.checkout.sessions.retrieve(reference).status == "open":
                    raise
