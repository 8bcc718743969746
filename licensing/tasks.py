from celery import shared_task

from licensing import services
from licensing.certificate import license_certificate_store
from portal.selectors import city_date_or_today
from portal.tasks import DAILY_TASK_OPTIONS, PDF_TASK_OPTIONS


@shared_task(
    name="licensing.tasks.license_certificate_render",
    **PDF_TASK_OPTIONS,
)
def license_certificate_render(license_id: int) -> None:
    """Render an active license's certificate; a second run replaces it with the same one."""
    license_certificate_store(license_id=license_id)


@shared_task(
    name="licensing.tasks.licenses_expire_scheduled",
    **DAILY_TASK_OPTIONS,
)
def licenses_expire_scheduled(today: str | None = None) -> int:
    """Expire active licenses past their last day; a second run finds none left."""
    return services.licenses_expire(today=city_date_or_today(today))


@shared_task(
    name="licensing.tasks.licenses_remind_renewal_scheduled",
    **DAILY_TASK_OPTIONS,
)
def licenses_remind_renewal_scheduled(today: str | None = None) -> int:
    """Remind holders 60, 30 and 7 days before a license expires, once each."""
    return services.licenses_remind_renewal(today=city_date_or_today(today))
