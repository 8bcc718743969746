"""The Stripe provider with stripe-python's HTTP faked at the transport: the requests we
send (amount, currency, lines, metadata, idempotency key) and how Stripe's answers and
failures end up."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from payments import services
from payments.models import Invoice, Payment
from payments.providers import CARD_PROVIDERS, provider_active, provider_of
from payments.providers.base import CheckoutLine, Outcome, ProviderUnavailable
from payments.providers.stripe import StripeProvider
from payments.services import CARD_PAYMENTS_UNAVAILABLE, PaymentError
from permits.models import Permit
from tests.payments.stripe_fake import stripe_fake_fixture  # noqa: F401 - a fixture
from tests.permits.support import permit_submitted

pytestmark = pytest.mark.django_db

SITE = "https://permits.example.gov/payments/{}/"


def start(payer, *invoices) -> tuple[Payment, str]:
    return services.payment_checkout_start(
        payer=payer,
        invoice_ids=[invoice.pk for invoice in invoices],
        provider=provider_of("stripe"),
        success_url=lambda payment: SITE.format(payment.pk) + "return/",
        cancel_url=lambda payment: SITE.format(payment.pk) + "cancel/",
    )


@pytest.mark.parametrize("name", sorted(CARD_PROVIDERS))
def test_each_provider_answers_to_the_name_its_payments_record(name):
    assert provider_of(name).name == name


def test_a_provider_the_portal_does_not_know_is_refused():
    with pytest.raises(KeyError):
        provider_of("paypal")


def test_stripe_is_the_provider_once_its_key_is_set(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert provider_active().name == "test"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    provider = provider_active()
    assert isinstance(provider, StripeProvider)
    assert (provider.name, provider.label) == ("stripe", "Card (Stripe)")


def test_a_checkout_is_one_session_for_what_is_due(homeowner, stripe_fake):
    permit = permit_submitted(homeowner, "WHTR")

    payment, url = start(homeowner, permit.invoice)

    [request] = stripe_fake.requests
    assert (request.method, request.url) == ("POST", "https://api.stripe.com/v1/checkout/sessions")
    assert request.headers["Authorization"] == "Bearer sk_test_x"
    assert request.headers["Idempotency-Key"] == f"portal-payment-{payment.pk}"
    form = request.form
    assert form["mode"] == "payment"
    assert form["currency"] == "usd"
    assert request.list_of("payment_method_types") == ["card"]
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][unit_amount]"] == "14300"
    assert form["line_items[0][price_data][product_data][name]"] == (
        f"{permit.invoice.reference}: {permit.invoice.description}"
    )
    assert form["line_items[0][quantity]"] == "1"
    assert "line_items[1][quantity]" not in form
    assert form["metadata[payment_id]"] == str(payment.pk)
    assert form["client_reference_id"] == str(payment.pk)
    assert form["success_url"] == f"https://permits.example.gov/payments/{payment.pk}/return/"
    assert form["cancel_url"] == f"https://permits.example.gov/payments/{payment.pk}/cancel/"
    assert int(form["expires_at"]) - payment.created_at.timestamp() == pytest.approx(31 * 60, abs=5)

    session = stripe_fake.sessions[payment.provider_reference]
    assert payment.provider_reference.startswith("cs_test_")
    assert url == session["url"] and url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert session["amount_total"] == 14300
    assert (payment.provider, payment.status, payment.amount) == (
        "stripe",
        Payment.Status.PENDING,
        Decimal("143.00"),
    )


def test_several_fees_and_the_convenience_fee_are_lines_that_add_up_exactly(
    homeowner, stripe_fake, settings
):
    settings.PAYMENT_CONVENIENCE_FEE_PERCENT = Decimal("2.5")
    settings.PAYMENT_CONVENIENCE_FEE_FLAT = Decimal("0.30")
    heater = permit_submitted(homeowner, "WHTR")
    parking = permit_submitted(homeowner, "RPRK")

    payment, _url = start(homeowner, heater.invoice, parking.invoice)

    [request] = stripe_fake.posts_to_sessions
    amounts = [int(request.form[f"line_items[{i}][price_data][unit_amount]"]) for i in range(3)]
    assert amounts == [14300, 3000, 463]  # 173.00 * 2.5% = 4.325 -> 4.33, + 0.30
    assert sum(amounts) == int(payment.amount * 100)
    assert request.form["line_items[2][price_data][product_data][name]"] == "Card convenience fee"
    assert stripe_fake.sessions[payment.provider_reference]["amount_total"] == sum(amounts)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (["312.25"], [31225]),
        (["0.10", "0.20"], [10, 20]),  # 0.1 + 0.2 in floats is 0.30000000000000004
        (["1234567.89", "0.01"], [123456789, 1]),
    ],
)
def test_amounts_with_cents_are_sent_exactly(homeowner, stripe_fake, amounts, expected):
    payment = Payment.objects.create(
        payer=homeowner,
        method=Payment.Method.CARD,
        amount=sum((Decimal(amount) for amount in amounts), Decimal(0)),
        provider="stripe",
    )
    started = StripeProvider().checkout_start(
        payment=payment,
        lines=[CheckoutLine(description=f"Fee {a}", amount=Decimal(a)) for a in amounts],
        success_url="https://permits.example.gov/ok/",
        cancel_url="https://permits.example.gov/back/",
    )
    [request] = stripe_fake.requests
    sent = [
        int(request.form[f"line_items[{i}][price_data][unit_amount]"]) for i in range(len(amounts))
    ]
    assert sent == expected
    assert stripe_fake.sessions[started.reference]["amount_total"] == sum(expected)


def test_lines_that_do_not_add_up_to_the_payment_send_nothing(homeowner, stripe_fake):
    payment = Payment.objects.create(
        payer=homeowner, method=Payment.Method.CARD, amount=Decimal("143.00"), provider="stripe"
    )
    with pytest.raises(ProviderUnavailable):
        StripeProvider().checkout_start(
            payment=payment,
            lines=[CheckoutLine(description="Water heater", amount=Decimal("142.99"))],
            success_url="https://permits.example.gov/ok/",
            cancel_url="https://permits.example.gov/back/",
        )
    assert stripe_fake.requests == []


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_stripe_failing_is_a_clear_message_and_the_fees_stay_due(homeowner, stripe_fake, failure):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    stripe_fake.failure = failure

    with pytest.raises(PaymentError) as error:
        start(homeowner, invoice)

    assert str(error.value) == str(CARD_PAYMENTS_UNAVAILABLE)
    payment = Payment.objects.get(method=Payment.Method.CARD)
    assert payment.status == Payment.Status.FAILED
    assert payment.provider_reference == ""
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DUE
    # stripe-python tried twice, always with the same key, and nothing was opened.
    keys = {request.headers["Idempotency-Key"] for request in stripe_fake.requests}
    assert len(stripe_fake.requests) == 2 and keys == {f"portal-payment-{payment.pk}"}
    assert stripe_fake.sessions == {}
    # The person can try again once Stripe answers.
    stripe_fake.failure = None
    payment, _url = start(homeowner, invoice)
    assert payment.status == Payment.Status.PENDING


def test_a_lost_answer_retried_with_the_same_key_opens_one_session(homeowner, stripe_fake):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    original = stripe_fake.request
    answers = []

    def lose_the_first_answer(*args, **kwargs):
        answer = original(*args, **kwargs)
        answers.append(answer)
        if len(answers) == 1:
            raise stripe_fake._timeout()  # Stripe opened the session; the answer was lost
        return answer

    stripe_fake.request = lose_the_first_answer

    payment, url = start(homeowner, invoice)

    assert len(stripe_fake.requests) == 2
    assert len(stripe_fake.sessions) == 1
    [session] = stripe_fake.sessions.values()
    assert payment.provider_reference == session["id"] and url == session["url"]


def test_a_stripe_refusal_is_unavailable_not_an_error_page(homeowner, stripe_fake):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    original = stripe_fake._route

    def refuse(request):
        return {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}, 401

    stripe_fake._route = refuse
    with pytest.raises(PaymentError, match="not available"):
        start(homeowner, invoice)
    stripe_fake._route = original


def open_session(homeowner, stripe_fake) -> str:
    payment, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    stripe_fake.requests.clear()
    return payment.provider_reference


@pytest.mark.parametrize(
    ("state", "outcome", "card"),
    [
        ("open", Outcome.PENDING, ("", "")),
        ("paid", Outcome.SUCCEEDED, ("mastercard", "4444")),
        ("expired", Outcome.EXPIRED, ("", "")),
        ("complete but unpaid", Outcome.PENDING, ("", "")),
        ("async payment failed", Outcome.FAILED, ("", "")),
    ],
)
def test_fetching_a_checkout_maps_each_session_state(homeowner, stripe_fake, state, outcome, card):
    reference = open_session(homeowner, stripe_fake)
    if state == "paid":
        stripe_fake.session_pay(reference, brand="mastercard", last4="4444")
    elif state == "expired":
        stripe_fake.session_expire(reference)
    elif state == "complete but unpaid":
        stripe_fake.session_complete_unpaid(reference)
    elif state == "async payment failed":
        stripe_fake.session_complete_unpaid(reference)
        stripe_fake.session_async_fail(reference)

    result = StripeProvider().checkout_fetch(reference=reference)

    assert (result.reference, result.outcome) == (reference, outcome)
    assert (result.card_brand, result.card_last4) == card
    [request] = stripe_fake.requests
    assert (request.method, request.path) == ("GET", f"/v1/checkout/sessions/{reference}")
    assert "payment_intent.latest_charge" in request.list_of("expand")


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_fetching_when_stripe_fails_is_unavailable(homeowner, stripe_fake, failure):
    reference = open_session(homeowner, stripe_fake)
    stripe_fake.failure = failure
    with pytest.raises(ProviderUnavailable):
        StripeProvider().checkout_fetch(reference=reference)


def test_fetching_an_unknown_session_is_unavailable(db, stripe_fake):
    with pytest.raises(ProviderUnavailable):
        StripeProvider().checkout_fetch(reference="cs_test_nobody")


def test_expiring_closes_an_open_session(homeowner, stripe_fake):
    reference = open_session(homeowner, stripe_fake)

    StripeProvider().checkout_expire(reference=reference)

    assert stripe_fake.sessions[reference]["status"] == "expired"
    [request] = stripe_fake.requests
    assert (request.method, request.path) == ("POST", f"/v1/checkout/sessions/{reference}/expire")


@pytest.mark.parametrize("state", ["expired", "paid"])
def test_expiring_a_session_already_closed_is_not_an_error(homeowner, stripe_fake, state):
    reference = open_session(homeowner, stripe_fake)
    if state == "paid":
        stripe_fake.session_pay(reference)
    else:
        stripe_fake.session_expire(reference)

    StripeProvider().checkout_expire(reference=reference)

    assert stripe_fake.sessions[reference]["status"] == (
        "complete" if state == "paid" else "expired"
    )


def test_expiring_when_stripe_fails_is_unavailable(homeowner, stripe_fake):
    reference = open_session(homeowner, stripe_fake)
    stripe_fake.failure = "500"
    with pytest.raises(ProviderUnavailable):
        StripeProvider().checkout_expire(reference=reference)


def test_a_second_checkout_for_the_same_fees_expires_the_first_session(
    homeowner, stripe_fake, django_capture_on_commit_callbacks
):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    first, _url = start(homeowner, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        second, _url = start(homeowner, invoice)

    assert stripe_fake.sessions[first.provider_reference]["status"] == "expired"
    assert stripe_fake.sessions[second.provider_reference]["status"] == "open"
    first.refresh_from_db()
    assert first.status == Payment.Status.EXPIRED


def test_the_return_path_settles_a_paid_session_with_the_card(homeowner, stripe_fake):
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)
    stripe_fake.session_pay(payment.provider_reference, brand="amex", last4="0005")

    result = provider_of("stripe").checkout_fetch(reference=payment.provider_reference)
    settled = services.payment_checkout_settle(provider_name="stripe", result=result)

    assert settled.status == Payment.Status.SUCCEEDED
    assert (settled.card_brand, settled.card_last4) == ("amex", "0005")
    permit.invoice.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.PAID


def test_fetching_a_paid_checkout_reports_what_stripe_charged(homeowner, stripe_fake):
    reference = open_session(homeowner, stripe_fake)
    stripe_fake.session_pay(reference, amount_total=100, currency="eur")

    result = StripeProvider().checkout_fetch(reference=reference)

    assert (result.outcome, result.amount_cents, result.currency) == (
        Outcome.SUCCEEDED,
        100,
        "eur",
    )


# Stripe charged something other than the fees ($143.00): by the return page or by
# reconciliation, both of which ask Stripe, nothing is settled and the payment says why.
CHARGED_OTHERWISE = pytest.mark.parametrize(
    ("charge", "charged"),
    [({"amount_total": 100}, (100, "usd")), ({"currency": "eur"}, (14300, "eur"))],
    ids=["another amount", "another currency"],
)


def checkout_paid(homeowner, stripe_fake, **charge) -> tuple[Permit, Payment]:
    permit = permit_submitted(homeowner, "WHTR")
    payment, _url = start(homeowner, permit.invoice)
    stripe_fake.session_pay(payment.provider_reference, **charge)
    return permit, payment


def assert_left_due(permit: Permit, payment: Payment, *, charged: tuple[int, str]) -> None:
    payment.refresh_from_db()
    permit.refresh_from_db()
    assert permit.invoice.status == Invoice.Status.DUE
    assert permit.status == Permit.Status.APPROVED
    assert (payment.status, payment.needs_attention) == (Payment.Status.FAILED, True)
    assert (payment.charged_cents, payment.charged_currency) == charged


def test_the_return_page_settles_a_session_paid_as_owed(client, homeowner, stripe_fake):
    permit, payment = checkout_paid(homeowner, stripe_fake)
    client.force_login(homeowner)

    response = client.get(f"/payments/{payment.pk}/return/")

    assert response["Location"] == f"/payments/{payment.pk}/receipt/"
    payment.refresh_from_db()
    assert (payment.status, payment.needs_attention) == (Payment.Status.SUCCEEDED, False)
    assert (payment.charged_cents, payment.charged_currency) == (14300, "usd")
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED


@CHARGED_OTHERWISE
def test_the_return_page_settles_nothing_stripe_charged_otherwise(
    client, homeowner, stripe_fake, charge, charged
):
    permit, payment = checkout_paid(homeowner, stripe_fake, **charge)
    client.force_login(homeowner)

    response = client.get(f"/payments/{payment.pk}/return/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "does not match the fees due" in page
    assert "Nothing was charged" not in page
    assert_left_due(permit, payment, charged=charged)


@CHARGED_OTHERWISE
def test_leaving_a_checkout_stripe_charged_otherwise_says_so(
    client, homeowner, stripe_fake, charge, charged
):
    permit, payment = checkout_paid(homeowner, stripe_fake, **charge)
    client.force_login(homeowner)

    response = client.get(f"/payments/{payment.pk}/cancel/")

    assert response["Location"] == "/dashboard/#fees-due"
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "does not match the fees due" in message and "nothing was charged" not in message
    assert_left_due(permit, payment, charged=charged)


@CHARGED_OTHERWISE
def test_reconciliation_settles_nothing_stripe_charged_otherwise(
    homeowner, stripe_fake, charge, charged
):
    permit, payment = checkout_paid(homeowner, stripe_fake, **charge)
    now = timezone.now()
    Payment.objects.filter(pk=payment.pk).update(created_at=now - datetime.timedelta(hours=1))

    assert services.payments_reconcile(now=now) == 1

    assert_left_due(permit, payment, charged=charged)
    # Recorded once: the next run does not ask Stripe again.
    stripe_fake.requests.clear()
    assert services.payments_reconcile(now=now) == 0
    assert stripe_fake.requests == []


def paid_through_stripe(homeowner, stripe_fake) -> Payment:
    payment, _url = start(homeowner, permit_submitted(homeowner, "WHTR").invoice)
    stripe_fake.session_pay(payment.provider_reference)
    result = provider_of("stripe").checkout_fetch(reference=payment.provider_reference)
    payment = services.payment_checkout_settle(provider_name="stripe", result=result)
    stripe_fake.requests.clear()
    return payment


def test_a_partial_refund_goes_to_the_payment_intent_in_cents(homeowner, clerk, stripe_fake):
    payment = paid_through_stripe(homeowner, stripe_fake)

    refund = services.payment_refund(
        payment=payment, amount=Decimal("43.10"), reason="Duplicate fee", refunded_by=clerk
    )

    session = stripe_fake.sessions[payment.provider_reference]
    [sent] = [r for r in stripe_fake.requests if r.path == "/v1/refunds"]
    assert sent.form["payment_intent"] == session["payment_intent"]
    assert sent.form["amount"] == "4310"
    assert sent.headers["Idempotency-Key"] == f"portal-refund-{payment.pk}-1"
    assert refund.provider_reference == session["_refunds"][0]["id"]
    assert refund.provider_reference.startswith("re_test_")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED


def test_a_refund_stripe_cannot_make_now_records_nothing(homeowner, clerk, stripe_fake):
    payment = paid_through_stripe(homeowner, stripe_fake)
    stripe_fake.failure = "timeout"

    with pytest.raises(PaymentError, match="did not answer"):
        services.payment_refund(
            payment=payment, amount=Decimal("143.00"), reason="Withdrawn", refunded_by=clerk
        )

    assert not payment.refunds.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
