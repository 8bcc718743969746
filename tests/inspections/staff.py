"""Inspections booked through the services on a pinned clock, for the staff-side tests:
Monday 16 November 2026, 9:00 in the city, with inspections the next day."""

import datetime
import zoneinfo

from accounts.models import User
from inspections import services
from inspections.models import Inspection, Window
from permits.models import Permit

CITY = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = datetime.date(2026, 11, 16)
TUESDAY = datetime.date(2026, 11, 17)
WEDNESDAY = datetime.date(2026, 11, 18)
INSPECTIONS = "/admin/inspections/inspection/"
DAILY = f"{INSPECTIONS}daily/"


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CITY)


def book(
    permit: Permit,
    code: str,
    *,
    day: datetime.date = TUESDAY,
    window: str = Window.MORNING,
    user: User | None = None,
    access_notes: str = "",
) -> Inspection:
    return services.inspection_request(
        permit=permit,
        inspection_type=permit.permit_type.inspection_types.get(code=code),
        user=user or permit.applicant,
        booking=services.Booking(
            scheduled_for=day,
            window=window,
            contact_name="Rosa Delgado",
            contact_phone="310-544-5280",
            access_notes=access_notes,
        ),
    )


def passed(inspection: Inspection, inspector: User, when: datetime.datetime) -> Inspection:
    return services.inspection_result_record(
        inspection=inspection,
        actor=inspector,
        result=services.Result(result=Inspection.Result.PASSED, inspected_at=when),
    )


def change_url(inspection: Inspection) -> str:
    return f"{INSPECTIONS}{inspection.pk}/change/"


def record_url(inspection: Inspection) -> str:
    return f"{INSPECTIONS}{inspection.pk}/record-result/"


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(response) -> set[str]:
    return {inspection.confirmation_number for inspection in response.context["cl"].result_list}
