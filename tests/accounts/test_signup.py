import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import ContractorProfile, User
from accounts.services import security_answer_matches
from tests.accounts.support import field_errors
from tests.factories import ContractorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_starts_with_the_choice_of_public_or_contractor(client):
    page = client.get("/accounts/signup/").content.decode()
    assert 'href="/accounts/signup/public/"' in page
    assert 'href="/accounts/signup/contractor/"' in page


def test_required_fields_are_marked_with_an_asterisk(client, security_question):
    page = client.get("/accounts/signup/public/").content.decode()
    for label in ("Username", "Email", "First name", "Phone", "Security question", "Answer"):
        start = page.index(f">{label}")
        assert (
            '<span class="required-mark" aria-hidden="true"> *</span>' in page[start : start + 120]
        )
    line2 = page.index(">Address line 2")
    assert "required-mark" not in page[line2 : line2 + 60]


def test_public_signup_creates_the_account_then_confirms_then_dashboard(client, public_signup_data):
    response = client.post("/accounts/signup/public/", public_signup_data)

    assert response.status_code == 302 and response["Location"] == "/accounts/welcome/"
    user = User.objects.get(username="rosa.delgado")
    assert user.account_type == User.AccountType.PUBLIC
    assert (user.phone, user.address_city, user.address_postal_code) == (
        "310-555-0142",
        "Rancho Palos Verdes",
        "90275",
    )
    assert not hasattr(user, "contractor_profile")
    welcome = client.get("/accounts/welcome/").content.decode()
    assert "Your account has been created" in welcome
    assert 'href="/dashboard/"' in welcome and "Continue" in welcome
    dashboard = client.get("/dashboard/").content.decode()
    assert '<strong class="username">rosa.delgado</strong>' in dashboard


def test_the_security_answer_is_hashed_and_matches_ignoring_case_and_spaces(
    client, public_signup_data
):
    client.post("/accounts/signup/public/", public_signup_data)
    user = User.objects.get(username="rosa.delgado")

    assert "palos" not in user.security_answer_hash.lower()
    assert security_answer_matches(user=user, answer="palos verdes high")
    assert security_answer_matches(user=user, answer="PALOS VERDES   High  ")
    assert not security_answer_matches(user=user, answer="Peninsula High")


def test_signup_sends_a_welcome_and_a_verification_link_and_the_email_starts_unverified(
    client, public_signup_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/public/", public_signup_data)

    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects[0] == "Confirm your email address"
    assert subjects[1].startswith("Welcome to the")
    for message in mail.outbox:
        assert message.to == ["rosa@example.org"]
        assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert EmailAddress.objects.get(email="rosa@example.org").verified is False


def test_following_the_verification_link_verifies_the_email(
    client, public_signup_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/public/", public_signup_data)
    confirmation = next(m for m in mail.outbox if m.subject == "Confirm your email address")
    link = next(word for word in confirmation.body.split() if "/accounts/confirm-email/" in word)
    path = link.split("testserver", 1)[1]

    assert client.get(path).status_code == 200
    client.post(path)

    assert EmailAddress.objects.get(email="rosa@example.org").verified is True
    dashboard = client.get("/dashboard/").content.decode()
    assert "Confirm your email address" not in dashboard


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password1", "password123", "This password is too common."),
        ("password1", "rosadelgado1", "The password is too similar to the"),
        ("password1", "short", "This password is too short."),
        ("password2", "Something-Else-99", "You must type the same password each time."),
        ("email", "rosa@", "Enter a valid email address."),
        ("username", "1029384", "kept for contractors"),
        ("security_answer", "   ", "This field is required."),
        ("phone", "", "This field is required."),
    ],
)
def test_bad_public_signup_input_is_reported_beside_the_field_and_saves_nothing(
    client, public_signup_data, field, value, message
):
    response = client.post("/accounts/signup/public/", {**public_signup_data, field: value})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field))
    assert not User.objects.exists()
    assert not mail.outbox


def test_a_taken_username_or_email_is_refused_with_a_clear_message(client, public_signup_data):
    UserFactory(username="Rosa.Delgado", email="someone@example.org")
    UserFactory(username="other", email="ROSA@example.org")

    response = client.post("/accounts/signup/public/", public_signup_data)

    assert field_errors(response, "username") == ["A user with that username already exists."]
    assert field_errors(response, "email") == [
        "A user is already registered with this email address."
    ]
    assert User.objects.count() == 2


