from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from payments import services


@shared_task(
    name="payments.tasks.payments_reconcile_scheduled",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def payments_reconcile_scheduled() -> int:
    """Settle or expire card payments the webhook has not settled; a second run finds
    them final and leaves them alone."""
    return services.payments_reconcile(now=timezone.now())
