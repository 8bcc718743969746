import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ContractorProfile, User
from accounts.services import security_answer_matches
from licensing.models import BusinessLicense
from tests.accounts.support import STRONG_PASSWORD, field_errors
from tests.factories import (
    BusinessLicenseFactory,
    ContractorFactory,
    LicenseClassificationFactory,
    SecurityQuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def verified(user: User) -> User:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_the_dashboard_needs_a_login(client):
    assert client.get("/dashboard/")["Location"] == "/accounts/login/?next=/dashboard/"


def test_every_section_says_what_to_do_next_when_empty(client):
    client.force_login(verified(UserFactory(username="rosa")))

    page = client.get("/dashboard/").content.decode()

    for heading in ("My permits", "Inspections", "Business licenses", "Fees due"):
        assert f'-heading">{heading}</h2>' in page
    assert "You have no permit applications yet." in page and 'href="/permits/apply/"' in page
    assert "Nothing to pay." in page
    assert "Before you can" not in page


def test_an_unverified_email_is_named_with_a_way_to_resend(client):
    client.force_login(UserFactory(username="rosa", email="rosa@example.org"))

    page = client.get("/dashboard/").content.decode()

    assert "Confirm your email address rosa@example.org" in page
    assert 'href="/accounts/email/"' in page


def test_a_contractor_sees_license_and_insurance_with_expiry_warnings(client):
    contractor = verified(ContractorFactory(username="1029384"))
    ContractorProfile.objects.filter(user=contractor).update(
        license_expires_on=days_from_today(20),
        workers_comp_expires_on=days_from_today(-3),
        verified_at=timezone.now(),
    )
    client.force_login(contractor)

    page = client.get("/dashboard/").content.decode()

    assert "Expires soon" in page
    assert "Expired on" in page
    assert "Your workers&#x27; compensation policy has expired" in page
    assert "Verified by the Permit Center" in page


def test_a_verified_current_contractor_has_nothing_in_the_way(client):
    contractor = verified(ContractorFactory(username="1029384"))
    ContractorProfile.objects.filter(user=contractor).update(verified_at=timezone.now())
    client.force_login(contractor)

    page = client.get("/dashboard/").content.decode()

    assert "Before you can" not in page and "Valid until" in page


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return len(queries)


def test_the_dashboard_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    contractor = ContractorFactory(username="1029384", business_license=None)
    contractor.contractor_profile.classifications.set(
        [LicenseClassificationFactory(code=f"C-{n}", name=f"Trade {n}") for n in range(10)]
    )
    # The City business license, due for renewal: the section offers to renew it.
    BusinessLicenseFactory(holder=contractor, expires_on=days_from_today(30))
    client.force_login(contractor)

    # Two of them are the inspections section's upcoming inspections and recent results;
    # three are the City business license: the gate's current license, and the section's
    # licenses and the license rules.
    with django_assert_max_num_queries(15):
        assert client.get("/dashboard/").status_code == 200
    with_one_license = dashboard_queries(client)

    # Licenses in every state, some of them due for renewal, cost no more queries.
    applications = [
        status for status in BusinessLicense.Status if status not in ("active", "expired")
    ]
    for status in applications:
        BusinessLicenseFactory(
            holder=contractor, status=status, number="", starts_on=None, expires_on=None
        )
    for days_left in (-10, 5, 45, 59, 200):
        license = BusinessLicenseFactory(
            holder=contractor,
            status="expired" if days_left < 0 else "active",
            starts_on=days_from_today(-300),
            expires_on=days_from_today(days_left),
        )
    BusinessLicenseFactory(
        holder=contractor,
        renewal_of=license,
        status="draft",
        number="",
        starts_on=None,
        expires_on=None,
    )

    assert dashboard_queries(client) == with_one_license


def test_contact_details_are_edited_and_checked(client):
    user = UserFactory(username="rosa")
    client.force_login(user)
    data = {
        "first_name": "Rosa",
        "last_name": "Delgado-Park",
        "phone": "310-555-0199",
        "address_line1": "2 Ocean Terrace",
        "address_line2": "Unit 4",
        "address_city": "Rancho Palos Verdes",
        "address_state": "CA",
        "address_postal_code": "90275",
    }

    missing = client.post("/accounts/profile/", {**data, "phone": ""})
    assert field_errors(missing, "phone") == ["This field is required."]
    client.post("/accounts/profile/", data)

    user.refresh_from_db()
    assert (user.last_name, user.address_line2) == ("Delgado-Park", "Unit 4")


def test_the_password_is_changed_with_the_current_one(client):
    user = UserFactory(username="rosa")
    client.force_login(user)

    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "nope", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    assert field_errors(wrong, "oldpassword") == ["Please type your current password."]
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "correct-horse-battery",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )

    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)


