"""Paying online from the browser on the built-in test provider, through the test client:
start a checkout for fees that are due, pay (or fail to) on the test checkout page, come
back, cancel, and read the receipt."""

import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile

from payments import services
from payments.models import BuiltInCheckout, Invoice, Payment
from payments.providers.base import Outcome, ProviderUnavailable
from payments.providers.builtin import BuiltInTestProvider
from payments.services import payment_record_counter
from permits.models import Permit
from portal.models import City
from portal.selectors import city_localdate, city_profile_forget
from tests.factories import UserFactory
from tests.permits.support import permit_submitted
from tests.portal.test_links import NOT_OUR_PATHS

pytestmark = pytest.mark.django_db

PAY = "/payments/pay/"
VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"


@pytest.fixture(autouse=True)
def _portal_is_the_test_server(settings):
    """The provider sends the person back to absolute addresses made from PORTAL_URL."""
    settings.PORTAL_URL = "http://testserver"


@pytest.fixture
def neighbour(demo_city):
    return UserFactory(username="neighbour", email_verified=True)


def next_year() -> str:
    return f"12/{(city_localdate().year + 1) % 100:02d}"


def card(number: str = VISA, **fields) -> dict:
    return {
        "card_number": number,
        "expiry": next_year(),
        "cvc": "123",
        "name": "Rosa Delgado",
    } | fields


def start(client, *invoices, **extra):
    return client.post(PAY, {"invoice": [invoice.pk for invoice in invoices], **extra})