def test_contractor_signup_uses_the_license_number_as_username(client, contractor_signup_data):
    response = client.post("/accounts/signup/contractor/", contractor_signup_data)

    assert response.status_code == 302 and response["Location"] == "/accounts/welcome/"
    user = User.objects.get(username="1029384")
    assert user.account_type == User.AccountType.CONTRACTOR
    profile = user.contractor_profile
    assert profile.business_name == "Coastline Builders"
    assert sorted(profile.classifications.values_list("code", flat=True)) == ["B", "C-39"]
    assert profile.workers_comp_policy_number == "WC-9912"
    assert not profile.is_verified


def test_a_contractor_may_declare_the_workers_comp_exemption(client, contractor_signup_data):
    data = {
        **contractor_signup_data,
        "workers_comp_exempt": "on",
        "workers_comp_carrier": "",
        "workers_comp_policy_number": "",
        "workers_comp_expires_on": "",
    }
    client.post("/accounts/signup/contractor/", data)

    profile = ContractorProfile.objects.get()
    assert profile.workers_comp_exempt and profile.workers_comp_carrier == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "ABC-123"}, "username", "digits only"),
        ({"username": "1029 384"}, "username", "digits only"),
        ({"classifications": []}, "classifications", "This field is required."),
        ({"business_name": ""}, "business_name", "This field is required."),
        ({"workers_comp_carrier": ""}, "workers_comp_carrier", "unless you declare"),
        ({"workers_comp_expires_on": ""}, "workers_comp_expires_on", "unless you declare"),
        ({"workers_comp_expires_on": "2001-01-01"}, "workers_comp_expires_on", "expired"),
        ({"license_expires_on": "2001-01-01"}, "license_expires_on", "Renew the license"),
        ({"license_expires_on": "31/01/2030"}, "license_expires_on", "Enter a valid date."),
    ],
)
def test_bad_contractor_signup_input_is_reported_beside_the_field_and_saves_nothing(
    client, contractor_signup_data, changes, field, message
):
    response = client.post("/accounts/signup/contractor/", {**contractor_signup_data, **changes})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field))
    assert not User.objects.exists() and not ContractorProfile.objects.exists()


def test_one_account_per_license_number(client, contractor_signup_data):
    ContractorFactory(username="1029384")

    response = client.post("/accounts/signup/contractor/", contractor_signup_data)

    assert field_errors(response, "username") == ["A user with that username already exists."]
    assert User.objects.filter(username="1029384").count() == 1


def test_a_new_contractor_can_log_in_at_once_but_is_told_applying_waits_for_staff(
    client, contractor_signup_data
):
    client.post("/accounts/signup/contractor/", contractor_signup_data)

    dashboard = client.get("/dashboard/").content.decode()
    assert "has not yet verified your license and insurance" in dashboard
    apply = client.get("/permits/apply/").content.decode()
    assert "has not yet verified your license and insurance" in apply


def test_a_logged_in_person_is_sent_from_signup_to_the_dashboard(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/signup/")["Location"] == "/dashboard/"


def test_the_page_says_when_the_site_runs_without_captcha(client, settings, security_question):
    settings.RECAPTCHA_PUBLIC_KEY = settings.RECAPTCHA_PRIVATE_KEY = ""
    page = client.get("/accounts/signup/public/").content.decode()
    assert "running without a CAPTCHA check" in page
    assert "g-recaptcha" not in page


def test_expiration_dates_in_the_city_time_zone(client, contractor_signup_data):
    # Today in Rancho Palos Verdes is still a valid expiration date.
    today = timezone.localdate().isoformat()
    data = {**contractor_signup_data, "license_expires_on": today}
    response = client.post("/accounts/signup/contractor/", data)
    assert response.status_code == 302
    assert User.objects.get().contractor_profile.license_expires_on == datetime.date.fromisoformat(
        today
    )


def test_signing_up_works_with_the_cache_down(client, public_signup_data, cache_down):
    response = client.post("/accounts/signup/public/", public_signup_data)
    assert response.status_code == 302 and response["Location"] == "/accounts/welcome/"
    assert User.objects.filter(username="rosa.delgado").exists()
