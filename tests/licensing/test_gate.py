"""The gate to permits: a contractor needs a confirmed email, a current state license,
current workers' compensation (or an exemption), the Permit Center's verification and an
active City business license. Every combination gives exactly the blockers it should,
each with its fix, and every permit entry point asks the same gate."""

import datetime
import itertools
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.registry import Blocker
from accounts.selectors import account_blockers
from licensing import services as licensing_services
from licensing.models import BusinessLicense
from payments.models import Payment
from payments.services import payment_record_counter
from permits import services as permit_services
from permits.models import Permit
from permits.selectors import permit_missing_items
from permits.services import PermitError
from portal.models import City
from tests.factories import BusinessLicenseFactory, ContractorFactory, UserFactory
from tests.permits.support import permit_draft_complete

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)
Status = BusinessLicense.Status
NEED_LICENSE = "You need an active City business license to apply for permits."
APPLY_URL = "/licenses/apply/"


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


@pytest.fixture(autouse=True)
def _city_in_california(db):
    """The city keeps Pacific time whatever zone the server runs in."""
    City.objects.update_or_create(
        pk=City.SINGLETON_ID, defaults={"name": "Rancho Palos Verdes", "time_zone": LA.key}
    )


@pytest.fixture
def today(time_machine) -> datetime.date:
    time_machine.move_to(at(TODAY), tick=False)
    return TODAY


# The gate, combination by combination ---------------------------------------------------

