from celery import shared_task
from django.db import InterfaceError, OperationalError

from permits import services
from permits.pdf import permit_pdf_store
from portal.selectors import city_date_or_today

# What may pass on a second try: a full or unmounted disk, a dropped database connection.
# A template or WeasyPrint error would fail the same way again, so it is not retried.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


@shared_task(
    name="permits.tasks.permit_pdf_render",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def permit_pdf_render(permit_id: int) -> None:
    """Render the issued permit's PDF; a second run replaces it with the same document."""
    permit_pdf_store(permit_id=permit_id)


@shared_task(
    name="permits.tasks.permits_expire",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    max_retries=5,
)
def permits_expire(today: str | None = None) -> int:
    """Expire issued permits past their date; a second run finds none left."""
    return services.permits_expire(today=city_date_or_today(today))


@shared_task(
    name="permits.tasks.permits_warn_expiring",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=60,
    max_retries=5,
)
def permits_warn_expiring(today: str | None = None) -> int:
    """Warn applicants 30 days before a permit expires, once per permit."""
    return services.permits_warn_expiring(today=city_date_or_today(today))
