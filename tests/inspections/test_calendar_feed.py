"""Each person's inspections as a calendar feed: a secret address, shown on a page of
their own, that calendar apps fetch without logging in, and that a reset replaces.

The clock stands at 10:00 on Monday 2026-11-16 in Los Angeles unless a test moves it."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from inspections import services
from inspections.models import CalendarFeed, Inspection, InspectionType, Window
from inspections.services import Booking
from permits.models import Permit
from tests.factories import UserFactory
from tests.permits.issuing import permit_issued

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MON = datetime.date(2026, 11, 16)
TUE = datetime.date(2026, 11, 17)
WED = datetime.date(2026, 11, 18)
PAGE = "/inspections/calendar/"


@pytest.fixture(autouse=True)
def _monday_morning(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, tzinfo=LA), tick=False)


def book(permit: Permit, code: str = "SHTH", *, day: datetime.date = TUE) -> Inspection:
    return services.inspection_request(
        permit=permit,
        inspection_type=InspectionType.objects.get(permit_type=permit.permit_type, code=code),
        user=permit.applicant,
        booking=Booking(
            scheduled_for=day,
            window=Window.MORNING,
            contact_name="Rosa Delgado",
            contact_phone="310-555-0142",
        ),
    )


def feed_path(user) -> str:
    return reverse("inspections:feed", args=[services.calendar_feed_ensure(user=user).token])


def events_in(response) -> dict[str, icalendar.Event]:
    """The feed's events by confirmation number."""
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {
        str(event["uid"]).removeprefix("inspection-").split("@")[0]: event
        for event in calendar.walk("VEVENT")
    }


def test_the_page_shows_the_secret_address_to_copy_and_to_subscribe(client, homeowner):
    client.force_login(homeowner)

    response = client.get(PAGE)

    assert response.status_code == 200
    token = CalendarFeed.objects.get(user=homeowner).token
    assert len(token) >= 40
    address = f"{settings.PORTAL_URL}/inspections/calendar/{token}.ics"
    page = response.content.decode()
    assert '<label for="feed-url" class="form-label">' in page
    assert f'id="feed-url" class="form-control" value="{address}" readonly' in page
    assert f'href="webcal://{address.split("://", 1)[1]}"' in page
    assert "no-store" in response["Cache-Control"]
    # The same address every time, until it is reset.
    assert token in client.get(PAGE).content.decode()
    assert CalendarFeed.objects.count() == 1


def test_the_page_needs_a_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"


def test_the_feed_holds_exactly_my_scheduled_inspections_from_today_on(
    client, reroof, homeowner, contractor, clerk, time_machine
):
    yesterdays = book(reroof)  # Tuesday's, still open on Wednesday: no result recorded
    cancelled = book(permit_issued(homeowner, "EPNL", clerk=clerk), "ROUGH")
    services.inspection_cancel(inspection=cancelled, user=homeowner)
    heater = permit_issued(homeowner, "WHTR", clerk=clerk)
    scheduled = book(heater, "FINAL", day=WED)
    stranger = UserFactory(username="mallory", email_verified=True)
    strangers = book(permit_issued(stranger, "RERF", clerk=clerk), day=WED)
    time_machine.move_to(datetime.datetime(2026, 11, 18, 7, tzinfo=LA), tick=False)

    response = Client().get(feed_path(homeowner))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    events = events_in(response)
    assert set(events) == {scheduled.confirmation_number}
    event = events[scheduled.confirmation_number]
    assert str(event["summary"]) == f"Final plumbing inspection, {heater.number}"
    assert event.decoded("dtstart") == datetime.datetime(2026, 11, 18, 8, tzinfo=LA)
    assert str(event["status"]) == "CONFIRMED"
    for other in (yesterdays, cancelled, strangers):
        assert other.confirmation_number not in response.content.decode()


def test_a_contractor_feed_holds_the_inspections_of_their_clients_permits(
    reroof, contractor, homeowner
):
    inspection = book(reroof)

    events = events_in(Client().get(feed_path(contractor)))

    assert set(events) == {inspection.confirmation_number}


def test_an_empty_feed_is_still_a_calendar(homeowner):
    response = Client().get(feed_path(homeowner))

    assert events_in(response) == {}
    assert b"BEGIN:VCALENDAR" in response.content


@pytest.mark.parametrize(
    "token", ["wrong", "a" * 43, "", "../calendar", "%00", "x" * 500], ids=lambda token: token[:8]
)
def test_a_wrong_token_is_404(client, homeowner, token):
    services.calendar_feed_ensure(user=homeowner)

    assert client.get(f"/inspections/calendar/{token}.ics").status_code == 404


def test_an_inactive_account_has_no_feed(homeowner):
    path = feed_path(homeowner)
    homeowner.is_active = False
    homeowner.save(update_fields=["is_active"])

    assert Client().get(path).status_code == 404


def test_resetting_gives_a_new_address_and_the_old_one_stops_working(client, reroof, homeowner):
    book(reroof)
    old_path = feed_path(homeowner)
    assert Client().get(old_path).status_code == 200
    client.force_login(homeowner)

    response = client.post(PAGE, follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "the old one has stopped working" in response.content.decode()
    new_path = feed_path(homeowner)
    assert new_path != old_path
    assert new_path in response.content.decode()
    assert Client().get(old_path).status_code == 404
    assert len(events_in(Client().get(new_path))) == 1


def test_resetting_needs_the_form_csrf_token(homeowner):
    old_path = feed_path(homeowner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(homeowner)

    assert client.post(PAGE).status_code == 403
    assert feed_path(homeowner) == old_path


def test_resetting_needs_a_login(client, homeowner):
    old_path = feed_path(homeowner)

    assert client.post(PAGE).status_code == 302
    assert feed_path(homeowner) == old_path