STATE_LICENSE_EXPIRES = {"current": TODAY + 365 * DAY, "expired": TODAY - DAY, "missing": None}
# City business license states: (status, first day, last day).
CITY_LICENSES = {
    "none": None,
    "draft": (Status.DRAFT, None, None),
    "submitted": (Status.SUBMITTED, None, None),
    "in_review": (Status.IN_REVIEW, None, None),
    "info_requested": (Status.INFO_REQUESTED, None, None),
    "approved_fees_due": (Status.SUBMITTED, None, None),
    "active": (Status.ACTIVE, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    # Lapsed on December 31: June 15 is within the 180 days it can still be renewed.
    "expired": (Status.EXPIRED, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    "expired_past_late_window": (
        Status.EXPIRED,
        datetime.date(2024, 7, 1),
        datetime.date(2025, 6, 30),
    ),
    "denied": (Status.DENIED, None, None),
}


def city_license_make(holder, city_license: str, classification) -> BusinessLicense | None:
    if CITY_LICENSES[city_license] is None:
        return None
    status, starts_on, expires_on = CITY_LICENSES[city_license]
    license = BusinessLicenseFactory(
        holder=holder,
        classification=classification,
        status=status,
        number="BL2025-00042" if starts_on else "",
        starts_on=starts_on,
        expires_on=expires_on,
    )
    if city_license == "approved_fees_due":
        license = licensing_services.license_approve(
            license=license, reviewer=UserFactory(is_staff=True, account_type="staff")
        )
    return license


def city_blockers(city_license: str, license: BusinessLicense | None) -> list[Blocker]:
    """What the gate should say about the City business license, and where it sends them."""
    if city_license in ("none", "denied"):
        return [Blocker(NEED_LICENSE, APPLY_URL, "Apply for New License")]
    if city_license == "active":
        return []
    detail_url = f"/licenses/{license.pk}/"
    expired = "Your City business license BL2025-00042 expired on %s."
    return {
        "draft": [
            Blocker(
                "Finish and submit your business license application; you need an active "
                "City business license to apply for permits.",
                detail_url,
                "Continue the application",
            )
        ],
        "submitted": [
            Blocker(
                "Your business license application is with the city. You can apply for "
                "permits once it is approved and its fees are paid.",
                detail_url,
                "See the application",
            )
        ],
        "in_review": [
            Blocker(
                "Your business license application is with the city. You can apply for "
                "permits once it is approved and its fees are paid.",
                detail_url,
                "See the application",
            )
        ],
        "info_requested": [
            Blocker(
                "The city asked for more information on your business license application.",
                detail_url,
                "Answer the request",
            )
        ],
        "approved_fees_due": [
            Blocker(
                "Your business license is approved: pay its fees to activate it.",
                detail_url,
                "Pay license fees",
            )
        ],
        "expired": [Blocker(expired % "Dec. 31, 2025", detail_url, "Renew it")],
        "expired_past_late_window": [
            Blocker(expired % "June 30, 2025", APPLY_URL, "Apply for New License")
        ],
    }[city_license]


@pytest.mark.parametrize(
    ("email", "state_license", "workers_comp", "staff", "city_license"),
    list(
        itertools.product(
            ("verified", "unverified"),
            ("current", "expired", "missing"),
            ("current", "expired", "exempt"),
            ("verified", "unverified"),
            CITY_LICENSES,
        )
    ),
)
def test_the_gate_names_exactly_what_stops_a_contractor_and_where_to_fix_it(
    today, contractor_class, email, state_license, workers_comp, staff, city_license
):
    contractor = ContractorFactory(business_license=None, email_verified=email == "verified")
    profile = contractor.contractor_profile
    profile.license_expires_on = STATE_LICENSE_EXPIRES[state_license]
    profile.workers_comp_exempt = workers_comp == "exempt"
    profile.workers_comp_expires_on = {
        "current": TODAY + 200 * DAY,
        "expired": TODAY - DAY,
        "exempt": None,
    }[workers_comp]
    profile.verified_at = timezone.now() if staff == "verified" else None
    profile.save()
    license = city_license_make(contractor, city_license, contractor_class)

    expected = []
    if email == "unverified":
        expected.append(
            Blocker(
                f"Confirm your email address {contractor.email}: open the link we sent you.",
                reverse("account_email"),
                "Send the link again",
            )
        )
    profile_url = reverse("accounts:contractor-profile")
    if state_license != "current":
        expected.append(
            Blocker(
                "Your state contractor license has expired. Renew it with the CSLB, then "
                "enter the new expiration date.",
                profile_url,
                "Update license",
            )
        )
    if workers_comp == "expired":
        expected.append(
            Blocker(
                "Your workers' compensation policy has expired or is incomplete.",
                profile_url,
                "Update insurance",
            )
        )
    if staff == "unverified":
        expected.append(
            Blocker(
                "The Permit Center has not yet verified your license and insurance. Staff "
                "check new and changed details within two business days; you will get an "
                "email when it is done."
            )
        )
    expected += city_blockers(city_license, license)

    assert account_blockers(contractor) == expected


def test_a_contractor_without_license_details_is_asked_for_them_and_the_city_license(
    today,
):
    contractor = ContractorFactory(business_license=None, profile=None, email_verified=True)

    assert account_blockers(contractor) == [
        Blocker(
            "Add your state license and workers' compensation details.",
            reverse("accounts:contractor-profile"),
            "Add license details",
        ),
        Blocker(NEED_LICENSE, APPLY_URL, "Apply for New License"),
    ]


@pytest.mark.parametrize("city_license", CITY_LICENSES)
def test_a_public_user_is_never_asked_for_a_business_license(today, retail, city_license):
    public = UserFactory(email_verified=True)
    city_license_make(public, city_license, retail)

    assert account_blockers(public) == []


# The gate over time ---------------------------------------------------------------------


@pytest.fixture
def licensed(time_machine, contractor_class):
    """A verified contractor whose City business license runs through December 31."""
    time_machine.move_to(at(datetime.date(2026, 12, 1)), tick=False)
    contractor = ContractorFactory(business_license=None, email_verified=True)
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.save()
    BusinessLicenseFactory(
        holder=contractor,
        classification=contractor_class,
        number="BL2026-00007",
        starts_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2026, 12, 31),
    )
    return contractor


def test_the_license_covers_its_last_day_in_the_citys_time(licensed, time_machine, settings):
    settings.TIME_ZONE = "UTC"
    # 20:00 in the city on the last day is already the next day in UTC.
    time_machine.move_to(at(datetime.date(2026, 12, 31), 20), tick=False)
    assert account_blockers(licensed) == []

    # Past midnight in the city it no longer does, before the night's run expires it.
    time_machine.move_to(at(datetime.date(2027, 1, 1), 0, 30), tick=False)
    (blocker,) = account_blockers(licensed)
    assert blocker.message == "Your City business license BL2026-00007 expired on Dec. 31, 2026."
    assert blocker.action_label == "Renew it"


def test_a_renewal_paid_in_advance_keeps_the_contractor_through_new_year(
    licensed, licensing_clerk, time_machine
):
    license = licensed.business_licenses.get()
    renewal = licensing_services.license_renewal_start(license=license, user=licensed)
    renewal = licensing_services.license_submit(license=renewal, user=licensed)
    payment_record_counter(
        invoice=renewal.invoice,
        method=Payment.Method.CASH,
        receipt_number="R-1",
        recorded_by=licensing_clerk,
    )

    time_machine.move_to(at(datetime.date(2027, 1, 1), 0, 30), tick=False)
    assert account_blockers(licensed) == []
    licensing_services.licenses_expire(today=datetime.date(2027, 1, 1))
    assert account_blockers(licensed) == []


def test_a_lapsed_license_with_a_renewal_to_pay_sends_the_contractor_to_pay_it(
    licensed, time_machine
):
    time_machine.move_to(at(datetime.date(2027, 1, 10)), tick=False)
    license = licensed.business_licenses.get()
    licensing_services.licenses_expire(today=datetime.date(2027, 1, 10))
    renewal = licensing_services.license_renewal_start(license=license, user=licensed)

    (blocker,) = account_blockers(licensed)
    assert (blocker.action_url, blocker.action_label) == (
        f"/licenses/{renewal.pk}/",
        "Continue the application",
    )

    licensing_services.license_submit(license=renewal, user=licensed)
    (blocker,) = account_blockers(licensed)
    assert blocker == Blocker(
        "Your business license is approved: pay its fees to activate it.",
        f"/licenses/{renewal.pk}/",
        "Pay license fees",
    )


# Every entry point asks the gate --------------------------------------------------------


@pytest.fixture
def homeowner(demo_city):
    return UserFactory(username="rosa", email_verified=True)


@pytest.fixture
def unlicensed(demo_city):
    """A verified contractor, state license and insurance current, with no City license."""
    contractor = ContractorFactory(username="1029384", business_license=None, email_verified=True)
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.business_name = "Coastline Roofing"
    contractor.contractor_profile.save()
    return contractor


def test_the_apply_page_says_a_city_license_is_needed_and_links_to_it(client, unlicensed):
    client.force_login(unlicensed)

    page = client.get(reverse("permits:apply")).content.decode()

    assert "Before you can submit an application" in page
    assert NEED_LICENSE in page
    assert f'<a href="{APPLY_URL}">Apply for New License</a>' in page


def test_the_dashboard_says_it_too(client, unlicensed):
    client.force_login(unlicensed)

    page = client.get(reverse("accounts:dashboard")).content.decode()

    assert NEED_LICENSE in page
    assert f'<a href="{APPLY_URL}">Apply for New License</a>' in page


def test_the_contractors_own_application_cannot_be_submitted(client, unlicensed):
    draft = permit_draft_complete(unlicensed, "RERF")

    with pytest.raises(PermitError, match=NEED_LICENSE):
        permit_services.permit_submit(permit=draft, user=unlicensed)

    client.force_login(unlicensed)
    review = client.get(reverse("permits:draft-step", args=[draft.pk, "review"]))
    page = review.content.decode()
    assert NEED_LICENSE in page
    assert "Submit application" not in page
    assert "You can submit the application once everything listed above is done." in page

    response = client.post(reverse("permits:submit", args=[draft.pk]), follow=True)
    assert NEED_LICENSE in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Permit.Status.DRAFT, None)


