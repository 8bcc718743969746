import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import ContractorProfile, User
from tests.factories import ContractorFactory, LicenseClassificationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


def listed(response) -> set[str]:
    return {user.username for user in response.context["cl"].result_list}


def lock_out(client, username: str) -> None:
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": username, "password": "wrong"})


def test_the_staff_groups_exist_with_fitting_permissions():
    permit_center = Group.objects.get(name="Permit Center")
    inspector = Group.objects.get(name="Inspector")
    finance = Group.objects.get(name="Finance")

    def codenames(group):
        return set(group.permissions.values_list("codename", flat=True))

    assert {
        "change_user",
        "unlock_user",
        "issue_temporary_password",
        "import_users",
        "verify_contractorprofile",
        "change_permittype",
        "change_faqentry",
    } <= codenames(permit_center)
    assert "view_user" in codenames(inspector) and "change_user" not in codenames(inspector)
    assert "view_user" in codenames(finance) and "unlock_user" not in codenames(finance)


def test_staff_filter_users_by_type_verified_locked_and_active(permit_center, client):
    UserFactory(username="rosa")
    UserFactory(username="gone", is_active=False)
    verified = ContractorFactory(username="1111111")
    ContractorProfile.objects.filter(user=verified).update(verified_at=timezone.now())
    ContractorFactory(username="2222222")
    EmailAddress.objects.create(
        user=User.objects.get(username="rosa"),
        email="rosa@example.org",
        verified=True,
        primary=True,
    )
    other = client.__class__()
    lock_out(other, "2222222")

    contractors = permit_center.get(CHANGELIST, {"account_type": "contractor"})
    assert listed(contractors) == {"1111111", "2222222"}
    unverified = permit_center.get(CHANGELIST, {"contractor_verified": "no"})
    assert listed(unverified) == {"2222222"}
    assert listed(permit_center.get(CHANGELIST, {"contractor_verified": "yes"})) == {"1111111"}
    assert listed(permit_center.get(CHANGELIST, {"locked": "yes"})) == {"2222222"}
    assert listed(permit_center.get(CHANGELIST, {"email_verified": "yes"})) == {"rosa"}
    assert "gone" in listed(permit_center.get(CHANGELIST, {"is_active__exact": "0"}))


@pytest.mark.parametrize(
    ("query", "expected"),
    [("1029384", {"1029384"}), ("office@coastline", {"1029384"}), ("Delgado", {"rosa"})],
)
def test_staff_search_by_license_number_email_and_name(permit_center, query, expected):
    UserFactory(username="rosa", last_name="Delgado")
    ContractorFactory(username="1029384", email="office@coastline.example", last_name="Nguyen")

    assert listed(permit_center.get(CHANGELIST, {"q": query})) == expected


def test_staff_unlock_a_locked_account(permit_center, client):
    user = UserFactory(username="rosa")
    visitor = client.__class__()
    lock_out(visitor, "rosa")

    response = permit_center.post(
        CHANGELIST, {"action": "unlock_accounts", "_selected_action": [user.pk]}, follow=True
    )

    assert "can log in again" in response.content.decode()
    assert listed(permit_center.get(CHANGELIST, {"locked": "yes"})) == set()
    login = visitor.post("/accounts/login/", {"login": "rosa", "password": "correct-horse-battery"})
    assert login.status_code == 302


def test_staff_verify_a_contractor_who_is_emailed_and_may_then_apply(
    permit_center, client, django_capture_on_commit_callbacks
):
    contractor = ContractorFactory(username="1029384", email="office@coastline.example")
    EmailAddress.objects.create(
        user=contractor, email=contractor.email, verified=True, primary=True
    )
    contractor_client = client.__class__()
    contractor_client.force_login(contractor)
    assert "not yet verified" in contractor_client.get("/permits/apply/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        permit_center.post(
            "/admin/accounts/contractorprofile/",
            {
                "action": "verify_contractors",
                "_selected_action": [contractor.contractor_profile.pk],
            },
        )

    profile = ContractorProfile.objects.get(user=contractor)
    assert profile.is_verified and profile.verified_by.username == "clerk"
    assert [message.subject for message in mail.outbox] == ["Your contractor account is verified"]
    apply = contractor_client.get("/permits/apply/").content.decode()
    assert "Before you can apply" not in apply
    assert profile.history.first().verified_by_id == profile.verified_by_id


