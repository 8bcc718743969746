"""Stripe's webhook, with events signed by Stripe's scheme (t=...,v1=HMAC-SHA256) and a test
secret: valid, forged, stale, repeated, out of order, and delivered twice at once."""

import hashlib
import hmac
import json
import logging
import threading
import time

import pytest
from django.db import OperationalError, connections, transaction
from django.test import Client

from payments import services, webhooks
from payments.models import Invoice, Payment, WebhookEvent
from payments.providers import provider_of
from permits.models import Permit
from tests.factories import UserFactory
from tests.payments.stripe_fake import (  # noqa: F401 - stripe_fake is a fixture
    WEBHOOK_SECRET,
    StripeFake,
    stripe_event,
    stripe_fake_fixture,
)
from tests.permits.support import permit_submitted

pytestmark = pytest.mark.django_db

URL = "/payments/webhooks/stripe/"


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def deliver(event: dict, client: Client | None = None, **signing):
    payload = json.dumps(event)
    return (client or Client()).post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload, **signing)},
    )


def checkout(homeowner) -> tuple[Permit, Payment]:
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = services.payment_checkout_start(
        payer=homeowner,
        invoice_ids=[permit.invoice.pk],
        provider=provider_of("stripe"),
        success_url=lambda payment: f"https://permits.example.gov/payments/{payment.pk}/return/",
        cancel_url=lambda payment: f"https://permits.example.gov/payments/{payment.pk}/cancel/",
    )
    return permit, payment


def paid_event(stripe_fake: StripeFake, payment: Payment, **kwargs) -> dict:
    stripe_fake.session_pay(payment.provider_reference, brand="visa", last4="4242")
    return stripe_event(
        "checkout.session.completed", stripe_fake.session_json(payment.provider_reference), **kwargs
    )


def assert_issued_once(permit: Permit, payment: Payment) -> None:
    payment.refresh_from_db()
    permit.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert (payment.charged_cents, payment.charged_currency) == (14300, "usd")
    assert not payment.needs_attention
    assert permit.invoice.status == Invoice.Status.PAID
    assert permit.status == Permit.Status.ISSUED
    assert permit.events.filter(status=Permit.Status.ISSUED).count() == 1


def assert_left_due(permit: Permit, payment: Payment, *, charged: tuple[int, str]) -> None:
    """Stripe's charge did not match: the fees are still due, nothing is issued, and the
    payment says what Stripe charged so Finance can refund it."""
    payment.refresh_from_db()
    permit.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE
    assert permit.status == Permit.Status.APPROVED
    assert not permit.events.filter(status=Permit.Status.ISSUED).exists()
    assert not payment.history.filter(status=Payment.Status.SUCCEEDED).exists()
    assert payment.succeeded_at is None
    assert payment.needs_attention
    assert (payment.charged_cents, payment.charged_currency) == charged


# Stripe charged something other than the fees: (what the test makes Stripe charge, what
# the payment then says Stripe charged). The water heater's fees are $143.00.
CHARGED_OTHERWISE = pytest.mark.parametrize(
    ("charge", "charged"),
    [({"amount_total": 100}, (100, "usd")), ({"currency": "eur"}, (14300, "eur"))],
    ids=["another amount", "another currency"],
)


@CHARGED_OTHERWISE
def test_a_session_paid_for_another_amount_or_currency_settles_nothing(
    homeowner, stripe_fake, caplog, charge, charged
):
    permit, payment = checkout(homeowner)
    stripe_fake.session_pay(payment.provider_reference, **charge)
    event = stripe_event(
        "checkout.session.completed", stripe_fake.session_json(payment.provider_reference)
    )

    with caplog.at_level(logging.ERROR):
        response = deliver(event)

    # Answered 200: the mismatch is recorded here, and Stripe must not retry forever.
    assert response.status_code == 200
    assert_left_due(permit, payment, charged=charged)
    assert payment.status == Payment.Status.FAILED
    assert "does not match the fees due" in payment.failure_message
    [logged] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert payment.provider_reference in logged.getMessage()

    # The event again, or Stripe's other event for the same session, settles nothing.
    again = {**event, "id": "evt_test_again", "type": webhooks.ASYNC_SUCCEEDED}
    assert deliver(event).status_code == deliver(again).status_code == 200
    assert_left_due(permit, payment, charged=charged)