def test_a_homeowner_cannot_name_a_contractor_without_a_city_license(homeowner, unlicensed):
    draft = permit_draft_complete(homeowner, "RERF")

    with pytest.raises(PermitError, match="their City business license"):
        permit_services.permit_work_update(
            permit=draft,
            user=homeowner,
            work_by=Permit.WorkBy.CONTRACTOR,
            contractor_license_number=unlicensed.username,
        )

    draft.refresh_from_db()
    assert draft.contractor is None


def test_a_draft_naming_a_contractor_whose_city_license_lapsed_since_cannot_be_submitted(
    homeowner, contractor_class, time_machine
):
    time_machine.move_to(at(datetime.date(2026, 12, 30)), tick=False)
    contractor = ContractorFactory(business_license=None, email_verified=True)
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.save()
    BusinessLicenseFactory(
        holder=contractor,
        classification=contractor_class,
        starts_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2026, 12, 31),
    )
    draft = permit_draft_complete(homeowner, "RERF", contractor=contractor)
    assert permit_missing_items(draft) == []

    time_machine.move_to(at(datetime.date(2027, 1, 1)), tick=False)
    missing = (
        "a contractor whose City business license, state license and insurance are current "
        "and verified"
    )
    assert permit_missing_items(draft) == [missing]
    with pytest.raises(PermitError, match=missing):
        permit_services.permit_submit(permit=draft, user=homeowner)


def test_paying_the_approved_license_lets_the_contractor_apply(
    client, unlicensed, contractor_class, licensing_clerk
):
    application = BusinessLicenseFactory(
        holder=unlicensed,
        classification=contractor_class,
        status=Status.SUBMITTED,
        number="",
        starts_on=None,
        expires_on=None,
    )
    approved = licensing_services.license_approve(license=application, reviewer=licensing_clerk)
    assert [blocker.action_label for blocker in account_blockers(unlicensed)] == [
        "Pay license fees"
    ]

    payment_record_counter(
        invoice=approved.invoice,
        method=Payment.Method.CASH,
        receipt_number="R-1",
        recorded_by=licensing_clerk,
    )

    assert account_blockers(unlicensed) == []
    client.force_login(unlicensed)
    assert "Before you can submit" not in client.get(reverse("permits:apply")).content.decode()
    permit = permit_services.permit_submit(
        permit=permit_draft_complete(unlicensed, "RERF"), user=unlicensed
    )
    assert permit.status != Permit.Status.DRAFT and permit.number


def test_a_contractor_with_only_another_kind_of_license_is_asked_for_a_contractor_one(
    unlicensed, home_occupation
):
    BusinessLicenseFactory(holder=unlicensed, classification=home_occupation)

    assert account_blockers(unlicensed) == [
        Blocker(
            "You need an active City business license in a contractor classification, for "
            "state license 1029384, to apply for permits.",
            "/licenses/apply/",
            "Apply for New License",
        )
    ]


def test_a_contractor_license_for_another_state_number_does_not_open_the_gate(
    unlicensed, contractor_class
):
    BusinessLicenseFactory(
        holder=unlicensed, classification=contractor_class, state_license_number="7654321"
    )

    assert [blocker.action_url for blocker in account_blockers(unlicensed)] == ["/licenses/apply/"]
