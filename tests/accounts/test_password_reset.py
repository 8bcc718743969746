import datetime
import re
import time

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.accounts.support import STRONG_PASSWORD, field_errors
from tests.factories import ContractorFactory, UserFactory

pytestmark = pytest.mark.django_db

DONE = "/accounts/password/reset/done/"


def reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)[1]


def request_reset(client, captured, **data):
    with captured(execute=True):
        return client.post("/accounts/password/reset/", data)


def test_a_public_user_gets_the_link_by_email(client, django_capture_on_commit_callbacks):
    UserFactory(username="rosa", email="rosa@example.org")

    response = request_reset(client, django_capture_on_commit_callbacks, email="ROSA@example.org")

    assert response["Location"] == DONE
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert message.subject == "Set a new password for the permit portal"
    assert "/accounts/password/reset/key/" in message.alternatives[0][0]


def test_a_contractor_gives_the_license_and_the_mail_goes_to_the_address_on_file(
    client, django_capture_on_commit_callbacks
):
    ContractorFactory(username="1029384", email="office@coastline.example")

    response = request_reset(
        client,
        django_capture_on_commit_callbacks,
        **{"as": "contractor", "license_number": "1029384"},
    )

    assert response["Location"] == DONE
    (message,) = mail.outbox
    assert message.to == ["office@coastline.example"]
    assert "1029384" in message.body


def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    client, django_capture_on_commit_callbacks
):
    ContractorFactory(username="1029384")
    known = request_reset(
        client,
        django_capture_on_commit_callbacks,
        **{"as": "contractor", "license_number": "1029384"},
    )
    unknown = request_reset(
        client,
        django_capture_on_commit_callbacks,
        **{"as": "contractor", "license_number": "5550001"},
    )
    unknown_email = request_reset(client, django_capture_on_commit_callbacks, email="x@example.org")

    assert known["Location"] == unknown["Location"] == unknown_email["Location"] == DONE
    done = client.get(DONE).content.decode()
    assert "If an account matches what you entered" in done


def test_a_malformed_license_number_is_explained(client):
    response = client.post(
        "/accounts/password/reset/", {"as": "contractor", "license_number": "ABC"}
    )
    assert "digits only" in field_errors(response, "license_number")[0]


def test_the_link_sets_a_new_password_after_the_security_answer(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(username="rosa", email="rosa@example.org", must_change_password=True)
    request_reset(client, django_capture_on_commit_callbacks, email="rosa@example.org")
    form_url = client.get(reset_link(mail.outbox[0]))["Location"]
    page = client.get(form_url).content.decode()
    assert "What high school did you attend?" in page

    wrong = client.post(
        form_url,
        {
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "security_answer": "Mira Costa",
        },
    )
    assert "does not match the one on file" in field_errors(wrong, "security_answer")[0]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")

    right = client.post(
        form_url,
        {
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "security_answer": "  palos VERDES high",
        },
    )

    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    assert user.must_change_password is False


def test_weak_or_mismatched_new_passwords_are_refused(client, django_capture_on_commit_callbacks):
    UserFactory(username="rosa", email="rosa@example.org")
    request_reset(client, django_capture_on_commit_callbacks, email="rosa@example.org")
    form_url = client.get(reset_link(mail.outbox[0]))["Location"]
    answer = "palos verdes high"

    weak = client.post(
        form_url, {"password1": "password", "password2": "password", "security_answer": answer}
    )
    mismatched = client.post(
        form_url,
        {"password1": STRONG_PASSWORD, "password2": "Other-Pass-99", "security_answer": answer},
    )

    assert "This password is too common." in field_errors(weak, "password1")
    assert field_errors(mismatched, "password2") == ["You must type the same password each time."]


def test_a_used_link_no_longer_works(client, django_capture_on_commit_callbacks):
    UserFactory(username="rosa", email="rosa@example.org")
    request_reset(client, django_capture_on_commit_callbacks, email="rosa@example.org")
    link = reset_link(mail.outbox[0])
    form_url = client.get(link)["Location"]
    client.post(
        form_url,
        {
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
            "security_answer": "palos verdes high",
        },
    )
    client.post("/accounts/logout/")

    again = client.get(link, follow=True)

    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()


def test_an_expired_link_no_longer_works(client, django_capture_on_commit_callbacks):
    UserFactory(username="rosa", email="rosa@example.org")
    request_reset(client, django_capture_on_commit_callbacks, email="rosa@example.org")
    link = reset_link(mail.outbox[0])

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=1)):
        response = client.get(link, follow=True)

    assert "This link no longer works" in response.content.decode()


def test_a_garbled_link_is_a_clear_page_not_an_error(client):
    response = client.get("/accounts/password/reset/key/zz-not-a-key/", follow=True)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_a_real_worker_on_redis_sends_the_reset_email(client, celery_worker):
    ContractorFactory(username="1029384", email="office@coastline.example")

    response = client.post(
        "/accounts/password/reset/", {"as": "contractor", "license_number": "1029384"}
    )

    assert response["Location"] == DONE
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = mail.outbox
    assert message.to == ["office@coastline.example"]
    assert message.subject == "Set a new password for the permit portal"
