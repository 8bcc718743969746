"""Issued permits expire the day after their last day, with one warning 30 days before;
the beat tasks do it each morning, in the city's own time zone."""

import datetime
import zoneinfo

import pytest
from django.conf import settings as django_settings
from django.core import mail

from permits import services, tasks
from permits.models import Permit
from tests.permits.issuing import permit_approved, permit_issued

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
ISSUE_DAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a task as beat would and return what it reported and the mail it sent."""

    def run(task):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = task.apply().get()
        return result, list(mail.outbox)

    return run


@pytest.fixture
def issued(homeowner, clerk, time_machine) -> Permit:
    time_machine.move_to(at(ISSUE_DAY), tick=False)
    return permit_issued(homeowner, "WHTR", clerk=clerk)


def test_a_permit_is_valid_for_its_types_days_from_the_day_it_is_issued(issued):
    assert issued.issued_on == ISSUE_DAY
    assert issued.expires_on == ISSUE_DAY + datetime.timedelta(days=issued.permit_type.valid_days)


def test_on_its_last_day_it_is_issued_and_the_next_morning_it_has_expired(
    issued, homeowner, time_machine, sent
):
    time_machine.move_to(at(issued.expires_on, 23, 30), tick=False)
    assert sent(tasks.permits_expire_scheduled) == (0, [])
    issued.refresh_from_db()
    assert issued.status == Permit.Status.ISSUED

    time_machine.move_to(at(issued.expires_on + DAY, 1, 30), tick=False)
    expired, (message,) = sent(tasks.permits_expire_scheduled)

    assert expired == 1
    issued.refresh_from_db()
    assert issued.status == Permit.Status.EXPIRED
    assert issued.events.last().status == Permit.Status.EXPIRED
    assert message.to == [homeowner.email]
    assert message.subject == f"Permit {issued.number}: Expired"
    assert "can no longer be inspected" in message.body
    assert f"/permits/applications/{issued.pk}/" in message.body

    assert sent(tasks.permits_expire_scheduled) == (0, [])


def test_the_day_is_the_citys_even_on_a_server_that_runs_on_utc(
    issued, time_machine, sent, settings
):
    settings.TIME_ZONE = "UTC"
    # 20:00 in the city on the last day is already the next day in UTC.
    time_machine.move_to(at(issued.expires_on, 20), tick=False)

    assert sent(tasks.permits_expire_scheduled) == (0, [])
    issued.refresh_from_db()
    assert issued.status == Permit.Status.ISSUED


def test_the_warning_goes_thirty_days_before_and_only_once(issued, homeowner, time_machine, sent):
    time_machine.move_to(at(issued.expires_on - 31 * DAY, 6), tick=False)
    assert sent(tasks.permits_warn_expiring_scheduled) == (0, [])

    time_machine.move_to(at(issued.expires_on - 30 * DAY, 6), tick=False)
    warned, (message,) = sent(tasks.permits_warn_expiring_scheduled)

    assert warned == 1
    assert message.to == [homeowner.email]
    expires = f"{issued.expires_on:%b}. {issued.expires_on.day}, {issued.expires_on.year}"
    assert message.subject == f"Permit {issued.number} expires on {expires}"
    assert "pass its final inspection before then" in message.body
    assert f"/permits/applications/{issued.pk}/" in message.body
    assert any(mimetype == "text/html" for _content, mimetype in message.alternatives)

    assert sent(tasks.permits_warn_expiring_scheduled) == (0, [])
    time_machine.move_to(at(issued.expires_on - 29 * DAY, 6), tick=False)
    assert sent(tasks.permits_warn_expiring_scheduled) == (0, [])


def test_the_contractor_is_warned_too(homeowner, contractor, clerk, time_machine, sent):
    # The contractor's City business license must cover the day the permit is applied for.
    contractor.business_licenses.update(
        starts_on=datetime.date(ISSUE_DAY.year, 1, 1),
        expires_on=datetime.date(ISSUE_DAY.year, 12, 31),
    )
    time_machine.move_to(at(ISSUE_DAY), tick=False)
    permit = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)

    time_machine.move_to(at(permit.expires_on - 30 * DAY, 6), tick=False)
    _warned, messages = sent(tasks.permits_warn_expiring_scheduled)

    # Each on their own: neither learns the other's address from us.
    assert [message.to for message in messages] == [[homeowner.email], [contractor.email]]


def test_finaled_and_withdrawn_permits_are_left_alone(issued, homeowner, clerk, time_machine, sent):
    Permit.objects.filter(pk=issued.pk).update(
        status=Permit.Status.FINALED, finaled_on=ISSUE_DAY + DAY
    )
    withdrawn = services.permit_withdraw(
        permit=permit_approved(homeowner, "WHTR", clerk=clerk), user=homeowner
    )

    time_machine.move_to(at(issued.expires_on - 30 * DAY, 6), tick=False)
    assert sent(tasks.permits_warn_expiring_scheduled) == (0, [])
    time_machine.move_to(at(issued.expires_on + 30 * DAY, 1, 30), tick=False)
    assert sent(tasks.permits_expire_scheduled) == (0, [])

    issued.refresh_from_db()
    withdrawn.refresh_from_db()
    assert issued.status == Permit.Status.FINALED
    assert withdrawn.status == Permit.Status.WITHDRAWN


@pytest.mark.parametrize(
    "task",
    ["permits.tasks.permits_expire_scheduled", "permits.tasks.permits_warn_expiring_scheduled"],
)
def test_beat_runs_the_expiry_tasks_once_each_early_morning(task):
    (entry,) = [
        entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task
    ]
    schedule = entry["schedule"]

    assert len(schedule.hour) == 1 and max(schedule.hour) < 7
    assert len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7
    assert len(schedule.day_of_month) == 31


def test_a_permit_valid_for_no_longer_than_the_warning_window_is_not_warned(
    homeowner, clerk, time_machine, sent
):
    time_machine.move_to(at(ISSUE_DAY), tick=False)
    dumpster = permit_issued(homeowner, "DMPR", clerk=clerk)  # valid 30 days
    assert dumpster.expires_on == ISSUE_DAY + 30 * DAY

    for day in (ISSUE_DAY + DAY, dumpster.expires_on - DAY):
        time_machine.move_to(at(day, 6), tick=False)
        assert sent(tasks.permits_warn_expiring_scheduled) == (0, [])