def start_checkout(client, *invoices) -> tuple[Payment, str]:
    response = start(client, *invoices)
    assert response.status_code == 302
    match = re.fullmatch(r"/payments/test-checkout/([\w-]+)/", response.url)
    assert match, response.url
    return Payment.objects.get(provider_reference=match[1]), response.url


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page_text(response) -> str:
    """What the page says, without its markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def heater(homeowner):
    return permit_submitted(homeowner, "WHTR")


@pytest.fixture
def rosa(client, homeowner):
    client.force_login(homeowner)
    return client


# The whole flow ---------------------------------------------------------------------------


def test_a_homeowner_pays_the_water_heater_fees_and_gets_a_receipt(rosa, heater):
    assert heater.status == Permit.Status.APPROVED
    permit_page = rosa.get(f"/permits/applications/{heater.pk}/").content.decode()
    assert "Pay $143.00 now" in permit_page
    assert f'name="invoice" value="{heater.invoice_id}"' in permit_page

    payment, checkout_url = start_checkout(rosa, heater.invoice)
    assert (payment.status, payment.amount, payment.payer) == (
        Payment.Status.PENDING,
        Decimal("143.00"),
        heater.applicant,
    )

    page = rosa.get(checkout_url).content.decode()
    assert "Test checkout: no money is taken" in page
    assert f"{heater.number}: Water Heater" in page
    assert "$143.00" in page
    for autocomplete in ("cc-number", "cc-exp", "cc-csc", "cc-name"):
        assert f'autocomplete="{autocomplete}"' in page
    assert page.count('inputmode="numeric"') == 3
    for label in ("Card number", "Expiry date (MM/YY)", "Security code (CVC)", "Name on card"):
        assert re.search(rf"<label[^>]*for=\"id_\w+\">{re.escape(label)}", page), label
    assert f'action="http://testserver/payments/{payment.pk}/cancel/"' in page

    paid = rosa.post(checkout_url, card())
    assert paid.status_code == 302
    assert paid.url == f"http://testserver/payments/{payment.pk}/return/"

    returned = rosa.get(f"/payments/{payment.pk}/return/")
    assert returned.status_code == 302
    assert returned.url == f"/payments/{payment.pk}/receipt/"

    payment.refresh_from_db()
    heater.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == (
        Payment.Status.SUCCEEDED,
        "visa",
        "4242",
    )
    assert payment.succeeded_at is not None
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.PAID
    assert heater.status == Permit.Status.ISSUED
    assert BuiltInCheckout.objects.get(reference=payment.provider_reference).outcome == "succeeded"

    receipt = rosa.get(returned.url)
    text = page_text(receipt)
    assert receipt.status_code == 200
    assert f"WEB-{payment.pk:06d}" in text
    assert "Visa card ending in 4242" in text
    assert "4242424242424242" not in text and VISA not in text
    assert f"{heater.number} Water Heater" in text
    for line in heater.invoice.lines.all():
        assert f"{line.description} ${line.amount}" in text
    assert "Total $143.00" in text
    assert f'href="/permits/applications/{heater.pk}/"' in receipt.content.decode()
    assert "Card convenience fee" not in text
    assert receipt["Cache-Control"] == "private, no-store"

    # The permit page shows the permit issued and offers nothing more to pay.
    permit_page = rosa.get(f"/permits/applications/{heater.pk}/").content.decode()
    assert "Pay $143.00 now" not in permit_page
    assert "Issued" in permit_page


def test_several_fees_are_paid_in_one_checkout_from_the_dashboard(rosa, homeowner, heater):
    parking = permit_submitted(homeowner, "RPRK")
    section = rosa.get("/dashboard/").content.decode()
    section = section[section.index('id="fees-due"') :]
    for permit in (heater, parking):
        assert re.search(
            rf'<input[^>]*name="invoice" value="{permit.invoice_id}"[^>]*checked>', section
        )
    assert "Pay online by card" in section
    assert "Pay at the Permit Center counter by cash or check" in section

    payment, checkout_url = start_checkout(rosa, heater.invoice, parking.invoice)
    assert payment.amount == Decimal("173.00")
    assert "$173.00" in rosa.get(checkout_url).content.decode()

    rosa.post(checkout_url, card("5555 5555 5555 4444"))

    payment.refresh_from_db()
    assert (payment.status, payment.card_brand) == (Payment.Status.SUCCEEDED, "mastercard")
    assert set(Invoice.objects.values_list("status", flat=True)) == {Invoice.Status.PAID}
    assert set(Permit.objects.values_list("status", flat=True)) == {Permit.Status.ISSUED}
    receipt = page_text(rosa.get(f"/payments/{payment.pk}/receipt/"))
    assert heater.number in receipt and parking.number in receipt
    assert "Mastercard card ending in 4444" in receipt


def test_an_american_express_card_takes_a_four_digit_code(rosa, heater):
    payment, checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.post(checkout_url, card("3782 822463 10005", cvc="1234"))

    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == (
        Payment.Status.SUCCEEDED,
        "amex",
        "0005",
    )


# Cards that do not pay --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (DECLINED, "Your card was declined."),
        (NO_FUNDS, "Your card has insufficient funds."),
        ("4111 1111 1111 1111", "this is the test checkout, which takes only test cards"),
    ],
)
def test_a_card_that_does_not_pay_leaves_the_checkout_open_and_the_fees_due(
    rosa, heater, number, message
):
    payment, checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.post(checkout_url, card(number))

    assert response.status_code == 200
    text = page_text(response)
    assert message in text
    assert "Nothing was charged and the fees are still due." in text
    assert 'name="card_number"' in response.content.decode()  # open for another card
    payment.refresh_from_db()
    heater.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE
    assert heater.status == Permit.Status.APPROVED
    assert BuiltInCheckout.objects.get(reference=payment.provider_reference).outcome == "pending"

    # Another card then pays the same checkout.
    assert rosa.post(checkout_url, card()).status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"card_number": "4242 4242 4242 4241"}, "card_number", "This card number is not valid"),
        ({"card_number": "4242"}, "card_number", "Enter the card number: 12 to 19 digits"),
        ({"card_number": "4242-abcd-4242-4242"}, "card_number", "Enter the card number"),
        ({"card_number": ""}, "card_number", "This field is required."),
        ({"expiry": "01/20"}, "expiry", "This card has expired."),
        ({"expiry": "13/40"}, "expiry", "Enter the expiry date as on the card"),
        ({"expiry": "ab/cd"}, "expiry", "Enter the expiry date as on the card"),
        ({"cvc": "12"}, "cvc", "The security code is 3 digits."),
        ({"cvc": "1234"}, "cvc", "The security code is 3 digits."),
        ({"cvc": "12a"}, "cvc", "Enter the security code: digits only."),
        (
            {"card_number": "378282246310005", "cvc": "123"},
            "cvc",
            "An American Express card has a 4-digit security code.",
        ),
        ({"name": "   "}, "name", "This field is required."),
    ],
)
def test_the_card_form_checks_like_a_real_one(rosa, heater, fields, field, message):
    payment, checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.post(checkout_url, card(**fields))

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(rf'<div id="id_{field}_error"[^>]*>(.*?)</div>', html, re.S)
    assert error and message in error[1]
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE


def test_an_expiry_this_month_is_still_good(rosa, heater):
    today = city_localdate()
    _payment, checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.post(checkout_url, card(expiry=f"{today.month:02d}/{today.year}"))

    assert response.status_code == 302


# Cancelling and replacing ---------------------------------------------------------------


def test_leaving_by_a_link_closes_nothing(rosa, heater):
    """Any site can make a browser follow a link; only the checkout's own form closes it."""
    payment, _checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.get(f"/payments/{payment.pk}/cancel/")

    assert response.url == "/dashboard/#fees-due"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert BuiltInCheckout.objects.get(reference=payment.provider_reference).outcome == "pending"


