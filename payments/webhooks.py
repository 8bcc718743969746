"""Stripe's webhook: Stripe tells the portal how a Checkout Session ended.

The signature is checked with Stripe's scheme and the webhook secret; each event id is kept,
so a repeat does nothing; the four checkout events settle the payment through the one
service every path takes, under its row lock, which leaves a final payment alone and pays
the fees only when the session charged the payment's amount in its currency (any other
charge is recorded for Finance and answered 200, as Stripe's retry would change nothing).
The event row and the settlement commit together: when the database cannot settle now (a
lock timeout), the answer is 503 and nothing is kept, so Stripe's retry is not taken for a
repeat."""

import logging
from dataclasses import replace

import stripe
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import services
from payments.models import Payment, WebhookEvent
from payments.providers import provider_of
from payments.providers.base import CheckoutResult, Outcome, ProviderUnavailable
from payments.providers.stripe import checkout_result_of

logger = logging.getLogger(__name__)

PROVIDER = "stripe"
COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"
HANDLED = (COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED, EXPIRED)
# How long a settlement waits for a payment row another request holds before it answers
# 503 and lets Stripe retry (Postgres; SQLite has its own busy timeout).
LOCK_TIMEOUT = "5s"


def _answer(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _result_of(event_type: str, session: dict) -> CheckoutResult:
    """What the event says about the checkout. Raises ProviderUnavailable when the card's
    details cannot be read from Stripe now."""
    reference = session["id"]
    if event_type == EXPIRED:
        return CheckoutResult(reference=reference, outcome=Outcome.EXPIRED)
    if event_type == ASYNC_FAILED:
        return CheckoutResult(
            reference=reference,
            outcome=Outcome.FAILED,
            message=_("Your payment did not go through; nothing was charged."),
        )
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        # Completed with a delayed payment method: async_payment_succeeded or _failed follows.
        return CheckoutResult(reference=reference, outcome=Outcome.PENDING)
    from_event = checkout_result_of({**session, "status": "complete"})
    if from_event.card_last4:
        return from_event
    payment = Payment.objects.filter(provider=PROVIDER, provider_reference=reference).first()
    if payment is None or payment.is_final:
        # Nothing to settle, so no reason to ask Stripe for the card.
        return from_event
    fetched = provider_of(PROVIDER).checkout_fetch(reference=reference)
    # The event says what was charged; the fetched session only adds the card.
    return replace(from_event, card_brand=fetched.card_brand, card_last4=fetched.card_last4)


def _lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature"),
            settings.STRIPE_WEBHOOK_SECRET,
        ).to_dict()
    except (ValueError, TypeError, AttributeError, stripe.SignatureVerificationError) as error:
        # ValueError: a body that is not UTF-8 JSON; TypeError and AttributeError: signed
        # JSON that is not an object, which stripe-python does not expect.
        logger.warning("Stripe webhook refused: %s", error)
        return _answer(400, "Bad signature or payload.")
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)):
        return _answer(400, "Not an event.")
    if WebhookEvent.objects.filter(provider=PROVIDER, event_id=event_id).exists():
        return _answer(200, "Already received.")

    data = event.get("data")
    session = data.get("object") if isinstance(data, dict) else None
    result = None
    if event_type in HANDLED and isinstance(session, dict) and isinstance(session.get("id"), str):
        try:
            result = _result_of(event_type, session)
        except ProviderUnavailable:
            return _answer(503, "Stripe could not be reached; try again.")

    try:
        with transaction.atomic():
            _lock_timeout()
            try:
                with transaction.atomic():
                    WebhookEvent.objects.create(
                        provider=PROVIDER, event_id=event_id[:255], event_type=event_type[:100]
                    )
            except IntegrityError:
                # The same event, delivered twice at once: the other delivery settles it.
                return _answer(200, "Already received.")
            if result is not None:
                payment = services.payment_checkout_settle(provider_name=PROVIDER, result=result)
                if payment is None:
                    logger.info(
                        "Stripe %s %s: no payment has session %s",
                        event_type,
                        event_id,
                        result.reference,
                    )
    except OperationalError as error:
        # A lock held too long, or the database unreachable: Stripe retries later, and as
        # nothing was kept, the retry is handled as new.
        logger.warning("Stripe webhook %s not settled now: %s", event_id, error)
        return _answer(503, "Busy; try again.")
    return _answer(200, "OK." if result is not None else "Ignored.")
