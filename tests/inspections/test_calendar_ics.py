"""Inspections as iCalendar: what a calendar program reads from the confirmation
email's attachment, parsed back with the icalendar library."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from inspections import services
from inspections.calendar import calendar_of
from inspections.models import Inspection, InspectionType, SchedulingRules, Window
from inspections.services import Booking, Result
from tests.permits.issuing import permit_issued

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC
# Tuesday of Thanksgiving week: Pacific Standard Time, eight hours behind UTC.
NEXT_TUE = datetime.date(2026, 11, 24)
PORTAL_URL = "https://permits.example.gov"


@pytest.fixture(autouse=True)
def _monday_morning(time_machine, settings):
    settings.PORTAL_URL = PORTAL_URL
    time_machine.move_to(
        datetime.datetime(2026, 11, 16, 10, tzinfo=LA),
        tick=False,
    )


@pytest.fixture
def rules(reroof) -> SchedulingRules:
    return SchedulingRules.objects.get()


def book(permit, code="SHTH", *, window=Window.MORNING, contact_name="Rosa Delgado"):
    return services.inspection_request(
        permit=permit,
        inspection_type=InspectionType.objects.get(permit_type=permit.permit_type, code=code),
        user=permit.applicant,
        booking=Booking(
            scheduled_for=NEXT_TUE,
            window=window,
            contact_name=contact_name,
            contact_phone="310-555-0142",
        ),
    )


def parsed(inspections: list[Inspection], rules: SchedulingRules) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(calendar_of(inspections, rules, name="Inspections"))


def utc(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def test_the_calendar_is_an_icalendar_2_publication(reroof, rules):
    calendar = parsed([book(reroof)], rules)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == "-//Open permit portal//Inspections//EN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "Inspections"


def test_each_inspection_is_one_event_with_a_stable_uid_of_its_own(
    reroof, rules, homeowner, contractor, clerk
):
    first = book(reroof)
    second = book(permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor))
    events = parsed([first, second], rules).walk("VEVENT")
    uids = [str(event["uid"]) for event in events]
    assert uids == [
        f"inspection-{first.confirmation_number}@permits.example.gov",
        f"inspection-{second.confirmation_number}@permits.example.gov",
    ]
    # The same inspection in a later file (the feed, a cancellation) keeps its UID.
    (again,) = parsed([first], rules).walk("VEVENT")
    assert str(again["uid"]) == uids[0]


@pytest.mark.parametrize(
    ("window", "starts", "ends"),
    [
        # 8:00 AM to noon PST.
        (Window.MORNING, utc(NEXT_TUE, 16), utc(NEXT_TUE, 20)),
        # Noon to 4:00 PM PST ends at midnight UTC, the next day there.
        (Window.AFTERNOON, utc(NEXT_TUE, 20), utc(NEXT_TUE + datetime.timedelta(days=1), 0)),
    ],
)
def test_the_event_spans_the_window_in_the_citys_zone_written_in_utc(
    reroof, rules, window, starts, ends
):
    inspection = book(reroof, window=window)
    (event,) = parsed([inspection], rules).walk("VEVENT")
    assert event.decoded("dtstart") == starts
    assert event.decoded("dtend") == ends
    text = calendar_of([inspection], rules, name="Inspections").decode()
    assert f"DTSTART:{starts:%Y%m%dT%H%M%SZ}\r\n" in text
    assert f"DTEND:{ends:%Y%m%dT%H%M%SZ}\r\n" in text


def test_in_summer_the_window_is_seven_hours_behind_utc(reroof, rules):
    inspection = book(reroof)
    inspection.scheduled_for = datetime.date(2027, 6, 15)
    (event,) = parsed([inspection], rules).walk("VEVENT")
    assert event.decoded("dtstart") == utc(datetime.date(2027, 6, 15), 15)


def test_the_windows_are_the_citys_current_rules(reroof, rules):
    inspection = book(reroof)
    rules.morning_starts = datetime.time(7, 30)
    rules.morning_ends = datetime.time(11, 0)
    (event,) = parsed([inspection], rules).walk("VEVENT")
    assert event.decoded("dtstart") == datetime.datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    assert event.decoded("dtend") == utc(NEXT_TUE, 19)


def test_the_event_names_the_inspection_the_permit_and_the_site(reroof, rules):
    inspection = book(reroof, contact_name="Ortiz, Sam; site lead")
    (event,) = parsed([inspection], rules).walk("VEVENT")
    assert str(event["summary"]) == f"Sheathing and nailing inspection, {reroof.number}"
    assert str(event["location"]) == "30940 Hawthorne Blvd, Rancho Palos Verdes 90275"
    assert str(event["description"]) == (
        f"Confirmation number {inspection.confirmation_number}. The inspector arrives during "
        "the morning window. On-site contact: Ortiz, Sam; site lead, 310-555-0142."
    )
    assert str(event["url"]) == f"{PORTAL_URL}/permits/applications/{reroof.pk}/"
    assert str(event["status"]) == "CONFIRMED"
    assert event["sequence"] == 0
    assert event.decoded("dtstamp") == utc(datetime.date(2026, 11, 16), 18)


def test_a_cancelled_inspection_is_a_cancelled_event_that_replaces_the_first(reroof, rules):
    inspection = services.inspection_cancel(inspection=book(reroof), user=reroof.applicant)
    (event,) = parsed([inspection], rules).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1


def test_a_completed_inspection_stays_in_the_calendar(reroof, rules, inspector, time_machine):
    inspection = book(reroof)
    time_machine.move_to(datetime.datetime(2026, 11, 24, 13, tzinfo=LA), tick=False)
    completed = services.inspection_result_record(
        inspection=inspection,
        actor=inspector,
        result=Result(result=Inspection.Result.FAILED, inspected_at=timezone.now()),
    )
    (event,) = parsed([completed], rules).walk("VEVENT")
    assert str(event["status"]) == "CONFIRMED"
    assert event["sequence"] == 0


def test_lines_are_folded_and_end_in_crlf(reroof, rules):
    inspection = book(reroof, contact_name="A contact name long enough to need folding " * 2)
    text = calendar_of([inspection], rules, name="Inspections")
    lines = text.split(b"\r\n")
    assert lines[-1] == b""
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75


def test_the_emailed_attachment_is_the_same_calendar(
    reroof, rules, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inspection = book(reroof)
    expected = calendar_of([inspection], rules, name="Inspection").decode()
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.attachments == [("inspection.ics", expected, "text/calendar")]
        # As the recipient's mail program gets it.
        (part,) = [
            part for part in message.message().walk() if part.get_content_type() == "text/calendar"
        ]
        assert part.get_filename() == "inspection.ics"
        assert part.get_payload(decode=True).decode() == expected