def test_cancel_closes_the_checkout_and_leaves_the_fees_due(rosa, heater):
    payment, checkout_url = start_checkout(rosa, heater.invoice)

    response = rosa.post(f"/payments/{payment.pk}/cancel/")

    assert response.status_code == 302
    assert response.url == "/dashboard/#fees-due"
    assert messages_of(response) == [
        "Payment cancelled; nothing was charged; the fees are still due."
    ]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE
    assert BuiltInCheckout.objects.get(reference=payment.provider_reference).outcome == "expired"

    closed = rosa.get(checkout_url)
    assert "This checkout is closed" in closed.content.decode()
    assert 'name="card_number"' not in closed.content.decode()
    rosa.post(checkout_url, card())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE

    # The fees can be paid again.
    again, again_url = start_checkout(rosa, heater.invoice)
    assert again.pk != payment.pk
    rosa.post(again_url, card())
    again.refresh_from_db()
    assert again.status == Payment.Status.SUCCEEDED


def test_cancel_after_paying_keeps_the_payment(rosa, heater):
    payment, checkout_url = start_checkout(rosa, heater.invoice)
    rosa.post(checkout_url, card())

    response = rosa.get(f"/payments/{payment.pk}/cancel/")

    assert response.url == f"/payments/{payment.pk}/receipt/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_a_second_checkout_for_the_same_fees_expires_the_first(
    rosa, heater, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, first_url = start_checkout(rosa, heater.invoice)
    with django_capture_on_commit_callbacks(execute=True):
        second, second_url = start_checkout(rosa, heater.invoice)

    first.refresh_from_db()
    assert first.status == Payment.Status.EXPIRED
    assert BuiltInCheckout.objects.get(reference=first.provider_reference).outcome == "expired"
    assert "This checkout is closed" in rosa.get(first_url).content.decode()
    rosa.post(first_url, card())
    first.refresh_from_db()
    assert first.status == Payment.Status.EXPIRED

    rosa.post(second_url, card())
    second.refresh_from_db()
    assert second.status == Payment.Status.SUCCEEDED
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1


def test_an_old_checkout_left_open_at_the_provider_is_not_charged(rosa, heater):
    """Without the on-commit expiry (the provider was down), the first checkout is still
    open on the provider's side; the portal's own record refuses it."""
    first, first_url = start_checkout(rosa, heater.invoice)
    start_checkout(rosa, heater.invoice)
    assert BuiltInCheckout.objects.get(reference=first.provider_reference).outcome == "pending"

    response = rosa.post(first_url, card())

    assert "This checkout is closed" in response.content.decode()
    assert BuiltInCheckout.objects.get(reference=first.provider_reference).outcome == "pending"
    first.refresh_from_db()
    assert first.status == Payment.Status.EXPIRED


# What cannot be paid ----------------------------------------------------------------------


def _no_payment_made(response, message: str, to: str = "/dashboard/#fees-due") -> None:
    assert response.status_code == 302
    assert response.url == to
    assert message in " ".join(messages_of(response))


