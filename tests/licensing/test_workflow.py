"""The review workflow of a business license, service by service: each transition, each
guard that refuses one (wrong status, missing message, wrong user), and the history
that keeps who made each change."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from licensing import services
from licensing.models import BusinessClassification, BusinessLicense, LicensingSettings
from licensing.services import LicenseError
from payments.models import Invoice, Payment
from payments.services import payment_record_counter
from tests.factories import BusinessLicenseFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = BusinessLicense.Status
# A weekday morning in the city, well inside the calendar year.
MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles"))


@pytest.fixture(autouse=True)
def _morning(time_machine):
    time_machine.move_to(MORNING, tick=False)


def draft_of(holder, classification, **fields) -> BusinessLicense:
    """A complete application not yet submitted, or put straight into `status`."""
    fields = {"status": Status.DRAFT, "number": "", "starts_on": None, "expires_on": None, **fields}
    return BusinessLicenseFactory(holder=holder, classification=classification, **fields)


def submitted(holder, classification, **fields) -> BusinessLicense:
    return services.license_submit(license=draft_of(holder, classification, **fields), user=holder)


def paid(license: BusinessLicense, clerk) -> BusinessLicense:
    payment_record_counter(
        invoice=license.invoice,
        method=Payment.Method.CASH,
        receipt_number=f"R-{license.pk:05d}",
        recorded_by=clerk,
    )
    return reloaded(license)


def reloaded(license: BusinessLicense) -> BusinessLicense:
    return BusinessLicense.objects.get(pk=license.pk)


def who_did(license: BusinessLicense, status: str):
    """The user history records for the change into `status`."""
    return license.history.filter(status=status).earliest().history_user


# Submitting --------------------------------------------------------------------------


def test_submitting_a_complete_application_sends_it_to_the_city(owner, retail):
    draft = draft_of(owner, retail)

    services.license_submit(license=draft, user=owner)

    license = reloaded(draft)
    assert license.status == Status.SUBMITTED
    assert license.submitted_at == MORNING
    assert license.invoice is None
    assert who_did(license, Status.SUBMITTED) == owner


def test_an_incomplete_application_is_refused_with_what_is_missing(owner, retail):
    draft = draft_of(owner, retail, phone="", employees=None)
    draft.owners.all().delete()

    with pytest.raises(LicenseError) as refused:
        services.license_submit(license=draft, user=owner)

    assert str(refused.value) == (
        "The application is not complete: at least one owner or officer; the number of "
        "employees; the business phone."
    )
    assert reloaded(draft).status == Status.DRAFT
    assert reloaded(draft).submitted_at is None


def test_a_contractor_classification_needs_the_state_license_number(owner, contractor_class):
    draft = draft_of(owner, contractor_class, state_license_number="")

    with pytest.raises(LicenseError, match="the state contractor license number"):
        services.license_submit(license=draft, user=owner)

    assert reloaded(draft).status == Status.DRAFT


def test_someone_else_cannot_submit_the_application(owner, retail):
    draft = draft_of(owner, retail)

    with pytest.raises(LicenseError, match="Only the account holder"):
        services.license_submit(license=draft, user=UserFactory())

    assert reloaded(draft).status == Status.DRAFT


def test_an_application_already_with_the_city_is_not_submitted_again(owner, retail):
    license = submitted(owner, retail)

    with pytest.raises(LicenseError, match="can no longer be changed"):
        services.license_submit(license=license, user=owner)


def test_a_classification_the_city_stopped_offering_cannot_be_applied_for(owner, retail):
    draft = draft_of(owner, retail)
    BusinessClassification.objects.filter(pk=retail.pk).update(is_active=False)

    with pytest.raises(LicenseError, match="no longer offers that classification"):
        services.license_submit(license=draft, user=owner)

    assert reloaded(draft).status == Status.DRAFT


# The review --------------------------------------------------------------------------


def test_starting_the_review_makes_the_clerk_its_reviewer(owner, retail, licensing_clerk):
    license = submitted(owner, retail)

    services.license_review_start(license=license, reviewer=licensing_clerk)

    license = reloaded(license)
    assert license.status == Status.IN_REVIEW
    assert license.reviewer == licensing_clerk
    assert who_did(license, Status.IN_REVIEW) == licensing_clerk


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED])
def test_only_a_submitted_application_can_go_into_review(owner, retail, licensing_clerk, status):
    license = draft_of(owner, retail, status=status)

    with pytest.raises(LicenseError, match="so that can't be done now"):
        services.license_review_start(license=license, reviewer=licensing_clerk)

    assert reloaded(license).status == status
    assert reloaded(license).reviewer is None


@pytest.mark.parametrize("start_review", [False, True])
def test_the_city_asks_for_information_and_the_applicant_answers(
    owner, retail, licensing_clerk, start_review
):
    license = submitted(owner, retail)
    if start_review:
        services.license_review_start(license=license, reviewer=licensing_clerk)

    services.license_info_request(
        license=license, reviewer=licensing_clerk, message="  Send a copy of the lease.  "
    )

    license = reloaded(license)
    assert license.status == Status.INFO_REQUESTED
    assert license.staff_message == "Send a copy of the lease."
    assert license.reviewer == licensing_clerk
    assert license.is_editable
    assert who_did(license, Status.INFO_REQUESTED) == licensing_clerk

    services.license_submit(license=license, user=owner)

    license = reloaded(license)
    assert license.status == Status.SUBMITTED
    assert license.history.filter(status=Status.SUBMITTED).count() == 2
    assert license.history.latest().history_user == owner


@pytest.mark.parametrize("message", ["", "   \n  "])
def test_asking_for_information_needs_a_message(owner, retail, licensing_clerk, message):
    license = submitted(owner, retail)

    with pytest.raises(LicenseError, match="Say what information"):
        services.license_info_request(license=license, reviewer=licensing_clerk, message=message)

    assert reloaded(license).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.DRAFT, Status.INFO_REQUESTED, Status.APPROVED])
def test_information_is_asked_only_while_the_city_reviews(owner, retail, licensing_clerk, status):
    license = draft_of(owner, retail, status=status)

    with pytest.raises(LicenseError, match="so that can't be done now"):
        services.license_info_request(license=license, reviewer=licensing_clerk, message="More.")

    assert reloaded(license).staff_message == ""


@pytest.mark.parametrize("start_review", [False, True])
def test_approving_makes_the_fees_due(owner, retail, licensing_clerk, start_review):
    license = submitted(owner, retail, gross_receipts=Decimal("100000.00"))
    if start_review:
        services.license_review_start(license=license, reviewer=licensing_clerk)

    services.license_approve(license=license, reviewer=licensing_clerk)

    license = reloaded(license)
    assert license.status == Status.APPROVED
    assert license.decided_at == MORNING
    assert license.reviewer == licensing_clerk
    assert license.number == ""
    invoice = license.invoice
    assert invoice.status == Invoice.Status.DUE
    assert invoice.payer == owner
    assert invoice.kind == "business_license"
    assert [(line.description, line.amount) for line in invoice.lines.all()] == [
        ("Business license tax: Retail (gross receipts of $100,000.00)", Decimal("150.00")),
        ("State disability access fee (SB 1186)", Decimal("4.00")),
    ]
    assert who_did(license, Status.APPROVED) == licensing_clerk


def test_approving_clears_an_earlier_request_for_information(owner, retail, licensing_clerk):
    license = submitted(owner, retail)
    services.license_info_request(license=license, reviewer=licensing_clerk, message="The lease.")
    services.license_submit(license=license, user=owner)

    services.license_approve(license=license, reviewer=licensing_clerk)

    assert reloaded(license).staff_message == ""


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.INFO_REQUESTED, Status.APPROVED, Status.DENIED]
)
def test_only_an_application_under_review_can_be_approved(owner, retail, licensing_clerk, status):
    license = draft_of(owner, retail, status=status)

    with pytest.raises(LicenseError, match="so that can't be done now"):
        services.license_approve(license=license, reviewer=licensing_clerk)

    assert reloaded(license).status == status
    assert reloaded(license).invoice is None


def test_a_license_that_costs_nothing_is_active_as_soon_as_it_is_approved(owner, licensing_clerk):
    free = BusinessClassification.objects.create(name="Nonprofit event", base_fee=Decimal(0))
    rules = LicensingSettings.current()
    rules.state_fee = Decimal(0)
    rules.save()
    license = submitted(owner, free)

    services.license_approve(license=license, reviewer=licensing_clerk)

    license = reloaded(license)
    assert license.status == Status.ACTIVE
    assert license.invoice.status == Invoice.Status.PAID
    assert license.number == "BL2026-00001"


@pytest.mark.parametrize("stage", ["submitted", "in_review", "info_requested", "approved"])
def test_the_city_denies_with_a_reason_at_any_stage_before_payment(
    owner, retail, licensing_clerk, stage
):
    license = submitted(owner, retail)
    if stage == "in_review":
        services.license_review_start(license=license, reviewer=licensing_clerk)
    elif stage == "info_requested":
        services.license_info_request(license=license, reviewer=licensing_clerk, message="Lease?")
    elif stage == "approved":
        services.license_approve(license=license, reviewer=licensing_clerk)

    services.license_deny(
        license=license, reviewer=licensing_clerk, reason=" Not allowed in a residential zone. "
    )

    license = reloaded(license)
    assert license.status == Status.DENIED
    assert license.staff_message == "Not allowed in a residential zone."
    assert license.decided_at == MORNING
    if stage == "approved":
        assert license.invoice.status == Invoice.Status.VOID
    else:
        assert license.invoice is None
    assert who_did(license, Status.DENIED) == licensing_clerk


def test_a_denial_needs_its_reason(owner, retail, licensing_clerk):
    license = submitted(owner, retail)

    with pytest.raises(LicenseError, match="Give the reason"):
        services.license_deny(license=license, reviewer=licensing_clerk, reason="  ")

    assert reloaded(license).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACTIVE, Status.DENIED, Status.EXPIRED])
def test_a_draft_or_a_decided_license_cannot_be_denied(owner, retail, licensing_clerk, status):
    license = draft_of(owner, retail, status=status)

    with pytest.raises(LicenseError, match="so that can't be done now"):
        services.license_deny(license=license, reviewer=licensing_clerk, reason="No.")

    assert reloaded(license).status == status


# Activation --------------------------------------------------------------------------


def test_paying_the_fees_activates_the_license_with_a_number_and_its_term(
    owner, retail, professional, licensing_clerk
):
    shop = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)
    office = services.license_approve(
        license=submitted(owner, professional), reviewer=licensing_clerk
    )

    shop = paid(shop, licensing_clerk)
    office = paid(office, licensing_clerk)

    assert shop.status == office.status == Status.ACTIVE
    assert (shop.number, office.number) == ("BL2026-00001", "BL2026-00002")
    # A calendar-year license ends on December 31; a twelve-month one a year on.
    assert (shop.starts_on, shop.expires_on) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 12, 31),
    )
    assert (office.starts_on, office.expires_on) == (
        datetime.date(2026, 3, 2),
        datetime.date(2027, 3, 1),
    )
    assert shop.history.latest().status == Status.ACTIVE


def test_a_license_whose_fees_are_unpaid_is_not_activated(owner, retail, licensing_clerk):
    license = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)

    with pytest.raises(LicenseError, match="once its fees are paid"):
        services.license_activate(license=license)

    license = reloaded(license)
    assert (license.status, license.number) == (Status.APPROVED, "")


def test_an_application_not_approved_is_not_activated(owner, retail):
    license = submitted(owner, retail)

    with pytest.raises(LicenseError, match="so that can't be done now"):
        services.license_activate(license=license)

    assert reloaded(license).status == Status.SUBMITTED


def test_a_renewal_keeping_its_classification_is_approved_on_submission(
    owner, retail, licensing_clerk
):
    current = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00031",
        starts_on=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2026, 3, 31),
    )
    renewal = services.license_renewal_start(license=current, user=owner)

    services.license_submit(license=renewal, user=owner)

    renewal = reloaded(renewal)
    assert renewal.status == Status.APPROVED
    assert renewal.reviewer is None
    assert renewal.invoice.status == Invoice.Status.DUE
    renewal = paid(renewal, licensing_clerk)
    assert renewal.number == "BL2025-00031"
    assert renewal.starts_on == datetime.date(2026, 4, 1)


def test_a_renewal_under_another_classification_goes_to_review(owner, retail, home_occupation):
    current = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00032",
        starts_on=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2026, 3, 31),
    )
    renewal = services.license_renewal_start(license=current, user=owner)
    services.license_draft_update(
        license=renewal, user=owner, values={"classification": home_occupation}
    )

    services.license_submit(license=renewal, user=owner)

    renewal = reloaded(renewal)
    assert renewal.status == Status.SUBMITTED
    assert renewal.invoice is None
