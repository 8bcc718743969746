"""Mail from templates/email/: a text and an HTML part, plain text unescaped, sent by the task."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from portal.email import email_render, email_send
from portal.models import PendingTask
from portal.tasks import email_deliver
from tests.factories import ContractorFactory

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "email"
PREFIXES = sorted(
    path.name.removesuffix("_subject.txt") for path in EMAIL_TEMPLATES.glob("*_subject.txt")
)


def test_the_issue_s_emails_all_exist():
    assert {
        "welcome",
        "email_confirmation_signup",
        "password_reset_key",
        "contractor_verified",
        "temporary_password",
    } <= set(PREFIXES)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_email_has_a_text_and_an_html_part_without_escaped_text(prefix):
    user = ContractorFactory(first_name="Siobhán", last_name="O'Brien", username="1029384")
    context = {
        "user": user,
        "profile": user.contractor_profile,
        "email": user.email,
        "activate_url": "https://permits.example/confirm/abc/",
        "password_reset_url": "https://permits.example/reset/abc/",
        "signup_url": "https://permits.example/accounts/signup/",
    }

    message = email_render(template_prefix=f"email/{prefix}", to=[user.email], context=context)

    assert message.subject and "\n" not in message.subject and "&#x27;" not in message.subject
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and html.startswith("<!doctype html>")
    assert "City of" in message.body or "Permit Center" in message.body


def test_sending_hands_the_rendered_message_to_the_mail_task(django_capture_on_commit_callbacks):
    user = ContractorFactory(username="1029384")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(template_prefix="email/welcome", to=[user.email], context={"user": user})
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    (message,) = mail.outbox
    assert message.subject.startswith("Welcome to the")
    assert "1029384" in message.body and "1029384" in message.alternatives[0][0]


def test_the_message_goes_out_under_the_message_id_the_request_gave_it(
    django_capture_on_commit_callbacks,
):
    user = ContractorFactory(username="1029384")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(template_prefix="email/welcome", to=[user.email], context={"user": user})
        email_send(template_prefix="email/welcome", to=[user.email], context={"user": user})
    given = [pending.kwargs["message_id"] for pending in PendingTask.objects.order_by("pk")]
    for callback in callbacks:
        callback()

    assert [message.message()["Message-ID"] for message in mail.outbox] == given
    first, second = given
    assert first.startswith("<") and first.endswith(">") and "@" in first
    assert first != second


MESSAGE = {
    "subject": "Permit RERF2026-0001 issued",
    "body": "Your permit is issued.",
    "html": "",
    "from_email": "permits@example.com",
    "to": ["rosa@example.com"],
}


def test_a_second_run_for_the_same_message_sends_nothing():
    email_deliver.apply(kwargs={**MESSAGE, "message_id": "<1@permits.example>"}).get()
    email_deliver.apply(kwargs={**MESSAGE, "message_id": "<1@permits.example>"}).get()
    assert len(mail.outbox) == 1

    email_deliver.apply(kwargs={**MESSAGE, "message_id": "<2@permits.example>"}).get()
    assert len(mail.outbox) == 2


def test_a_message_kept_from_before_message_ids_is_still_sent_each_time():
    email_deliver.apply(kwargs=MESSAGE).get()
    email_deliver.apply(kwargs=MESSAGE).get()

    assert len(mail.outbox) == 2
