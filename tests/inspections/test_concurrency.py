"""Bookings made at the same moment on Postgres: a day's last place goes to exactly one
person, and the others are told the day is full, never shown an error page."""

import collections
import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connections

from inspections import services
from inspections.models import Inspection, InspectionType, SchedulingRules, Window
from inspections.services import Booking, InspectionError
from permits.models import Permit
from tests.brokers import celery_broker
from tests.factories import UserFactory
from tests.permits.issuing import permit_issued

PEOPLE = 20
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
# Monday morning; the threads book Tuesday. Passed to the services rather than frozen
# with time-machine, whose clock is one for every thread.
NOW = datetime.datetime(2026, 11, 16, 10, tzinfo=LA)
TUESDAY = datetime.date(2026, 11, 17)
FULL = "Nov. 17, 2026 has just been fully booked. Choose another day."


pytestmark = pytest.mark.postgres("row locks")


def reroofs_issued(count: int, *, contractor, clerk) -> list[Permit]:
    """Issued on Monday, each to its own homeowner, all with the same contractor, while
    no worker runs: their PDFs and emails wait in the broker, not this test's concern."""
    with time_machine.travel(NOW, tick=False), celery_broker("memory://"):
        return [
            permit_issued(
                UserFactory(email_verified=True), "RERF", clerk=clerk, contractor=contractor
            )
            for _ in range(count)
        ]


def sheathing_booking(permit: Permit, user) -> None:
    services.inspection_request(
        permit=permit,
        inspection_type=InspectionType.objects.get(permit_type=permit.permit_type_id, code="SHTH"),
        user=user,
        booking=Booking(
            scheduled_for=TUESDAY,
            window=Window.MORNING,
            contact_name="Rosa Delgado",
            contact_phone="310-555-0142",
        ),
        now=NOW,
    )


def all_at_once(bookings: list[tuple[Permit, object]]) -> collections.Counter:
    """Each (permit, user) books in its own thread and connection, all released at one
    moment; returns how many got each outcome."""
    start = threading.Barrier(len(bookings))
    outcomes = []

    def run(permit: Permit, user) -> None:
        try:
            start.wait()
            sheathing_booking(permit, user)
            outcomes.append("booked")
        except InspectionError as error:
            outcomes.append(str(error))
        except Exception as error:  # reported by the assertion on the outcomes
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=booking) for booking in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return collections.Counter(outcomes)


@pytest.mark.django_db(transaction=True)
def test_twenty_people_booking_a_days_last_place_at_once_one_gets_it(contractor, clerk):
    SchedulingRules.objects.filter(pk=SchedulingRules.SINGLETON_ID).update(daily_capacity=2)
    already_booked, *permits = reroofs_issued(PEOPLE + 1, contractor=contractor, clerk=clerk)
    sheathing_booking(already_booked, already_booked.applicant)

    outcomes = all_at_once([(permit, permit.applicant) for permit in permits])

    assert outcomes == {"booked": 1, FULL: PEOPLE - 1}
    tuesday = Inspection.objects.filter(scheduled_for=TUESDAY, status=Inspection.Status.SCHEDULED)
    assert tuesday.count() == 2
    assert Inspection.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_for_the_same_inspection_at_once_make_one_booking(
    homeowner, contractor, clerk
):
    (permit,) = reroofs_issued(1, contractor=contractor, clerk=clerk)
    people = [permit.applicant, contractor] * (PEOPLE // 2)

    outcomes = all_at_once([(permit, user) for user in people])

    assert outcomes == {
        "booked": 1,
        "Already scheduled: reschedule it instead of booking it again.": PEOPLE - 1,
    }
    assert permit.inspections.filter(status=Inspection.Status.SCHEDULED).count() == 1
