"""A Water Heater permit in Chromium, from the application to the public record: the
homeowner applies, the Permit Center takes the fees at the counter in the admin, the
homeowner downloads the permit, and a visitor finds it by its number."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from payments.models import Invoice, Payment
from permits.models import Permit
from portal.selectors import city_localdate
from tests.e2e.conftest import PHONE, assert_accessible, labelled
from tests.permits.support import PDF_BYTES

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
# The link's visually hidden ": Water Heater" reads as its own phrase.
APPLY_WATER_HEATER = "Apply for Water Heater"
RECEIPT = "R-20931"
# What the Water Heater schedule charges, in the order the review lists it.
FEE_LINES = [
    ("Permit issuance", "$45.00"),
    ("State building standards fee (SB 1473)", "$1.00"),
    ("Technology fee", "$12.00"),
    ("Water heater", "$85.00"),
]


def group(scope, legend: str):
    """A set of radio buttons, by its legend."""
    name = re.compile(rf"^{re.escape(legend)}(\s*\*)?(\s*\(required\))?$")
    return scope.get_by_role("group", name=name)


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/?as=public")
    labelled(page, "Username or email address").fill(user.username)
    labelled(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")


def expect_step(page, number: int, title: str) -> None:
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Step "))).to_have_text(
        f"Step {number} of 6: {title}"
    )


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def apply_for_a_water_heater(page, live_server, axe) -> str:
    """Every step of the wizard as the homeowner goes through it; the permit's number."""
    page.goto(live_server.url + "/permits/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a permit")
    assert_accessible(axe, page)
    page.get_by_role("link", name=APPLY_WATER_HEATER).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Water Heater application")
    expect_step(page, 1, "Site address")
    expect(page.get_by_role("main")).to_contain_text("two seismic straps")
    assert_accessible(axe, page)
    form = page.locator("main form.account-form")
    labelled(form, "Street address").fill("28 Cinnamon Lane")
    labelled(form, "City").fill("Rancho Palos Verdes")
    labelled(form, "ZIP code").fill("90275")
    save_and_continue(page)

    expect_step(page, 2, "Description")
    labelled(form, "Description of the work").fill(
        "Replace a 40-gallon gas water heater with a 50-gallon one, same place."
    )
    labelled(form, "Valuation of the work, in dollars").fill("$2,400")
    save_and_continue(page)

    expect_step(page, 3, "Details")
    assert_accessible(axe, page)
    group(form, "Fuel").get_by_label("Natural gas", exact=True).check()
    labelled(form, "Capacity in gallons").fill("50")
    group(form, "Where it is installed").get_by_label("Garage", exact=True).check()
    save_and_continue(page)

    expect_step(page, 4, "Who does the work")
    group(form, "Who does the work?").get_by_label("The owner, as owner-builder").check()
    labelled(form, "I have read the owner-builder declaration and I sign it.").check()
    save_and_continue(page)

    expect_step(page, 5, "Documents")
    instructions = labelled(form, "Installation instructions")
    expect(page.locator(f"label[for='{instructions.get_attribute('id')}']")).not_to_contain_text(
        "*"
    )
    instructions.set_input_files(
        {"name": "heater-manual.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    save_and_continue(page)

    expect_step(page, 6, "Review and submit")
    assert_accessible(axe, page)
    main = page.get_by_role("main")
    expect(main).to_contain_text("28 Cinnamon Lane")
    expect(main).to_contain_text("Valuation: $2,400.00")
    expect(main).to_contain_text("The owner, as owner-builder")
    expect(main).to_contain_text("Installation instructions: heater-manual.pdf")
    details = main.locator("section[aria-labelledby='review-details'] dl")
    expect(details.locator("dt")).to_have_text(
        ["Fuel", "Capacity in gallons", "Where it is installed"]
    )
    expect(details.locator("dd")).to_have_text(["Natural gas", "50", "Garage"])
    fees = page.locator("section[aria-labelledby='review-fees'] table")
    expect(fees.locator("tbody tr")).to_have_text(
        [
            re.compile(rf"^\s*{re.escape(name)}\s*{re.escape(amount)}\s*$")
            for name, amount in FEE_LINES
        ]
    )
    expect(fees.locator("tfoot tr")).to_have_text(re.compile(r"^\s*Total\s*\$143\.00\s*$"))
    page.get_by_role("button", name="Submit application").click()

    number = f"WHTR{city_localdate().year}-0001"
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(live_server.url)}/permits/applications/\d+/$")
    )
    expect(page.locator("h1 .permit-number")).to_have_text(number)
    expect(page.locator(".permit-status")).to_have_text("Approved, fees due")
    expect(page.get_by_role("main")).to_contain_text(
        f"Application {number} is submitted and approved over the counter. Fees of $143.00 are due"
    )
    assert_accessible(axe, page)
    return number


