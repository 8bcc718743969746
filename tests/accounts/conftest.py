import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.accounts.support import STRONG_PASSWORD
from tests.factories import LicenseClassificationFactory, SecurityQuestionFactory, UserFactory


@pytest.fixture
def permit_center(client):
    """The test client, logged in as a clerk of the Permit Center group."""
    clerk = UserFactory(username="clerk", last_name="Okafor", is_staff=True, account_type="staff")
    clerk.groups.add(Group.objects.get(name="Permit Center"))
    client.force_login(clerk)
    return client


@pytest.fixture
def security_question(db):
    return SecurityQuestionFactory()


@pytest.fixture
def public_signup_data(security_question):
    return {
        "username": "rosa.delgado",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "email": "rosa@example.org",
        "first_name": "Rosa",
        "last_name": "Delgado",
        "phone": "310-555-0142",
        "address_line1": "30940 Hawthorne Blvd",
        "address_line2": "",
        "address_city": "Rancho Palos Verdes",
        "address_state": "CA",
        "address_postal_code": "90275",
        "security_question": security_question.pk,
        "security_answer": "  Palos  Verdes HIGH ",
    }


@pytest.fixture
def contractor_signup_data(public_signup_data):
    today = timezone.localdate()
    general = LicenseClassificationFactory(code="B", name="General Building Contractor")
    roofing = LicenseClassificationFactory(code="C-39", name="Roofing Contractor")
    return {
        **public_signup_data,
        "username": "1029384",
        "email": "office@coastline.example",
        "business_name": "Coastline Builders",
        "classifications": [general.pk, roofing.pk],
        "license_expires_on": (today + datetime.timedelta(days=400)).isoformat(),
        "workers_comp_carrier": "State Compensation Insurance Fund",
        "workers_comp_policy_number": "WC-9912",
        "workers_comp_expires_on": (today + datetime.timedelta(days=200)).isoformat(),
    }
