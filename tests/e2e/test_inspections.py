"""An issued reroof in Chromium, from the first inspection request to the final: the
contractor books the sheathing inspection and cancels it, books it again, the inspector
records a pass from the daily list, and a visitor reads the result on the public page."""

import re
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inspections.models import Inspection
from tests.e2e.conftest import PHONE, assert_accessible, labelled
from tests.factories import ContractorFactory, UserFactory
from tests.permits.issuing import permit_issued

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SITE_CONTACT_PHONE = "(424) 555-0199"


@pytest.fixture
def contractor(demo_city):
    contractor = ContractorFactory(
        username="1029384", email="dispatch@coastline.example", email_verified=True
    )
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.business_name = "Coastline Roofing"
    contractor.contractor_profile.save()
    return contractor


@pytest.fixture
def inspector(demo_city):
    from django.contrib.auth.models import Group

    inspector = UserFactory(
        username="dreyes",
        first_name="Dana",
        last_name="Reyes",
        is_staff=True,
        account_type="staff",
        email="inspector@city.example",
    )
    inspector.groups.add(Group.objects.get(name="Inspector"))
    return inspector


@pytest.fixture
def reroof(homeowner, contractor, clerk):
    return permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)


def radio_group(scope, legend: str):
    name = re.compile(rf"^{re.escape(legend)}(\s*\*)?(\s*\(required\))?$")
    return scope.get_by_role("group", name=name)


def contractor_logs_in(page, live_server, contractor) -> None:
    page.goto(f"{live_server.url}/accounts/login/?as=contractor")
    labelled(page, "CSLB license number").fill(contractor.username)
    labelled(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")


def book_sheathing(page, axe) -> tuple[str, str]:
    """Request the sheathing inspection on the first open day; its confirmation number
    and the day as the form labels it."""
    page.get_by_role("link", name="Request an inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an inspection")
    form = page.locator("main form.booking-form")
    inspections = radio_group(form, "Inspection")
    expect(inspections.get_by_label("Final roof")).to_be_disabled()
    expect(form).to_contain_text("Waiting for Sheathing and nailing to pass.")
    assert_accessible(axe, page)

    bookings_before = Inspection.objects.count()
    inspections.get_by_label("Sheathing and nailing").check()
    first_day = radio_group(form, "Day").get_by_role("radio").first
    day_label = page.locator(f"label[for='{first_day.get_attribute('id')}']").inner_text()
    first_day.check()
    radio_group(form, "Time of day").get_by_role("radio").first.check()
    labelled(form, "On-site contact").fill("Marco Ruiz")
    labelled(form, "On-site contact's phone").fill("555-01")
    labelled(form, "Access notes").fill("Side gate code 4412; the dog is friendly.")
    form.get_by_role("button", name="Request the inspection").click()

    # A phone number too short to call: said beside the field, nothing booked.
    expect(page.locator("main")).to_contain_text("Enter a 10-digit phone number")
    assert_accessible(axe, page)
    assert Inspection.objects.count() == bookings_before
    labelled(form, "On-site contact's phone").fill(SITE_CONTACT_PHONE)
    form.get_by_role("button", name="Request the inspection").click()

    expect(page).to_have_url(re.compile(r"/inspections/\d+/$"))
    inspection = Inspection.objects.get(status=Inspection.Status.SCHEDULED)
    expect(page.locator("main")).to_contain_text(inspection.confirmation_number)
    assert inspection.contact_phone == "424-555-0199"
    assert_accessible(axe, page)
    return inspection.confirmation_number, day_label


def inspector_records_a_pass(new_context, live_server, axe, inspector, inspection) -> None:
    """The inspector opens the day's list in the admin, takes the inspection and records
    the pass with a comment."""
    context = new_context()
    page = context.new_page()
    daily = f"/admin/inspections/inspection/daily/?date={inspection.scheduled_for.isoformat()}"
    page.goto(f"{live_server.url}/admin/login/?next={quote(daily)}")
    page.get_by_label("Username").fill(inspector.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#content-main")).to_contain_text("Marco Ruiz")
    expect(page.get_by_role("link", name="424-555-0199")).to_have_attribute(
        "href", re.compile(r"^tel:")
    )
    assert_accessible(axe, page)

    number = inspection.confirmation_number
    page.get_by_role("button", name=f"Assign to me {number}").click()
    expect(page.locator("#content-main")).to_contain_text("Dana Reyes")
    page.get_by_role("link", name=f"Record result {number}").click()
    assert_accessible(axe, page)
    page.get_by_label("Passed").check()
    page.get_by_label("Comments").fill("Nailing pattern per plan; 8d ring shank at 6 in.")
    page.get_by_role("button", name="Record result").click()

    expect(page).to_have_url(re.compile(r"/admin/inspections/inspection/daily/"))
    inspection.refresh_from_db()
    assert inspection.result == Inspection.Result.PASSED
    assert inspection.inspector == inspector
    context.close()


def test_a_contractor_books_and_cancels_and_the_inspector_records_a_pass(
    new_context, page, live_server, axe, reroof, contractor, inspector
):
    contractor_logs_in(page, live_server, contractor)
    page.goto(f"{live_server.url}/permits/applications/{reroof.pk}/")
    confirmation, _day = book_sheathing(page, axe)

    page.get_by_role("link", name="Cancel the inspection").click()
    expect(page.locator("main")).to_contain_text(confirmation)
    assert_accessible(axe, page)
    page.get_by_role("main").get_by_role("button", name="Cancel the inspection").click()
    expect(page.locator("main")).to_contain_text("Cancelled")
    assert Inspection.objects.get(confirmation_number=confirmation).status == "cancelled"

    page.goto(f"{live_server.url}/permits/applications/{reroof.pk}/")
    confirmation, _day = book_sheathing(page, axe)
    inspection = Inspection.objects.get(confirmation_number=confirmation)

    inspector_records_a_pass(new_context, live_server, axe, inspector, inspection)

    page.goto(f"{live_server.url}/permits/{reroof.number}/")
    public = page.locator("main")
    expect(public).to_contain_text("Sheathing and nailing")
    expect(public).to_contain_text("Passed")
    expect(public).not_to_contain_text("Marco Ruiz")
    expect(public).not_to_contain_text("424-555-0199")
    assert_accessible(axe, page)


def test_the_booking_form_reads_well_on_a_phone(phone_page, live_server, axe, reroof, contractor):
    page = phone_page
    contractor_logs_in(page, live_server, contractor)
    page.goto(f"{live_server.url}/inspections/permits/{reroof.pk}/request/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an inspection")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(axe, page)
