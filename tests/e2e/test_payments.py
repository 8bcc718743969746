"""Paying a permit's fees online in Chromium, on the built-in test provider: a test card
that succeeds issues the permit and shows the receipt; a declined card leaves the fees
due with a message that says so."""

import re

import pytest
from playwright.sync_api import expect

from payments.models import Invoice, Payment
from permits.models import Permit
from portal.selectors import city_localdate
from tests.e2e.conftest import PHONE, assert_accessible
from tests.e2e.test_permits import labelled, log_in
from tests.permits.support import permit_submitted

pytestmark = pytest.mark.e2e


@pytest.fixture
def heater(homeowner):
    """An approved Water Heater permit with $143.00 due."""
    return permit_submitted(homeowner, "WHTR")


def pay_now_from_the_permit_page(page, live_server, axe, permit: Permit) -> None:
    page.goto(f"{live_server.url}/permits/applications/{permit.pk}/")
    expect(page.locator(".permit-status")).to_have_text("Approved, fees due")
    page.get_by_role("button", name="Pay $143.00 now").click()

    expect(page).to_have_url(re.compile(r"/payments/test-checkout/[\w-]+/$"))
    expect(page.locator(".test-checkout-banner")).to_contain_text(
        "Test checkout: no money is taken"
    )
    expect(page.locator(".checkout-lines tbody tr")).to_have_text(
        [re.compile(rf"^\s*{permit.number}: Water Heater\s*\$143\.00\s*$")]
    )
    assert_accessible(axe, page)


def fill_card(page, number: str, *, amount: str = "143.00") -> None:
    form = page.locator("form.card-form")
    labelled(form, "Card number").fill(number)
    labelled(form, "Expiry date (MM/YY)").fill(f"12/{(city_localdate().year + 2) % 100:02d}")
    labelled(form, "Security code (CVC)").fill("123")
    labelled(form, "Name on card").fill("Rosa Delgado")
    form.get_by_role("button", name=f"Pay ${amount}").click()


def test_a_homeowner_pays_the_fees_by_card_and_the_permit_is_issued(
    page, live_server, homeowner, heater, axe
):
    log_in(page, live_server, homeowner)
    pay_now_from_the_permit_page(page, live_server, axe, heater)

    fill_card(page, "4242 4242 4242 4242")

    expect(page).to_have_url(re.compile(r"/payments/\d+/receipt/$"))
    payment = Payment.objects.get()
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payment receipt")
    expect(main.locator(".receipt-number").first).to_have_text(f"WEB-{payment.pk:06d}")
    expect(main.locator(".receipt-method")).to_have_text("Visa card ending in 4242")
    expect(main.locator(".receipt-total")).to_have_text("$143.00")
    expect(main).to_contain_text(heater.number)
    assert "4242 4242" not in main.inner_text()
    assert_accessible(axe, page)

    assert (payment.status, payment.card_brand, payment.card_last4) == (
        Payment.Status.SUCCEEDED,
        "visa",
        "4242",
    )
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.PAID

    main.get_by_role("link", name=f"Open {heater.number}").click()
    expect(page.locator(".permit-status")).to_have_text("Issued")
    expect(page.locator(".invoice-status")).to_contain_text("Paid on")
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_have_count(0)


def test_a_declined_card_leaves_the_fees_due_with_a_clear_message(
    page, live_server, homeowner, heater, axe
):
    log_in(page, live_server, homeowner)
    pay_now_from_the_permit_page(page, live_server, axe, heater)

    fill_card(page, "4000 0000 0000 0002")

    expect(page).to_have_url(re.compile(r"/payments/test-checkout/[\w-]+/$"))
    declined = page.get_by_role("alert").filter(has_text="Your card was declined.")
    expect(declined).to_contain_text("Nothing was charged and the fees are still due.")
    assert_accessible(axe, page)
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.DUE

    page.get_by_role("button", name="Cancel and go back").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/#fees-due")
    expect(page.get_by_role("status")).to_contain_text(
        "Payment cancelled; nothing was charged; the fees are still due."
    )
    fees = page.locator("#fees-due")
    expect(fees.get_by_role("checkbox", name=re.compile(heater.number))).to_be_checked()
    expect(fees).to_contain_text("$143.00")
    expect(fees.get_by_role("button", name="Pay online by card")).to_be_visible()
    assert_accessible(axe, page)
    heater.refresh_from_db()
    assert heater.status == Permit.Status.APPROVED


def test_the_checkout_fits_a_375_pixel_phone(phone_page, live_server, homeowner, heater, axe):
    log_in(phone_page, live_server, homeowner)
    phone_page.goto(f"{live_server.url}/dashboard/")
    phone_page.locator("#fees-due").get_by_role("button", name="Pay online by card").click()

    expect(phone_page).to_have_url(re.compile(r"/payments/test-checkout/[\w-]+/$"))
    expect(phone_page.get_by_label(re.compile(r"^Card number"))).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"
    assert_accessible(axe, phone_page)