def record_counter_payment(new_context, live_server, clerk, number: str) -> None:
    """The clerk, at the counter, takes cash for the fees in the admin."""
    context = new_context()
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/?next=/admin/permits/permit/")
    page.get_by_label("Username").fill(clerk.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/admin/permits/permit/")

    page.get_by_role("link", name=number, exact=True).click()
    expect(page.locator("#permit-fees tfoot")).to_contain_text("$143.00")
    page.get_by_role("link", name="Record counter payment").click()

    expect(page.locator(".permit-summary")).to_contain_text("$143.00")
    group(page.locator("#content-main form"), "Paid by:").get_by_label("Cash").check()
    labelled(page, "Receipt number:").fill(RECEIPT)
    page.get_by_role("button", name="Record payment").click()

    expect(page).to_have_url(re.compile(r"/admin/permits/permit/\d+/change/$"))
    expect(page.locator("ul.messagelist")).to_contain_text(
        f"Recorded cash payment of $143.00, receipt {RECEIPT}. The permit is issued."
    )
    expect(page.get_by_role("link", name="Record counter payment")).to_have_count(0)
    context.close()


def download_the_permit(page, axe, number: str) -> None:
    page.reload()
    expect(page.locator(".permit-status")).to_have_text("Issued")
    expect(page.locator(".invoice-status")).to_contain_text("Paid on")
    assert_accessible(axe, page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the permit (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(content)).pages)
    assert number in text


def find_the_permit(new_context, live_server, axe, number: str, homeowner) -> None:
    """A visitor without an account types the number as people do and opens the permit."""
    context = new_context()
    page = context.new_page()
    page.goto(live_server.url + "/permits/search/")
    search = page.get_by_role("search", name="Permits")
    typed = number.lower().replace("-", " ")
    search.get_by_label("Permit number, address or contractor").fill(typed)
    search.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", level=2, name="1 permit found")).to_be_visible()
    assert_accessible(axe, page)
    result = page.get_by_role("main").locator("li.card")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Water Heater")
    expect(result).to_contain_text("Issued")
    result.get_by_role("link", name=number).click()

    expect(page).to_have_url(f"{live_server.url}/permits/{number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Permit {number}")
    main = page.get_by_role("main")
    expect(main.locator("dd strong")).to_have_text("Issued")
    expect(main).to_contain_text("28 Cinnamon Lane")
    expect(main).to_contain_text("Owner-builder: the owner does the work")
    public_text = page.locator("body").inner_text()
    for personal in (
        homeowner.first_name,
        homeowner.last_name,
        homeowner.email,
        homeowner.username,
        homeowner.phone,
    ):
        assert personal not in public_text
    assert_accessible(axe, page)
    context.close()


def test_a_homeowner_applies_pays_at_the_counter_and_a_visitor_finds_the_permit(
    new_context, page, live_server, homeowner, clerk, axe
):
    log_in(page, live_server, homeowner)
    number = apply_for_a_water_heater(page, live_server, axe)
    permit = Permit.objects.select_related("invoice").get(number=number)
    assert permit.applicant == homeowner
    assert permit.invoice.status == Invoice.Status.DUE

    record_counter_payment(new_context, live_server, clerk, number)
    permit.refresh_from_db()
    permit.invoice.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    assert permit.invoice.status == Invoice.Status.PAID
    payment = Payment.objects.get(receipt_number=RECEIPT)
    assert (payment.method, payment.amount, payment.recorded_by) == (
        Payment.Method.CASH,
        permit.invoice.total,
        clerk,
    )

    download_the_permit(page, axe, number)
    find_the_permit(new_context, live_server, axe, number, homeowner)


def test_the_permit_catalogue_fits_a_375_pixel_phone(phone_page, live_server, homeowner, axe):
    log_in(phone_page, live_server, homeowner)
    phone_page.goto(live_server.url + "/permits/apply/")
    expect(phone_page.get_by_role("link", name=APPLY_WATER_HEATER)).to_be_visible()

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"
    assert_accessible(axe, phone_page)