def test_a_contractor_with_an_expired_license_is_not_verified(permit_center):
    contractor = ContractorFactory(username="1029384")
    ContractorProfile.objects.filter(user=contractor).update(
        license_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    response = permit_center.post(
        CHANGELIST,
        {"action": "verify_contractors", "_selected_action": [contractor.pk]},
        follow=True,
    )

    assert "the state license has expired" in response.content.decode()
    assert not ContractorProfile.objects.get(user=contractor).is_verified


def test_the_import_upload_creates_accounts_and_reports_bad_lines(permit_center):
    LicenseClassificationFactory(code="B")
    good = (
        "account_type,username,email,business_name,classifications\n"
        "contractor,1029384,office@coastline.example,Coastline Builders,B\n"
        "public,rosa,rosa@example.org,,\n"
    )
    bad = good + "contractor,ABC,bad@example.org,X,B\n"

    rejected = permit_center.post(
        "/admin/accounts/user/import/",
        {"csv_file": SimpleUploadedFile("accounts.csv", bad.encode(), "text/csv")},
    )
    assert rejected.status_code == 200
    assert any(error.startswith("line 4:") for error in rejected.context["import_errors"])
    assert not User.objects.filter(username__in=["1029384", "rosa"]).exists()

    imported = permit_center.post(
        "/admin/accounts/user/import/",
        {"csv_file": SimpleUploadedFile("accounts.csv", good.encode(), "text/csv")},
        follow=True,
    )
    assert "2 created, 0 updated, 0 unchanged" in imported.content.decode()
    assert User.objects.get(username="1029384").must_change_password


def test_only_staff_with_the_permission_import(client):
    finance = UserFactory(username="cashier", is_staff=True, account_type="staff")
    finance.groups.add(Group.objects.get(name="Finance"))
    client.force_login(finance)

    assert client.get("/admin/accounts/user/import/").status_code == 403


def test_the_user_list_takes_a_fixed_number_of_queries(
    permit_center, django_assert_max_num_queries
):
    for number in range(30):
        ContractorFactory(username=f"{3000000 + number}")
        UserFactory(username=f"resident-{number}")

    with django_assert_max_num_queries(12):
        response = permit_center.get(CHANGELIST)

    assert response.status_code == 200 and len(response.context["cl"].result_list) == 61


def test_a_contractor_s_pages_open_in_the_admin_with_history(permit_center):
    contractor = ContractorFactory(username="1029384")
    profile = contractor.contractor_profile

    user_page = permit_center.get(f"/admin/accounts/user/{contractor.pk}/change/")
    profile_page = permit_center.get(f"/admin/accounts/contractorprofile/{profile.pk}/change/")
    history = permit_center.get(f"/admin/accounts/contractorprofile/{profile.pk}/history/")

    assert user_page.status_code == profile_page.status_code == history.status_code == 200
    assert "Coastline Builders" in user_page.content.decode()  # the profile inline
    assert "Issue temporary password" in user_page.content.decode()


def test_staff_who_may_only_view_a_contractor_profile_cannot_save_an_old_version(client):
    contractor = ContractorFactory()
    profile = contractor.contractor_profile
    version = profile.history.earliest()
    finance = UserFactory(username="fin", is_staff=True, account_type="staff")
    finance.groups.add(Group.objects.get(name="Finance"))
    client.force_login(finance)

    page = client.get(f"/admin/accounts/contractorprofile/{profile.pk}/history/")
    response = client.post(
        f"/admin/accounts/contractorprofile/{profile.pk}/history/{version.history_id}/",
        {"business_name": "Changed by Finance", "user": contractor.pk},
    )

    assert page.status_code == 200
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.business_name != "Changed by Finance"


@pytest.mark.parametrize("user", ["contractor", "9" * 5000, "99999999999999999999", "\x00"])
def test_a_contractor_profile_sent_for_no_user_is_refused_beside_the_field(client, user):
    """The user is an autocomplete field, which shows the choice it was sent again."""
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/accounts/contractorprofile/add/",
        {
            "user": user,
            "business_name": "Coastline Builders",
            "license_expires_on": "2030-01-01",
            "workers_comp_carrier": "State Fund",
            "workers_comp_policy_number": "WC-1",
            "workers_comp_expires_on": "2030-01-01",
        },
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ContractorProfile.objects.filter(business_name="Coastline Builders").exists()


@pytest.mark.parametrize("page", ["add/", "{pk}/change/"])
def test_the_required_account_autocomplete_starts_with_an_empty_labelled_choice(client, page):
    """HTML asks a required select for an empty first option, and an option for text."""
    profile = ContractorFactory(username="1029384").contractor_profile
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))

    html = client.get(f"/admin/accounts/contractorprofile/{page.format(pk=profile.pk)}")

    (select,) = re.findall(r'<select name="user"[^>]*>(.*?)</select>', html.content.decode(), re.S)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    chosen = [(str(profile.user_id), "1029384")] if "change" in page else []
    assert options == [("", "---------"), *chosen]
