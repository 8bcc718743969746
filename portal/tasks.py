import smtplib

from celery import shared_task
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
) -> None:
    """Send one rendered message; a mail server that is down is retried with backoff.
    Attachments are [filename, text, mimetype] lists, as they travel through the broker."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