def test_a_new_email_counts_only_once_confirmed(client, django_capture_on_commit_callbacks):
    user = verified(UserFactory(username="rosa", email="rosa@example.org"))
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "rosa@newmail.example"})
    user.refresh_from_db()
    assert user.email == "rosa@example.org"
    (message,) = mail.outbox
    assert message.to == ["rosa@newmail.example"]
    confirm_path = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body)[1]

    client.post(confirm_path)

    user.refresh_from_db()
    assert user.email == "rosa@newmail.example"
    assert EmailAddress.objects.get(user=user).email == "rosa@newmail.example"


def test_a_contractor_update_of_insurance_goes_back_to_staff(client):
    contractor = ContractorFactory(username="1029384")
    profile = contractor.contractor_profile
    profile.classifications.set([LicenseClassificationFactory(code="B")])
    ContractorProfile.objects.filter(pk=profile.pk).update(verified_at=timezone.now())
    client.force_login(contractor)
    form = client.get("/accounts/profile/contractor/").context["form"]
    data = {
        name: value
        for name, value in {
            "business_name": profile.business_name,
            "classifications": [c.pk for c in profile.classifications.all()],
            "license_expires_on": profile.license_expires_on.isoformat(),
            "workers_comp_carrier": profile.workers_comp_carrier,
            "workers_comp_policy_number": profile.workers_comp_policy_number,
            "workers_comp_expires_on": profile.workers_comp_expires_on.isoformat(),
        }.items()
        if name in form.fields
    }

    client.post("/accounts/profile/contractor/", data)
    assert ContractorProfile.objects.get(pk=profile.pk).is_verified  # nothing changed

    new_policy = {
        **data,
        "workers_comp_policy_number": "WC-2027",
        "workers_comp_expires_on": days_from_today(300).isoformat(),
    }
    response = client.post("/accounts/profile/contractor/", new_policy)

    assert response["Location"] == "/dashboard/"
    profile.refresh_from_db()
    assert profile.workers_comp_policy_number == "WC-2027" and not profile.is_verified
    assert "has not yet verified" in client.get("/dashboard/").content.decode()


def test_a_contractor_update_is_checked_and_saves_nothing_when_wrong(client):
    contractor = ContractorFactory(username="1029384")
    client.force_login(contractor)

    response = client.post(
        "/accounts/profile/contractor/",
        {"business_name": "", "license_expires_on": "2000-01-01"},
    )

    assert field_errors(response, "business_name") == ["This field is required."]
    assert "Renew the license" in field_errors(response, "license_expires_on")[0]
    assert ContractorProfile.objects.get(user=contractor).business_name != ""


def test_a_public_user_has_no_contractor_page(client):
    client.force_login(UserFactory(username="rosa"))
    assert client.get("/accounts/profile/contractor/").status_code == 404


def test_the_security_question_changes_with_the_current_password(client):
    user = UserFactory(username="rosa")
    question = SecurityQuestionFactory(text="In what city were you born?")
    client.force_login(user)

    wrong = client.post(
        "/accounts/profile/security-question/",
        {"current_password": "nope", "security_question": question.pk, "security_answer": "Lima"},
    )
    assert field_errors(wrong, "current_password") == ["That is not your current password."]
    client.post(
        "/accounts/profile/security-question/",
        {
            "current_password": "correct-horse-battery",
            "security_question": question.pk,
            "security_answer": "Lima",
        },
    )

    user.refresh_from_db()
    assert user.security_question == question and security_answer_matches(user=user, answer="LIMA")
