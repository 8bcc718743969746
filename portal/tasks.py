import smtplib

from celery import shared_task
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import InterfaceError, OperationalError

from portal.outbox import pending_tasks_send

# What may pass on a second try: a full or unmounted disk, a dropped database connection.
# A template or WeasyPrint error would fail the same way again, so it is not retried.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
# How the apps' tasks that render a PDF retry, and how long they may take.
PDF_TASK_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "soft_time_limit": 120,
    "time_limit": 150,
}
# How the nightly tasks that walk the records of a day retry.
DAILY_TASK_OPTIONS = {"autoretry_for": TRANSIENT_ERRORS, "retry_backoff": 60, "max_retries": 5}
# How long a sent message's Message-ID is remembered: longer than any second run of its
# task comes (the outbox's flush, a worker's restart, the mail retries' hour and a half).
EMAIL_SENT_REMEMBERED_SECONDS = 7 * 24 * 60 * 60


@shared_task(name="portal.tasks.pending_tasks_flush")
def pending_tasks_flush() -> int:
    """Send the tasks a broker outage kept in the outbox (portal/outbox.py)."""
    return pending_tasks_send()


@shared_task(name="portal.tasks.sessions_clear_expired")
def sessions_clear_expired() -> None:
    """Delete expired sessions; running it twice finds nothing left to delete."""
    call_command("clearsessions")


@shared_task(
    name="portal.tasks.email_deliver",
    # Only what may pass: a refused recipient or message will be refused again.
    autoretry_for=(
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPConnectError,
        ConnectionError,
        TimeoutError,
    ),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def email_deliver(
    *,
    subject: str,
    body: str,
    html: str,
    from_email: str,
    to: list[str],
    attachments: tuple[list[str], ...] = (),
    message_id: str = "",
) -> None:
    """Send one rendered message; a mail server that is down is retried with backoff.
    Attachments are [filename, text, mimetype] lists, as they travel through the broker.

    A second run for the same message (the outbox sent it twice, a worker died before
    acknowledging it) finds its Message-ID remembered as sent and sends nothing. Only a
    crash between the mail server's answer and remembering it can still send it twice,
    and then under the same Message-ID, which many mail programs show once. A message kept
    from before Message-IDs were given (none) is sent as before."""
    sent_key = f"email-sent:{message_id}"
    if message_id and cache.get(sent_key):
        return
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    if message_id:
        cache.set(sent_key, True, EMAIL_SENT_REMEMBERED_SECONDS)
