from celery import shared_task
from django.db import InterfaceError, OperationalError

from licensing import services
from licensing.certificate import license_certificate_store
from portal.selectors import city_date_or_today

# What may pass on a second try: a full or unmounted disk, a dropped database connection.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


@shared_task(
    name="licensing.tasks.license_certificate_render",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def license_certificate_render(license_id: int) -> None:
    """Render an active license's certificate; a second run replaces it with the same one."""
    license_certificate_store(license_id=license_id)


@shared_task(
    name="licensing.tasks.licenses_expire",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    max_retries=5,
)
def licenses_expire(today: str | None = None) -> int:
    """Expire active licenses past their last day; a second run finds none left."""
    return services.licenses_expire(today=city_date_or_today(today))


@shared_task(
    name="licensing.tasks.licenses_remind_renewal",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    max_retries=5,
)
def licenses_remind_renewal(today: str | None = None) -> int:
    """Remind holders 60, 30 and 7 days before a license expires, once each."""
    return services.licenses_remind_renewal(today=city_date_or_today(today))