def test_someone_elses_unknown_or_bad_invoice_ids_pay_nothing(rosa, heater, neighbour):
    theirs = permit_submitted(neighbour, "WHTR")
    before = Payment.objects.count()

    for data in (
        {"invoice": [theirs.invoice_id]},
        {"invoice": [heater.invoice_id, theirs.invoice_id]},
        {"invoice": [999_999]},
        {"invoice": ["1e3"]},
        {"invoice": ["-1"]},
        {"invoice": [str(2**70)]},
        {"invoice": ["１"]},  # a full-width digit  # noqa: RUF001
    ):
        _no_payment_made(rosa.post(PAY, data), "Choose fees of yours to pay.")
    _no_payment_made(rosa.post(PAY, {}), "Choose the fees to pay.")

    assert Payment.objects.count() == before
    assert Invoice.objects.get(pk=theirs.invoice_id).status == Invoice.Status.DUE


def test_an_invoice_id_longer_than_python_reads_as_a_number_pays_nothing(rosa, heater):
    """Python refuses to read a number of more than 4,300 digits; the form must too."""
    before = Payment.objects.count()

    _no_payment_made(rosa.post(PAY, {"invoice": ["9" * 5000]}), "Choose fees of yours to pay.")

    assert Payment.objects.count() == before


def test_an_amount_in_the_form_is_ignored(rosa, heater):
    payment, _url = start_checkout(rosa, heater.invoice)
    response = start(rosa, heater.invoice, amount="0.01", total="0.01")

    assert response.status_code == 302
    assert Payment.objects.exclude(pk=payment.pk).get().amount == Decimal("143.00")


def test_paid_fees_or_fees_not_due_are_refused(rosa, homeowner, heater, clerk):
    payment_record_counter(
        invoice=heater.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
    )
    in_review = permit_submitted(homeowner, "DMPR")
    before = Payment.objects.count()

    _no_payment_made(start(rosa, heater.invoice), f"The fees of {heater.number} are already paid.")
    _no_payment_made(start(rosa, in_review.invoice), f"The fees of {in_review.number} are not due.")

    assert Payment.objects.count() == before


def test_a_refusal_goes_back_to_the_page_paid_from_when_it_is_ours(rosa, heater, clerk):
    payment_record_counter(
        invoice=heater.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
    )
    permit_page = f"/permits/applications/{heater.pk}/"

    _no_payment_made(start(rosa, heater.invoice, next=permit_page), "already paid", to=permit_page)
    fees_due = "/dashboard/#fees-due"
    _no_payment_made(start(rosa, heater.invoice, next=fees_due), "already paid", to=fees_due)


@pytest.mark.parametrize("next_url", NOT_OUR_PATHS)
def test_a_refusal_with_a_next_not_of_ours_goes_to_the_fees_due(rosa, heater, clerk, next_url):
    payment_record_counter(
        invoice=heater.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
    )

    _no_payment_made(start(rosa, heater.invoice, next=next_url), "already paid")
    _no_payment_made(rosa.post(PAY, {"next": next_url}), "Choose the fees to pay.")


def test_paying_takes_a_post_from_someone_logged_in(client, heater):
    assert client.get(PAY).status_code == 302  # to the login page
    response = client.post(PAY, {"invoice": [heater.invoice_id]})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Payment.objects.exists()
    client.force_login(heater.applicant)
    assert client.get(PAY).status_code == 405


def test_the_pay_button_is_only_for_the_payer_of_fees_due(client, homeowner, contractor):
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    permit.refresh_from_db()
    client.force_login(contractor)
    page = client.get(f"/permits/applications/{permit.pk}/").content.decode()
    if permit.invoice.status == Invoice.Status.DUE:
        assert "now</button>" not in page
    client.force_login(homeowner)
    page = client.get(f"/permits/applications/{permit.pk}/").content.decode()
    assert ("now</button>" in page) == (permit.invoice.status == Invoice.Status.DUE)


# Other people's payments -----------------------------------------------------------------


