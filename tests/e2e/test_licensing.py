"""Business licenses in Chromium: a business owner applies, the Finance clerk approves in
the admin, the owner pays by card and downloads the certificate; a contractor without a
license is told why they cannot apply for a permit, gets one, and then can. axe-core
checks each license page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from licensing.models import BusinessLicense
from tests.e2e.conftest import assert_accessible, labelled
from tests.e2e.test_payments import fill_card
from tests.e2e.test_permits import PASSWORD, log_in
from tests.factories import ContractorFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def cashier(demo_city):
    cashier = UserFactory(
        username="cashier",
        first_name="Lena",
        last_name="Park",
        is_staff=True,
        account_type="staff",
        email="cashier@city.example",
    )
    cashier.groups.add(Group.objects.get(name="Finance"))
    return cashier


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def fill_business_step(page, *, classification: str, name: str, owner: str, **numbers) -> None:
    main = page.get_by_role("main")
    main.get_by_label(classification, exact=True).check()
    labelled(main, "Legal business name").fill(name)
    labelled(main, "Ownership type").select_option(label="Limited liability company")
    main.locator("fieldset.owner-row").first.get_by_label("Full name").fill(owner)
    main.locator("fieldset.owner-row").first.get_by_label("Title").fill("Managing member")
    labelled(main, "Business start date").fill("2026-03-01")
    labelled(main, "Number of employees").fill(numbers.get("employees", "2"))
    labelled(main, "Estimated annual gross receipts, in dollars").fill(
        numbers.get("receipts", "180000")
    )


def fill_location_step(page) -> None:
    main = page.get_by_role("main")
    main.get_by_label(re.compile(r"^In ")).check()
    labelled(main, "Business street address").fill("28901 Western Ave")
    labelled(main, "City").fill("Rancho Palos Verdes")
    labelled(main, "State").fill("CA")
    labelled(main, "ZIP code").fill("90275")
    main.get_by_label("Mail goes to the business address").check()
    labelled(main, "Business phone").fill("(424) 555-0133")


def apply_and_submit(page, live_server, axe, *, classification: str, name: str) -> BusinessLicense:
    page.goto(f"{live_server.url}/licenses/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for New License")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Start an application").click()

    # Continuing with nothing filled in is refused beside the fields, and saves nothing.
    save_and_continue(page)
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(axe, page)

    fill_business_step(page, classification=classification, name=name, owner="Mina Sato")
    labelled(page.get_by_role("main"), "Number of employees").fill("-3")
    save_and_continue(page)
    expect(page.get_by_role("main")).to_contain_text("The number of employees cannot be negative.")
    labelled(page.get_by_role("main"), "Number of employees").fill("2")
    save_and_continue(page)

    fill_location_step(page)
    assert_accessible(axe, page)
    save_and_continue(page)

    main = page.get_by_role("main")
    expect(main.locator("table").first).to_contain_text("State disability access fee (SB 1186)")
    assert_accessible(axe, page)
    main.get_by_role("button", name="Submit application").click()

    license = BusinessLicense.objects.get(business_name=name)
    assert license.status == BusinessLicense.Status.SUBMITTED
    assert license.phone == "424-555-0133"
    assert [owner.name for owner in license.owners.all()] == ["Mina Sato"]
    return license


def finance_approves(new_context, live_server, axe, cashier, license: BusinessLicense) -> None:
    context = new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/licensing/businesslicense/")
    page.get_by_label("Username").fill(cashier.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list")).to_contain_text(license.business_name)
    assert_accessible(axe, page)

    page.goto(f"{live_server.url}/admin/licensing/businesslicense/{license.pk}/change/")
    expect(page.locator("#content-main")).to_contain_text("Mina Sato")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Start review").click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("link", name="Approve", exact=True).click()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_be_visible()
    license.refresh_from_db()
    assert license.status == BusinessLicense.Status.APPROVED
    context.close()


def pay_and_download(page, live_server, axe, license: BusinessLicense) -> None:
    page.goto(f"{live_server.url}/licenses/{license.pk}/")
    assert_accessible(axe, page)
    total = f"{license.invoice.total:,.2f}"
    page.get_by_role("button", name=f"Pay fees: ${total}").click()
    expect(page).to_have_url(re.compile(r"/payments/test-checkout/[\w-]+/$"))
    fill_card(page, "4242 4242 4242 4242", amount=total)
    expect(page).to_have_url(re.compile(r"/payments/\d+/receipt/$"))

    license.refresh_from_db()
    assert license.status == BusinessLicense.Status.ACTIVE
    assert re.fullmatch(r"BL\d{4}-\d{5}", license.number)
    page.goto(f"{live_server.url}/licenses/{license.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"License {license.number}")
    assert_accessible(axe, page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download the certificate")).click()
    download = download_info.value
    assert download.suggested_filename == f"{license.number}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert license.number in text
    assert license.business_name in text


def test_a_business_owner_applies_finance_approves_and_the_owner_pays_and_downloads(
    page, new_context, live_server, axe, cashier
):
    owner = UserFactory(username="msato", first_name="Mina", last_name="Sato", email_verified=True)
    log_in(page, live_server, owner)
    license = apply_and_submit(
        page, live_server, axe, classification="Retail sales", name="Sato Surf Supply LLC"
    )
    expect(page.get_by_role("main")).to_contain_text("Submitted")

    finance_approves(new_context, live_server, axe, cashier, license)
    pay_and_download(page, live_server, axe, license)

    # The public check shows the license and nothing personal.
    page.goto(f"{live_server.url}/licenses/verify/?number={license.number.lower()}")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Sato Surf Supply LLC")
    expect(main).to_contain_text("Active")
    for private in ("Mina Sato", "28901 Western Ave", "424-555-0133"):
        expect(main).not_to_contain_text(private)
    assert_accessible(axe, page)


def test_a_contractor_without_a_license_is_told_why_gets_one_and_then_can_apply(
    page, new_context, live_server, axe, cashier
):
    contractor = ContractorFactory(
        username="2233445",
        business_license=None,
        email_verified=True,
    )
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.save(update_fields=["verified_at"])
    log_in(page, live_server, contractor)
    page.goto(f"{live_server.url}/permits/apply/")
    blockers = page.locator("#blockers-heading").locator("..")
    expect(blockers).to_contain_text(
        "You need an active City business license to apply for permits."
    )
    assert_accessible(axe, page)
    blockers.get_by_role("link", name="Apply for New License").click()
    expect(page).to_have_url(f"{live_server.url}/licenses/apply/")

    license = apply_and_submit(
        page,
        live_server,
        axe,
        classification="Construction contractor",
        name=contractor.contractor_profile.business_name,
    )
    assert license.state_license_number == "2233445"
    finance_approves(new_context, live_server, axe, cashier, license)
    pay_and_download(page, live_server, axe, license)

    page.goto(f"{live_server.url}/permits/apply/")
    expect(page.locator("#blockers-heading")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Reroof")