def test_a_session_paid_for_another_amount_after_we_closed_it_settles_nothing(
    homeowner, stripe_fake
):
    permit, payment = checkout(homeowner)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.EXPIRED)
    stripe_fake.session_pay(payment.provider_reference, amount_total=100)
    event = stripe_event(
        "checkout.session.completed", stripe_fake.session_json(payment.provider_reference)
    )

    assert deliver(event).status_code == 200

    assert_left_due(permit, payment, charged=(100, "usd"))
    assert payment.status == Payment.Status.EXPIRED


def test_a_completed_checkout_pays_the_fees_and_issues_the_permit(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    assert isinstance(event["data"]["object"]["payment_intent"], str)  # as Stripe sends it
    stripe_fake.requests.clear()

    response = deliver(event)

    assert response.status_code == 200
    assert_issued_once(permit, payment)
    # The card's brand and last four came from the session, fetched with its charge.
    [fetch] = stripe_fake.requests
    assert (fetch.method, fetch.path) == (
        "GET",
        f"/v1/checkout/sessions/{payment.provider_reference}",
    )
    stored = WebhookEvent.objects.get()
    assert (stored.provider, stored.event_id, stored.event_type) == (
        "stripe",
        event["id"],
        "checkout.session.completed",
    )


def test_the_webhook_is_exempt_from_csrf_and_takes_only_post(homeowner, stripe_fake):
    _permit, payment = checkout(homeowner)
    response = deliver(paid_event(stripe_fake, payment), Client(enforce_csrf_checks=True))
    assert response.status_code == 200
    assert Client().get(URL).status_code == 405


@pytest.mark.parametrize(
    "forgery", ["wrong secret", "no header", "tampered body", "garbage header", "no secret set"]
)
def test_a_bad_signature_is_refused_and_changes_nothing(homeowner, stripe_fake, settings, forgery):
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    payload = json.dumps(event)
    headers = {"Stripe-Signature": signature(payload)}
    if forgery == "wrong secret":
        headers = {"Stripe-Signature": signature(payload, secret="whsec_someone_else")}
    elif forgery == "no header":
        headers = {}
    elif forgery == "tampered body":
        payload = payload.replace('"amount_total": 14300', '"amount_total": 1')
    elif forgery == "garbage header":
        headers = {"Stripe-Signature": "t=soon,v1="}
    else:
        settings.STRIPE_WEBHOOK_SECRET = ""

    response = Client().post(URL, payload, content_type="application/json", headers=headers)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE


def test_a_body_that_is_not_json_is_refused(db, stripe_fake):
    payload = "not json at all"
    response = Client().post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload)},
    )
    assert response.status_code == 400