def test_other_people_get_404_on_the_checkout_return_cancel_and_receipt(
    client, rosa, heater, neighbour
):
    payment, checkout_url = start_checkout(rosa, heater.invoice)
    pages = (
        checkout_url,
        f"/payments/{payment.pk}/return/",
        f"/payments/{payment.pk}/cancel/",
    )
    client.force_login(neighbour)
    for url in pages:
        assert client.get(url).status_code == 404, url
    assert client.post(checkout_url, card()).status_code == 404

    client.force_login(heater.applicant)
    client.post(checkout_url, card())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED

    client.force_login(neighbour)
    assert client.get(f"/payments/{payment.pk}/receipt/").status_code == 404
    for url in (*pages, f"/payments/{payment.pk}/receipt/"):
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_only_a_succeeded_payment_has_a_receipt(rosa, heater):
    payment, _url = start_checkout(rosa, heater.invoice)

    assert rosa.get(f"/payments/{payment.pk}/receipt/").status_code == 404
    assert rosa.get("/payments/999999/receipt/").status_code == 404
    assert rosa.get("/payments/test-checkout/test_cs_unknown/").status_code == 404


def test_the_test_checkout_is_gone_once_stripe_is_set_up(rosa, heater, settings):
    payment, checkout_url = start_checkout(rosa, heater.invoice)
    settings.STRIPE_SECRET_KEY = "sk_live_example"

    assert rosa.get(checkout_url).status_code == 404
    assert rosa.post(checkout_url, card()).status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


# The return page -------------------------------------------------------------------------


