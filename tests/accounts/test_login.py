import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.services import lockouts_purge_expired
from accounts.tasks import lockouts_purge_expired_scheduled
from tests.factories import ContractorFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
GENERIC_FAILURE = "The username and/or password you specified are not correct."


def log_in(client, login: str, password: str, account_type: str = "public", **extra):
    return client.post(
        "/accounts/login/", {"as": account_type, "login": login, "password": password, **extra}
    )


def login_errors(response) -> list[str]:
    return [str(error) for errors in response.context["form"].errors.values() for error in errors]


def test_the_login_page_offers_public_and_contractor(client):
    public = client.get("/accounts/login/?as=public").content.decode()
    contractor = client.get("/accounts/login/?as=contractor").content.decode()
    assert "Username or email address" in public
    assert "CSLB license number" in contractor and 'inputmode="numeric"' in contractor
    assert 'name="as" value="contractor"' in contractor


def test_a_public_user_logs_in_with_username_or_email(client):
    UserFactory(username="rosa", email="rosa@example.org")

    response = log_in(client, "rosa", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    client.post("/accounts/logout/")
    assert log_in(client, "ROSA@example.org", PASSWORD)["Location"] == "/dashboard/"


def test_a_contractor_logs_in_with_the_license_number(client):
    ContractorFactory(username="1029384")

    response = log_in(client, "1029384", PASSWORD, "contractor")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_the_contractor_login_explains_a_license_number_is_digits(client):
    response = log_in(client, "C-1029384", PASSWORD, "contractor")
    assert any("digits only" in error for error in login_errors(response))


def test_failures_never_reveal_whether_an_account_exists(client):
    UserFactory(username="rosa")
    ContractorFactory(username="1029384")
    UserFactory(username="12345", account_type="public")

    wrong_password = login_errors(log_in(client, "rosa", "not-it"))
    unknown_user = login_errors(log_in(client, "nobody", "not-it"))
    wrong_contractor_password = login_errors(log_in(client, "1029384", "not-it", "contractor"))
    unknown_license = login_errors(log_in(client, "7654321", "not-it", "contractor"))
    public_account_on_contractor_tab = login_errors(log_in(client, "12345", PASSWORD, "contractor"))

    assert wrong_password == unknown_user == [GENERIC_FAILURE]
    assert wrong_contractor_password == unknown_license == [GENERIC_FAILURE]
    assert public_account_on_contractor_tab == [GENERIC_FAILURE]


class TestLockout:
    def test_the_fifth_failure_locks_the_account_and_says_it_unlocks_in_five_minutes(self, client):
        UserFactory(username="rosa")
        for _attempt in range(4):
            assert log_in(client, "rosa", "wrong").status_code == 200

        locked = log_in(client, "rosa", "wrong")

        assert locked.status_code == 429
        assert "It unlocks automatically in 5 minutes." in locked.content.decode()
        assert log_in(client, "rosa", PASSWORD).status_code == 429

    def test_the_lock_lifts_after_five_minutes_with_no_worker_and_no_staff(self, client):
        UserFactory(username="rosa")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _attempt in range(5):
                log_in(client, "rosa", "wrong")
            traveller.shift(datetime.timedelta(minutes=4, seconds=59))
            assert log_in(client, "rosa", PASSWORD).status_code == 429
            traveller.shift(datetime.timedelta(seconds=2))

            response = log_in(client, "rosa", PASSWORD)

        assert response.status_code == 302 and response["Location"] == "/dashboard/"

    def test_attempts_while_locked_do_not_restart_the_five_minutes(self, client):
        UserFactory(username="rosa")
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _attempt in range(5):
                log_in(client, "rosa", "wrong")
            traveller.shift(datetime.timedelta(minutes=3))
            assert log_in(client, "rosa", "wrong").status_code == 429
            traveller.shift(datetime.timedelta(minutes=2, seconds=1))

            assert log_in(client, "rosa", PASSWORD).status_code == 302

    def test_username_and_email_count_against_the_same_account(self, client):
        UserFactory(username="rosa", email="rosa@example.org")
        for login in ("rosa", "rosa@example.org", "ROSA", "Rosa@Example.org"):
            log_in(client, login, "wrong")

        assert log_in(client, "rosa@example.org", "wrong").status_code == 429

    def test_a_locked_account_does_not_lock_others_behind_the_same_address(self, client):
        UserFactory(username="rosa")
        UserFactory(username="miguel")
        for _attempt in range(5):
            log_in(client, "rosa", "wrong", REMOTE_ADDR="10.0.0.7")

        response = client.post(
            "/accounts/login/",
            {"as": "public", "login": "miguel", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.7",
        )

        assert response.status_code == 302

    def test_an_unknown_login_locks_the_same_way_so_locking_reveals_nothing(self, client):
        for _attempt in range(4):
            log_in(client, "nobody", "wrong")
        assert log_in(client, "nobody", "wrong").status_code == 429

    def test_the_limit_and_cool_off_are_settings(self, client, settings):
        settings.AXES_FAILURE_LIMIT = 3
        settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=10)
        UserFactory(username="rosa")
        log_in(client, "rosa", "wrong")
        log_in(client, "rosa", "wrong")

        locked = log_in(client, "rosa", "wrong")

        assert locked.status_code == 429
        assert "unlocks automatically in 10 minutes" in locked.content.decode()

    def test_a_successful_login_clears_earlier_failures(self, client):
        UserFactory(username="rosa")
        for _attempt in range(4):
            log_in(client, "rosa", "wrong")
        log_in(client, "rosa", PASSWORD)
        client.post("/accounts/logout/")

        assert log_in(client, "rosa", "wrong").status_code == 200


def test_the_purge_task_deletes_only_lockouts_whose_cool_off_has_passed(client):
    UserFactory(username="rosa")
    UserFactory(username="miguel")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in(client, "rosa", "wrong")
        traveller.shift(datetime.timedelta(minutes=4))
        log_in(client, "miguel", "wrong")
        traveller.shift(datetime.timedelta(minutes=2))

        assert lockouts_purge_expired_scheduled.delay().get() == 1
        assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["miguel"]
        assert lockouts_purge_expired() == 0