def test_a_stale_event_is_refused(homeowner, stripe_fake):
    _permit, payment = checkout(homeowner)

    response = deliver(paid_event(stripe_fake, payment), timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not WebhookEvent.objects.exists()


def test_the_same_event_twice_is_settled_once(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)

    first = deliver(event)
    stripe_fake.requests.clear()
    again = deliver(event)

    assert first.status_code == again.status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert stripe_fake.requests == []  # a repeat does not even ask Stripe
    assert_issued_once(permit, payment)
    assert payment.history.filter(status=Payment.Status.SUCCEEDED).count() == 1


def test_an_expired_event_after_the_completed_one_leaves_the_payment_paid(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    completed = paid_event(stripe_fake, payment)
    session = dict(stripe_fake.session_json(payment.provider_reference), status="expired")
    expired = stripe_event("checkout.session.expired", session)

    assert deliver(completed).status_code == 200
    assert deliver(expired).status_code == 200

    assert WebhookEvent.objects.count() == 2
    assert_issued_once(permit, payment)


def test_an_expired_checkout_leaves_the_fees_due(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    stripe_fake.session_expire(payment.provider_reference)
    event = stripe_event(
        "checkout.session.expired", stripe_fake.session_json(payment.provider_reference)
    )

    assert deliver(event).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE
    # Money the card company reports taken is never dropped, even on a checkout we had
    # closed: a signed event of a payment is a payment.
    assert deliver(paid_event(stripe_fake, payment)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.PAID


def test_a_delayed_payment_is_pending_until_it_succeeds(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    stripe_fake.session_complete_unpaid(payment.provider_reference)
    completed = stripe_event(
        "checkout.session.completed", stripe_fake.session_json(payment.provider_reference)
    )

    assert deliver(completed).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    succeeded = paid_event(stripe_fake, payment)
    succeeded["type"] = "checkout.session.async_payment_succeeded"
    assert deliver(succeeded).status_code == 200
    assert_issued_once(permit, payment)


def test_a_delayed_payment_that_fails_leaves_the_fees_due(homeowner, stripe_fake):
    permit, payment = checkout(homeowner)
    stripe_fake.session_complete_unpaid(payment.provider_reference)
    stripe_fake.session_async_fail(payment.provider_reference)
    event = stripe_event(
        "checkout.session.async_payment_failed",
        stripe_fake.session_json(payment.provider_reference),
    )

    assert deliver(event).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE


def test_an_event_for_an_unknown_session_is_acknowledged(db, stripe_fake):
    stripe_fake.sessions["cs_test_elsewhere"] = {}
    session = {
        "id": "cs_test_elsewhere",
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": "pi_test_elsewhere",
    }

    response = deliver(stripe_event("checkout.session.completed", session))

    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1
    assert stripe_fake.requests == []  # nothing of ours to settle, so nothing to ask


def test_an_event_we_do_not_use_is_acknowledged_and_ignored(homeowner, stripe_fake):
    _permit, payment = checkout(homeowner)
    event = stripe_event("customer.created", {"id": "cus_test_1", "object": "customer"})

    response = deliver(event)

    assert response.status_code == 200
    assert WebhookEvent.objects.get().event_type == "customer.created"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_stripe_unreachable_for_the_card_details_is_503_and_nothing_kept(
    homeowner, stripe_fake, failure
):
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    stripe_fake.failure = failure

    assert deliver(event).status_code == 503
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    # Stripe's retry, once Stripe answers again, settles it.
    stripe_fake.failure = None
    assert deliver(event).status_code == 200
    assert_issued_once(permit, payment)


def test_a_database_error_while_settling_is_503_and_nothing_kept(
    homeowner, stripe_fake, monkeypatch
):
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    settle = services.payment_checkout_settle

    def locked(**kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(services, "payment_checkout_settle", locked)
    assert deliver(event).status_code == 503
    assert not WebhookEvent.objects.exists()

    monkeypatch.setattr(services, "payment_checkout_settle", settle)
    assert deliver(event).status_code == 200
    assert_issued_once(permit, payment)


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
def test_a_payment_row_locked_too_long_is_503_and_the_retry_settles(
    homeowner, stripe_fake, monkeypatch
):
    monkeypatch.setattr(webhooks, "LOCK_TIMEOUT", "200ms")
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                Payment.objects.select_for_update().get(pk=payment.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        assert deliver(event).status_code == 503
        assert not WebhookEvent.objects.exists()
    finally:
        release.set()
        holder.join()

    assert deliver(event).status_code == 200
    assert_issued_once(permit, payment)


DELIVERIES = 2


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_event", [True, False], ids=["same event", "two events"])
def test_one_payment_delivered_by_two_threads_at_once_is_paid_once(
    demo_city, stripe_fake, same_event
):
    homeowner = UserFactory(username="rosa", email_verified=True)
    permit, payment = checkout(homeowner)
    event = paid_event(stripe_fake, payment)
    # Stripe also sends async_payment_succeeded for the same session, under its own id.
    events = [event, event] if same_event else [event, {**event, "id": "evt_test_other"}]
    start = threading.Barrier(DELIVERIES)
    answers, errors = [], []

    def deliver_in_thread(event):
        try:
            start.wait()
            answers.append(deliver(event).status_code)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver_in_thread, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert answers == [200, 200]
    assert WebhookEvent.objects.count() == (1 if same_event else 2)
    assert_issued_once(permit, payment)
    assert payment.history.filter(status=Payment.Status.SUCCEEDED).count() == 1


@pytest.mark.parametrize("body", [[], "x", 1, None], ids=["list", "string", "number", "null"])
def test_signed_json_that_is_not_an_event_is_refused(db, body):
    assert deliver(body).status_code == 400
    assert not WebhookEvent.objects.exists()
