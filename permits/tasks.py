from celery import shared_task

from permits import services
from permits.pdf import permit_pdf_store
from portal.selectors import city_date_or_today
from portal.tasks import DAILY_TASK_OPTIONS, PDF_TASK_OPTIONS


@shared_task(
    name="permits.tasks.permit_pdf_render",
    **PDF_TASK_OPTIONS,
)
def permit_pdf_render(permit_id: int) -> None:
    """Render the issued permit's PDF; a second run replaces it with the same document."""
    permit_pdf_store(permit_id=permit_id)


@shared_task(
    name="permits.tasks.permits_expire_scheduled",
    **DAILY_TASK_OPTIONS,
)
def permits_expire_scheduled(today: str | None = None) -> int:
    """Expire issued permits past their date; a second run finds none left."""
    return services.permits_expire(today=city_date_or_today(today))


@shared_task(
    name="permits.tasks.permits_warn_expiring_scheduled",
    **DAILY_TASK_OPTIONS,
)
def permits_warn_expiring_scheduled(today: str | None = None) -> int:
    """Warn applicants 30 days before a permit expires, once per permit."""
    return services.permits_warn_expiring(today=city_date_or_today(today))