def test_the_return_page_settles_a_checkout_the_provider_says_is_paid(rosa, heater):
    payment, _url = start_checkout(rosa, heater.invoice)
    # Paid on the provider's side; the portal has not heard of it yet.
    BuiltInCheckout.objects.filter(reference=payment.provider_reference).update(
        outcome=Outcome.SUCCEEDED, card_brand="discover", card_last4="1117"
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

    response = rosa.get(f"/payments/{payment.pk}/return/")

    assert response.url == f"/payments/{payment.pk}/receipt/"
    payment.refresh_from_db()
    heater.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == (
        Payment.Status.SUCCEEDED,
        "discover",
        "1117",
    )
    assert heater.status == Permit.Status.ISSUED
    # A second visit changes nothing.
    assert rosa.get(f"/payments/{payment.pk}/return/").url == response.url
    assert Payment.objects.get(pk=payment.pk).succeeded_at == payment.succeeded_at


def test_the_return_page_waits_for_a_pending_checkout(rosa, heater):
    payment, _url = start_checkout(rosa, heater.invoice)

    response = rosa.get(f"/payments/{payment.pk}/return/")

    assert response.status_code == 200
    text = page_text(response)
    assert "We are waiting for the card company" in text
    assert f'href="/payments/{payment.pk}/return/"' in response.content.decode()


@pytest.mark.parametrize(
    ("outcome", "status", "message"),
    [
        (Outcome.FAILED, Payment.Status.FAILED, "The card payment did not go through."),
        (Outcome.EXPIRED, Payment.Status.EXPIRED, "This checkout was closed before it was paid."),
    ],
)
def test_the_return_page_says_when_a_payment_failed_or_expired(
    rosa, heater, outcome, status, message
):
    payment, _url = start_checkout(rosa, heater.invoice)
    BuiltInCheckout.objects.filter(reference=payment.provider_reference).update(outcome=outcome)

    response = rosa.get(f"/payments/{payment.pk}/return/")

    assert response.status_code == 200
    text = page_text(response)
    assert message in text and "the fees are still due" in text
    assert 'href="/dashboard/#fees-due"' in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == status
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE


def test_the_return_page_survives_the_provider_being_down(rosa, heater, monkeypatch):
    payment, _url = start_checkout(rosa, heater.invoice)

    def unavailable(self, *, reference):
        raise ProviderUnavailable("timeout")

    monkeypatch.setattr(BuiltInTestProvider, "checkout_fetch", unavailable)

    response = rosa.get(f"/payments/{payment.pk}/return/")

    assert response.status_code == 200
    assert "We cannot reach the card company right now" in page_text(response)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


# The convenience fee ----------------------------------------------------------------------


def test_a_convenience_fee_is_its_own_line_and_on_the_receipt(rosa, heater, settings):
    settings.PAYMENT_CONVENIENCE_FEE_PERCENT = Decimal("2.5")
    settings.PAYMENT_CONVENIENCE_FEE_FLAT = Decimal("0.30")
    payment, checkout_url = start_checkout(rosa, heater.invoice)
    # 143.00 x 2.5% = 3.575, plus 0.30 = 3.875, rounded half up
    assert (payment.amount, payment.convenience_fee) == (Decimal("146.88"), Decimal("3.88"))

    checkout = page_text(rosa.get(checkout_url))
    assert "Card convenience fee $3.88" in checkout
    assert "Total $146.88" in checkout

    rosa.post(checkout_url, card())
    receipt = page_text(rosa.get(f"/payments/{payment.pk}/receipt/"))
    assert "Card convenience fee $3.88" in receipt
    assert "Total $146.88" in receipt


# Query counts -----------------------------------------------------------------------------


def test_the_dashboard_fees_form_costs_the_same_queries_for_one_invoice_or_many(
    rosa, homeowner, heater, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as one:
        rosa.get("/dashboard/")
    for _ in range(4):
        permit_submitted(homeowner, "WHTR")

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = rosa.get("/dashboard/").content.decode()

    assert page.count('name="invoice"') == 5


def test_the_receipt_costs_the_same_queries_for_one_invoice_or_many(
    rosa, homeowner, heater, django_assert_max_num_queries
):
    payment, checkout_url = start_checkout(rosa, heater.invoice)
    rosa.post(checkout_url, card())
    with django_assert_max_num_queries(20) as one:
        assert rosa.get(f"/payments/{payment.pk}/receipt/").status_code == 200
    # Counted now: the next request empties the connection's query log.
    one_invoice = len(one.captured_queries)

    permits = [permit_submitted(homeowner, prefix) for prefix in ("WHTR", "RPRK", "EPNL")]
    many, many_url = start_checkout(rosa, *(permit.invoice for permit in permits))
    rosa.post(many_url, card())
    with django_assert_max_num_queries(one_invoice):
        receipt = rosa.get(f"/payments/{many.pk}/receipt/").content.decode()

    for permit in permits:
        assert f'href="/permits/applications/{permit.pk}/"' in receipt


def test_a_refunded_payment_keeps_its_receipt(client, homeowner, clerk):
    invoice = permit_submitted(homeowner, "WHTR").invoice
    payment = services.payment_record_counter(
        invoice=invoice, method="cash", receipt_number="R-77", recorded_by=clerk
    )
    services.payment_refund(payment=payment, amount=payment.amount, reason="x", refunded_by=clerk)
    client.force_login(homeowner)
    page = client.get(f"/payments/{payment.pk}/receipt/")
    assert page.status_code == 200
    assert "R-77" in page.content.decode()


def test_the_receipt_downloads_as_a_tagged_pdf_with_the_card_as_last_four_only(
    client, homeowner, clerk
):
    from pypdf import PdfReader

    invoice = permit_submitted(homeowner, "WHTR").invoice
    payment = services.payment_record_counter(
        invoice=invoice, method="check", receipt_number="R-88", recorded_by=clerk
    )
    client.force_login(homeowner)

    response = client.get(f"/payments/{payment.pk}/receipt.pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="receipt-R-88.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "R-88" in text and invoice.reference in text and "$143.00" in text
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    client.force_login(UserFactory())
    assert client.get(f"/payments/{payment.pk}/receipt.pdf").status_code == 404


def test_the_receipt_pdf_prints_the_city_logo_like_the_permit(
    client, homeowner, clerk, settings, tmp_path
):
    from PIL import Image
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    city = City.objects.get()
    logo = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(logo, format="PNG")
    city.logo.save("logo.png", ContentFile(logo.getvalue()))
    city_profile_forget()
    invoice = permit_submitted(homeowner, "WHTR").invoice
    payment = services.payment_record_counter(
        invoice=invoice, method="check", receipt_number="R-89", recorded_by=clerk
    )
    client.force_login(homeowner)

    response = client.get(f"/payments/{payment.pk}/receipt.pdf")

    tags = PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/StructTreeRoot"]
    assert f"Logo of {city.name}" in _figure_alts(tags)


def _figure_alts(node) -> list[str]:
    """The alternative texts of the figures in a tagged PDF's structure tree."""
    node = node.get_object()
    alts = [str(node["/Alt"])] if node.get("/S") == "/Figure" and "/Alt" in node else []
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
            alts += _figure_alts(kid)
    return alts
