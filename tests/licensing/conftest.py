"""Fixtures every licensing test shares: the classifications of each fee rule, the
license office, an applicant and a Finance clerk."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from licensing import services
from licensing.models import (
    BusinessClassification,
    BusinessLicense,
    LicenseOwner,
    LicensingSettings,
    ReceiptsTier,
)
from portal.models import Department
from tests.factories import BusinessClassificationFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Certificates go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def retail(db) -> BusinessClassification:
    """Gross receipts: $50 base plus $100 up to $100,000, $250 up to $500,000, $500 above."""
    classification = BusinessClassificationFactory(
        name="Retail",
        description="Shops and stores selling goods to the public.",
        is_contractor=False,
        fee_kind=BusinessClassification.FeeKind.GROSS_RECEIPTS,
        base_fee=Decimal("50.00"),
        order=2,
    )
    for bound, fee in (
        (Decimal(100_000), "100.00"),
        (Decimal(500_000), "250.00"),
        (None, "500.00"),
    ):
        ReceiptsTier.objects.update_or_create(
            classification=classification, receipts_up_to=bound, defaults={"fee": Decimal(fee)}
        )
    return classification


@pytest.fixture
def contractor_class(db) -> BusinessClassification:
    """Contractors: a flat $150, and a state license number required."""
    return BusinessClassificationFactory(
        name="Contractor",
        description="Licensed contractors working in the city.",
        is_contractor=True,
        fee_kind=BusinessClassification.FeeKind.FLAT,
        base_fee=Decimal("150.00"),
        order=1,
    )


@pytest.fixture
def home_occupation(db) -> BusinessClassification:
    """A business run from home: a flat $75."""
    return BusinessClassificationFactory(
        name="Home occupation",
        description="A business run from a residence.",
        is_contractor=False,
        fee_kind=BusinessClassification.FeeKind.FLAT,
        base_fee=Decimal("75.00"),
        order=3,
    )


@pytest.fixture
def professional(db) -> BusinessClassification:
    """Professional services: $50 plus $10 per employee, for twelve months from approval."""
    return BusinessClassificationFactory(
        name="Professional services",
        description="Offices of accountants, architects, consultants and the like.",
        is_contractor=False,
        fee_kind=BusinessClassification.FeeKind.PER_EMPLOYEE,
        base_fee=Decimal("50.00"),
        per_employee_fee=Decimal("10.00"),
        period=BusinessClassification.Period.TWELVE_MONTHS,
        order=4,
    )


@pytest.fixture
def finance(db) -> Department:
    """The business license office, whose phone and email the license pages give."""
    department, _created = Department.objects.update_or_create(
        name="Finance: Business Licenses and Cashier",
        defaults={
            "handles": "Business license applications, renewals and payments.",
            "phone": "310-544-5301",
            "email": "finance@example.org",
        },
    )
    licensing_settings = LicensingSettings.current()
    licensing_settings.department = department
    licensing_settings.save()
    return department


@pytest.fixture
def owner(db):
    """A public user with a confirmed email, who applies for business licenses."""
    return UserFactory(email_verified=True)


@pytest.fixture
def licensing_clerk(db):
    """A Finance clerk (staff) who may do everything with business licenses."""
    clerk = UserFactory(
        username="licensing-clerk",
        first_name="Ana",
        last_name="Reyes",
        is_staff=True,
        account_type="staff",
        email="licensing-clerk@city.example",
    )
    clerk.groups.add(Group.objects.get(name="Finance"))
    clerk.user_permissions.add(*Permission.objects.filter(content_type__app_label="licensing"))
    return clerk


# Every answer an application needs, as `license_draft_update` takes them.
COMPLETE_ANSWERS = {
    "business_name": "Harbor Light Books LLC",
    "dba": "Harbor Light Books",
    "ownership": BusinessLicense.Ownership.LLC,
    "business_in_city": True,
    "business_address_line1": "28901 Western Ave",
    "business_city": "Rancho Palos Verdes",
    "business_state": "CA",
    "business_postal_code": "90275",
    "mailing_same": True,
    "phone": "310-555-0177",
    "email": "books@example.org",
    "starts_business_on": datetime.date(2026, 3, 1),
    "employees": 4,
    "gross_receipts": Decimal("250000.00"),
    "federal_ein": "12-3456789",
}


@pytest.fixture
def license_draft_complete(db) -> Callable[..., BusinessLicense]:
    """Builds a draft with every answer given, through the services as the pages do:
    `license_draft_complete(holder, classification, employees=9, ...)`."""

    def build(holder, classification: BusinessClassification, **answers) -> BusinessLicense:
        license = services.license_draft_start(holder=holder)
        values = {**COMPLETE_ANSWERS, "classification": classification, **answers}
        if classification.is_contractor:
            values.setdefault("state_license_number", "1029384")
        return services.license_draft_update(
            license=license,
            user=holder,
            values=values,
            owners=[LicenseOwner(name="Mei Tanaka", title="Managing member")],
            step="location",
        )

    return build
