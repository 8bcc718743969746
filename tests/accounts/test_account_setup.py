"""First login of an imported account or with a temporary password: set a password and a
security question before any other page opens."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import User
from accounts.services import security_answer_matches, temporary_password_issue
from tests.accounts.support import STRONG_PASSWORD, field_errors
from tests.factories import ContractorFactory, SecurityQuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(username="clerk", is_staff=True, account_type="staff")
    staff.groups.add(Group.objects.get(name="Permit Center"))
    client.force_login(staff)
    return client


def test_staff_issue_a_temporary_password_shown_once_in_the_admin(
    staff_client, django_capture_on_commit_callbacks
):
    contractor = ContractorFactory(username="1029384", email="office@coastline.example")
    url = f"/admin/accounts/user/{contractor.pk}/temporary-password/"
    change_page = staff_client.get(f"/admin/accounts/user/{contractor.pk}/change/")
    assert url in change_page.content.decode()

    confirm = staff_client.get(url)
    assert "temporary-password" not in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        shown = staff_client.post(url)

    password = shown.context["password"]
    assert '<code class="temporary-password"' in shown.content.decode()
    assert password in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    contractor.refresh_from_db()
    assert contractor.check_password(password) and contractor.must_change_password
    (message,) = mail.outbox
    assert message.to == ["office@coastline.example"]
    assert password not in message.body and password not in message.alternatives[0][0]
    assert (
        password
        not in staff_client.get(f"/admin/accounts/user/{contractor.pk}/change/").content.decode()
    )


def test_only_staff_with_the_permission_issue_temporary_passwords(client):
    inspector = UserFactory(username="inspector", is_staff=True, account_type="staff")
    inspector.groups.add(Group.objects.get(name="Inspector"))
    target = UserFactory(username="rosa")
    client.force_login(inspector)

    response = client.post(f"/admin/accounts/user/{target.pk}/temporary-password/")

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.check_password("correct-horse-battery")


def test_the_first_login_with_a_temporary_password_forces_a_new_one(client):
    contractor = ContractorFactory(username="1029384")
    temporary = temporary_password_issue(user=contractor)
    question = SecurityQuestionFactory(text="What was the name of your first pet?")

    login = client.post(
        "/accounts/login/", {"as": "contractor", "login": "1029384", "password": temporary}
    )
    assert client.get(login["Location"])["Location"] == "/accounts/setup/"
    for path in ("/dashboard/", "/permits/apply/", "/accounts/profile/", "/help/"):
        assert client.get(path)["Location"] == "/accounts/setup/"

    mismatched = client.post(
        "/accounts/setup/",
        {
            "password1": STRONG_PASSWORD,
            "password2": "Different-Pass-77",
            "security_question": question.pk,
            "security_answer": "Biscuit",
        },
    )
    assert field_errors(mismatched, "password2") == ["You must type the same password each time."]
    reused = client.post(
        "/accounts/setup/",
        {"password1": "password", "password2": "password", "security_question": question.pk},
    )
    assert "This password is too common." in field_errors(reused, "password1")
    assert field_errors(reused, "security_answer") == ["This field is required."]

    done = client.post(
        "/accounts/setup/",
        {
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "security_question": question.pk,
            "security_answer": "Biscuit",
        },
    )

    assert done["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200  # still logged in
    contractor.refresh_from_db()
    assert contractor.check_password(STRONG_PASSWORD) and not contractor.must_change_password
    assert contractor.security_question == question
    assert security_answer_matches(user=contractor, answer="biscuit")


def test_an_imported_account_after_its_reset_link_only_owes_the_security_question(client):
    imported = User.objects.create(
        username="rosa", email="rosa@example.org", must_change_password=False
    )
    imported.set_password(STRONG_PASSWORD)
    imported.save()
    question = SecurityQuestionFactory()
    client.force_login(imported)

    page = client.get("/accounts/setup/")
    assert "password1" not in page.context["form"].fields

    response = client.post(
        "/accounts/setup/", {"security_question": question.pk, "security_answer": "Blue"}
    )

    assert response["Location"] == "/dashboard/"


def test_logging_out_stays_possible_during_setup(client):
    user = UserFactory(username="rosa", must_change_password=True)
    client.force_login(user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_staff_are_never_sent_to_the_setup_page(client):
    staff = User.objects.create_user("clerk", password=STRONG_PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 200


def test_a_temporary_password_lifts_a_lockout(client):
    user = UserFactory(username="rosa")
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "rosa", "password": "wrong"})

    temporary = temporary_password_issue(user=user)

    response = client.post("/accounts/login/", {"login": "rosa", "password": temporary})
    assert response.status_code == 302
