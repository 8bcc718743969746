"""Holes a review found: each stays closed."""

import io
import json

import pytest
from django.core import mail

from accounts.models import ContractorProfile, User
from accounts.services import temporary_password_issue
from tests.accounts.support import STRONG_PASSWORD, field_errors
from tests.accounts.test_captcha import FakeGoogle
from tests.factories import ContractorFactory, LicenseClassificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_permit_center_staff_cannot_make_anyone_a_superuser(permit_center):
    clerk = User.objects.get(username="clerk")
    page = permit_center.get(f"/admin/accounts/user/{clerk.pk}/change/")
    assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()

    resident = UserFactory(username="rosa")
    form = permit_center.get(f"/admin/accounts/user/{resident.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in form and 'name="groups"' not in form


def test_permit_center_staff_cannot_take_over_a_staff_account(permit_center, client):
    admin = User.objects.create_superuser("root", "root@example.org", STRONG_PASSWORD)

    assert (
        permit_center.post(f"/admin/accounts/user/{admin.pk}/temporary-password/").status_code
        == 403
    )
    assert (
        permit_center.post(
            f"/admin/accounts/user/{admin.pk}/password/",
            {"password1": "Taken-Over-123", "password2": "Taken-Over-123"},
        ).status_code
        == 403
    )
    admin.refresh_from_db()
    assert admin.check_password(STRONG_PASSWORD)


def test_a_password_staff_set_when_adding_an_account_is_temporary(permit_center):
    permit_center.post(
        "/admin/accounts/user/add/",
        {
            "username": "walkin",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "usable_password": "true",
            "account_type": "public",
            "email": "walkin@example.org",
        },
    )
    assert User.objects.get(username="walkin").must_change_password


@pytest.mark.parametrize("problem", [TimeoutError("read timed out"), "not json", {"no": "success"}])
def test_any_trouble_reaching_google_is_a_message_not_an_error_page(
    client, settings, monkeypatch, problem
):
    settings.RECAPTCHA_PUBLIC_KEY, settings.RECAPTCHA_PRIVATE_KEY = "site", "secret"

    class Troubled(FakeGoogle):
        def open(self, request, timeout=None):
            if isinstance(problem, Exception):
                raise problem
            body = problem if isinstance(problem, str) else json.dumps(problem)
            return io.BytesIO(body.encode())

    monkeypatch.setattr("django_recaptcha.client.build_opener", Troubled().build_opener)

    response = client.post(
        "/accounts/password/reset/", {"email": "a@example.org", "g-recaptcha-response": "t"}
    )

    assert response.status_code == 200
    assert "could not check" in field_errors(response, "captcha")[0]


@pytest.mark.parametrize("login", ["x" * 400, "a\x00b", "a" * 300 + "@example.org"])
def test_odd_logins_get_a_message(client, login):
    response = client.post("/accounts/login/", {"login": login, "password": "whatever"})
    assert response.status_code == 200 and response.context["form"].errors


def test_an_address_another_account_uses_cannot_be_added(client):
    UserFactory(username="carl", email="carl@example.org")
    client.force_login(UserFactory(username="alice"))

    response = client.post("/accounts/email/", {"action_add": "", "email": "Carl@Example.org"})

    assert field_errors(response, "email") == [
        "A user is already registered with this email address."
    ]
    assert not mail.outbox


def test_failures_by_a_pending_email_count_against_the_same_account(client):
    user = UserFactory(username="rosa")
    user.emailaddress_set.create(email="rosa.new@example.org", verified=False, primary=False)
    for login in ("rosa", "rosa.new@example.org", "rosa", "rosa.new@example.org"):
        client.post("/accounts/login/", {"login": login, "password": "wrong"})

    assert (
        client.post("/accounts/login/", {"login": "rosa", "password": "wrong"}).status_code == 429
    )


def test_a_username_may_not_look_like_an_email(client, public_signup_data):
    response = client.post(
        "/accounts/signup/public/", {**public_signup_data, "username": "victim@example.org"}
    )
    assert "cannot contain “@”" in field_errors(response, "username")[0]


def test_a_license_number_may_not_hide_behind_leading_zeros(client, contractor_signup_data):
    ContractorFactory(username="1029384")
    response = client.post(
        "/accounts/signup/contractor/", {**contractor_signup_data, "username": "01029384"}
    )
    assert "leading zeros" in field_errors(response, "username")[0]


def test_a_right_password_on_the_wrong_tab_counts_as_a_failure(client):
    UserFactory(username="12345", account_type="public")
    for _attempt in range(4):
        client.post("/accounts/login/", {"as": "contractor", "login": "12345", "password": "x"})

    response = client.post(
        "/accounts/login/",
        {"as": "contractor", "login": "12345", "password": "correct-horse-battery"},
    )

    assert response.status_code == 429


def test_the_setup_refuses_the_temporary_password_as_the_new_one(client, security_question):
    user = UserFactory(username="rosa")
    temporary = temporary_password_issue(user=user)
    client.post("/accounts/login/", {"login": "rosa", "password": temporary})

    response = client.post(
        "/accounts/setup/",
        {
            "password1": temporary,
            "password2": temporary,
            "security_question": security_question.pk,
            "security_answer": "Blue",
        },
    )

    assert "not the temporary one" in field_errors(response, "password1")[0]


def test_a_contractor_staff_added_without_details_enters_them(client):
    contractor = ContractorFactory(username="7777777")
    ContractorProfile.objects.filter(user=contractor).delete()
    classification = LicenseClassificationFactory(code="C-10")
    client.force_login(contractor)
    assert 'href="/accounts/profile/contractor/"' in client.get("/dashboard/").content.decode()
    assert client.get("/accounts/profile/contractor/").status_code == 200

    response = client.post(
        "/accounts/profile/contractor/",
        {
            "business_name": "Bright Electric",
            "classifications": [classification.pk],
            "license_expires_on": "2031-01-31",
            "workers_comp_exempt": "on",
        },
    )

    assert response["Location"] == "/dashboard/"
    profile = ContractorProfile.objects.get(user=contractor)
    assert profile.business_name == "Bright Electric" and not profile.is_verified
    assert list(profile.classifications.all()) == [classification]
