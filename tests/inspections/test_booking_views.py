"""The pages the applicant and contractor book, read, cancel and move inspections on:
what they offer, every refusal at its edge, and that nothing changes when one is refused.

The clock stands at Monday 2026-11-23, 10:00 in the city, before any permit is made:
Tuesday the 24th is the first day open (its requests close at 3 p.m. today), Thursday
the 26th and Friday the 27th are Thanksgiving holidays, and the tenth inspection day
ahead, the last of the horizon, is Wednesday, December 9.
"""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core import mail

from inspections import services
from inspections.models import Inspection, InspectionType, SchedulingRules
from permits.models import Permit
from tests.factories import UserFactory
from tests.permits.issuing import permit_issued
from tests.permits.support import permit_draft_complete, permit_submitted

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = datetime.date(2026, 11, 23)
TUESDAY = datetime.date(2026, 11, 24)
WEDNESDAY = datetime.date(2026, 11, 25)
PHONE_MESSAGE = "call Building and Safety at 310-544-5280"


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    """Set before any permit is issued, so the permit is issued today and valid."""
    time_machine.move_to(at(MONDAY), tick=False)


@pytest.fixture
def permit(monday_morning, reroof) -> Permit:
    return reroof


@pytest.fixture
def stranger(demo_city):
    return UserFactory(username="mallory", first_name="Mal", email_verified=True)


def type_of(permit: Permit, code: str) -> InspectionType:
    return permit.permit_type.inspection_types.get(code=code)


def request_url(permit: Permit) -> str:
    return f"/inspections/permits/{permit.pk}/request/"


def page_of(inspection: Inspection, action: str = "") -> str:
    return f"/inspections/{inspection.pk}/{action}"


def booking_data(permit: Permit, **changes) -> dict[str, str]:
    return {
        "inspection_type": str(type_of(permit, "SHTH").pk),
        "scheduled_for": TUESDAY.isoformat(),
        "window": "am",
        "contact_name": "Rosa Delgado",
        "contact_phone": "(310) 555-0142",
        "access_notes": "Gate code 1234. The dog is friendly.",
        **changes,
    }


def booked(permit: Permit, user, day: datetime.date = TUESDAY, code: str = "SHTH") -> Inspection:
    return services.inspection_request(
        permit=permit,
        inspection_type=type_of(permit, code),
        user=user,
        booking=services.Booking(
            scheduled_for=day,
            window="am",
            contact_name="Rosa Delgado",
            contact_phone="310-555-0142",
        ),
    )


def text_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def fresh(inspection: Inspection) -> Inspection:
    return Inspection.objects.get(pk=inspection.pk)


# Requesting ---------------------------------------------------------------------------


def test_the_form_offers_the_open_days_and_the_next_inspection_in_the_sequence(
    client, homeowner, permit
):
    client.force_login(homeowner)

    page = text_of(client.get(request_url(permit)))

    form = client.get(request_url(permit)).context["form"]
    offered = [option.value for option in form.day_options]
    assert offered[0] == "2026-11-24" and offered[-1] == "2026-12-09"
    assert len(offered) == 10
    # Thanksgiving, the day after it, and weekends are simply not there.
    for day in ("2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-12-10"):
        assert f'value="{day}"' not in page
    assert "Tuesday, November 24" in page and "Wednesday, December 9" in page
    assert "Requests made before 3 p.m. count for the next inspection day" in page
    assert "up to 10 inspection days ahead, until Wednesday, December 9" in page
    assert "Morning, 8 a.m. to noon" in page and "Afternoon, noon to 4 p.m." in page
    # The one open type is chosen; the final waits for it, disabled, saying why.
    sheathing, final = form.type_options
    assert sheathing.checked and not sheathing.disabled
    assert final.disabled and final.note == "Waiting for Sheathing and nailing to pass."
    assert f'value="{type_of(permit, "FINAL").pk}" id="{final.id}" disabled' in page
    assert "Waiting for Sheathing and nailing to pass." in page
    # The contact is the person asking, until they say otherwise.
    assert 'value="Rosa Delgado"' in page and 'value="310-555-0142"' in page
    assert 'id="page-title"' in page and "Request the inspection</button>" in page


def test_a_request_books_the_inspection_and_emails_each_person_a_calendar_file(
    client, homeowner, contractor, permit, django_capture_on_commit_callbacks
):
    client.force_login(homeowner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(permit), booking_data(permit))

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_of(inspection)
    assert inspection.inspection_type.code == "SHTH"
    assert inspection.status == Inspection.Status.SCHEDULED
    assert inspection.scheduled_for == TUESDAY and inspection.window == "am"
    assert inspection.contact_phone == "310-555-0142"
    assert inspection.access_notes == "Gate code 1234. The dog is friendly."
    assert inspection.requested_by == homeowner
    page = client.get(page_of(inspection))
    (message,) = messages_of(page)
    assert inspection.confirmation_number in message
    assert "Sheathing and nailing inspection booked for Tuesday, November 24" in message
    # One message each, so neither learns the other's address; each with the event.
    assert sorted(tuple(sent.to) for sent in mail.outbox) == sorted(
        [(homeowner.email,), (contractor.email,)]
    )
    for sent in mail.outbox:
        (attachment,) = sent.attachments
        filename, content, mimetype = attachment
        assert filename == "inspection.ics" and mimetype == "text/calendar"
        (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
        assert inspection.confirmation_number in str(event["description"])


def test_the_permit_page_link_preselects_its_type(client, homeowner, permit):
    InspectionType.objects.create(permit_type=permit.permit_type, code="GUTR", name="Gutters")
    client.force_login(homeowner)

    plain = client.get(request_url(permit)).context["form"]
    linked = client.get(request_url(permit) + "?type=gutr").context["form"]

    assert not any(option.checked for option in plain.type_options)
    assert [option.label for option in linked.type_options if option.checked] == ["Gutters"]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-11-20", "Choose a day after today."),
        ("2026-11-23", "Choose a day after today."),
        ("2026-11-28", "The city does not inspect on Nov. 28, 2026, a Saturday."),
        ("2026-11-26", "The city does not inspect on Nov. 26, 2026 (Thanksgiving Day)."),
        (
            "2026-12-10",
            "Inspections can be booked up to 10 inspection days ahead, until Dec. 9, 2026.",
        ),
        ("next tuesday", "Choose one of the days."),
        ("", "Choose a day."),
    ],
)
def test_a_day_that_is_not_offered_is_refused_with_its_reason(
    client, homeowner, permit, day, message
):
    client.force_login(homeowner)
    mail.outbox.clear()

    response = client.post(request_url(permit), booking_data(permit, scheduled_for=day))

    page = text_of(response)
    assert any(message in error for error in response.context["form"].errors["scheduled_for"])
    assert 'id="id_scheduled_for_error"' in page and 'id="form-errors"' in page
    assert not Inspection.objects.exists()
    assert mail.outbox == []


def test_the_last_day_of_the_horizon_can_be_booked(client, homeowner, permit):
    client.force_login(homeowner)

    response = client.post(request_url(permit), booking_data(permit, scheduled_for="2026-12-09"))

    assert response.status_code == 302
    assert Inspection.objects.get().scheduled_for == datetime.date(2026, 12, 9)


@pytest.mark.parametrize(("minute", "booked"), [(59, True), (0, False)])
def test_tomorrow_is_open_until_three_oclock_today(
    client, homeowner, permit, time_machine, minute, booked
):
    time_machine.move_to(at(MONDAY, 14 if booked else 15, minute), tick=False)
    client.force_login(homeowner)

    offered = [
        option.value for option in client.get(request_url(permit)).context["form"].day_options
    ]
    response = client.post(request_url(permit), booking_data(permit))

    assert ("2026-11-24" in offered) is booked
    assert Inspection.objects.exists() is booked
    if not booked:
        assert offered[0] == "2026-11-25"
        assert response.context["form"].errors["scheduled_for"] == [
            "Requests for Nov. 24, 2026 closed at 3 p.m. on Nov. 23, 2026. Choose a later day."
        ]


def test_an_inspection_out_of_sequence_or_of_another_permit_type_is_refused(
    client, homeowner, permit
):
    water_heater_final = InspectionType.objects.get(permit_type__code_prefix="WHTR", code="FINAL")
    client.force_login(homeowner)

    out_of_turn = client.post(
        request_url(permit),
        booking_data(permit, inspection_type=str(type_of(permit, "FINAL").pk)),
    )
    foreign = client.post(
        request_url(permit), booking_data(permit, inspection_type=str(water_heater_final.pk))
    )

    assert out_of_turn.context["form"].errors["inspection_type"] == [
        "Waiting for Sheathing and nailing to pass."
    ]
    assert foreign.context["form"].errors["inspection_type"] == [
        "Choose one of this permit's inspections."
    ]
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("phone", ["555-12", "abc", "", "110-555-0142"])
def test_a_malformed_phone_number_is_refused(client, homeowner, permit, phone):
    client.force_login(homeowner)

    response = client.post(request_url(permit), booking_data(permit, contact_phone=phone))

    (error,) = response.context["form"].errors["contact_phone"]
    assert "phone number" in error
    assert 'aria-describedby="id_contact_phone_helptext id_contact_phone_error"' in text_of(
        response
    )
    assert not Inspection.objects.exists()


def test_access_notes_are_limited_to_500_characters(client, homeowner, permit):
    client.force_login(homeowner)

    response = client.post(request_url(permit), booking_data(permit, access_notes="x" * 501))

    assert response.context["form"].errors["access_notes"]
    assert not Inspection.objects.exists()


def test_a_full_day_is_not_offered_and_a_request_for_it_is_refused(
    client, homeowner, contractor, clerk, permit
):
    SchedulingRules.objects.filter(pk=1).update(daily_capacity=1)
    other = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
    booked(other, homeowner)
    client.force_login(homeowner)

    offered = [
        option.value for option in client.get(request_url(permit)).context["form"].day_options
    ]
    response = client.post(request_url(permit), booking_data(permit))

    assert "2026-11-24" not in offered and "2026-11-25" in offered
    assert response.context["form"].errors["scheduled_for"] == [
        "Nov. 24, 2026 has just been fully booked. Choose another day."
    ]
    assert Inspection.objects.count() == 1


def test_a_day_close_to_full_says_how_many_places_are_left(
    client, homeowner, contractor, clerk, permit
):
    SchedulingRules.objects.filter(pk=1).update(daily_capacity=3)
    other = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
    booked(other, homeowner)
    client.force_login(homeowner)

    page = text_of(client.get(request_url(permit)))

    assert "2 places left" in page and "3 places left" in page


def test_when_no_inspection_is_open_the_page_says_why_and_offers_no_form(client, homeowner, permit):
    booked(permit, homeowner)
    client.force_login(homeowner)

    page = text_of(client.get(request_url(permit)))
    response = client.post(request_url(permit), booking_data(permit))

    assert "None of this permit's inspections can be requested now" in page
    assert "Already scheduled: reschedule it instead of booking it again." in page
    assert "Waiting for Sheathing and nailing to pass." in page
    assert "<form" not in page.split('id="main"')[1]
    assert response.status_code == 200 and Inspection.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Permit.Status.APPROVED, "Inspections can be requested once the permit is issued."),
        (Permit.Status.EXPIRED, "This permit has expired and can no longer be inspected."),
        (Permit.Status.FINALED, "This permit is finaled"),
    ],
)
def test_a_permit_that_cannot_be_inspected_says_why(client, homeowner, permit, status, message):
    Permit.objects.filter(pk=permit.pk).update(status=status)
    client.force_login(homeowner)

    page = text_of(client.get(request_url(permit)))
    response = client.post(request_url(permit), booking_data(permit))

    assert message in page and "Request the inspection</button>" not in page
    assert f'href="/permits/applications/{permit.pk}/"' in page
    assert message in text_of(response)
    assert not Inspection.objects.exists()


def test_an_issued_permit_past_its_expiry_date_cannot_be_inspected(client, homeowner, permit):
    Permit.objects.filter(pk=permit.pk).update(expires_on=MONDAY - datetime.timedelta(days=1))
    client.force_login(homeowner)

    assert "This permit has expired" in text_of(client.get(request_url(permit)))


def test_a_submitted_permit_is_not_yet_inspected(client, homeowner):
    submitted = permit_submitted(homeowner, "EPNL")
    client.force_login(homeowner)

    page = text_of(client.get(request_url(submitted)))

    assert "Inspections can be requested once the permit is issued." in page


def test_someone_elses_permit_or_a_draft_they_are_named_on_is_404(
    client, homeowner, contractor, stranger, permit
):
    draft = permit_draft_complete(homeowner, "RERF", contractor=contractor)

    client.force_login(stranger)
    assert client.get(request_url(permit)).status_code == 404
    assert client.post(request_url(permit), booking_data(permit)).status_code == 404
    assert client.get("/inspections/permits/999999/request/").status_code == 404
    client.force_login(contractor)
    assert client.get(request_url(draft)).status_code == 404
    assert not Inspection.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, permit):
    response = client.get(request_url(permit))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# The inspection's page ----------------------------------------------------------------


def test_the_page_shows_the_booking_and_what_can_be_done(client, homeowner, permit):
    inspection = booked(permit, homeowner)
    client.force_login(homeowner)

    page = text_of(client.get(page_of(inspection)))

    assert permit.number in page and f'href="/permits/applications/{permit.pk}/"' in page
    assert "30940 Hawthorne Blvd, Rancho Palos Verdes 90275" in page
    assert "Sheathing and nailing" in page and "Tuesday, November 24, 2026" in page
    assert "Morning, 8 a.m. to noon" in page and ">Scheduled</span>" in page
    assert f'confirmation-number">{inspection.confirmation_number}</dd>' in page
    assert 'href="tel:+13105550142">310-555-0142</a>' in page
    assert (
        "You can cancel or move this inspection online until 3 p.m. on Monday, November 23." in page
    )
    assert f'href="{page_of(inspection, "cancel/")}"' in page
    assert f'href="{page_of(inspection, "reschedule/")}"' in page
    assert f'href="{page_of(inspection, "inspection.ics")}"' in page


def test_after_the_cut_off_the_page_gives_the_inspection_lines_number(
    client, homeowner, permit, time_machine
):
    inspection = booked(permit, homeowner)
    time_machine.move_to(at(MONDAY, 15), tick=False)
    client.force_login(homeowner)

    page = text_of(client.get(page_of(inspection)))

    assert "Changes to inspections on Nov. 24, 2026 closed at 3 p.m. on Nov. 23, 2026." in page
    assert 'call Building and Safety at <a href="tel:+13105445280">310-544-5280</a>.' in page
    assert "/cancel/" not in page and "/reschedule/" not in page


def test_a_completed_inspection_shows_its_result_corrections_and_comments(
    client, homeowner, inspector, permit
):
    inspection = booked(permit, homeowner)
    services.inspection_result_record(
        inspection=inspection,
        actor=inspector,
        result=services.Result(
            result=Inspection.Result.CORRECTIONS,
            inspected_at=at(MONDAY, 9),
            comments="Nailing pattern fine on the south slope.",
            corrections="Replace the delaminated sheet at the ridge.\n"
            "Add edge nailing at the eaves.",
        ),
    )
    client.force_login(homeowner)

    page = text_of(client.get(page_of(inspection)))

    assert ">Corrections needed</span>" in page
    assert "<li>Replace the delaminated sheet at the ridge.</li>" in page
    assert "<li>Add edge nailing at the eaves.</li>" in page
    assert "Nailing pattern fine on the south slope." in page
    assert "/cancel/" not in page and "/reschedule/" not in page
    assert inspector.last_name not in page


def test_the_page_takes_a_bounded_number_of_queries(
    client, homeowner, permit, django_assert_max_num_queries
):
    inspection = booked(permit, homeowner)
    client.force_login(homeowner)
    client.get(page_of(inspection))  # the city's settings are cached from here on

    with django_assert_max_num_queries(6):
        text_of(client.get(page_of(inspection)))
    with django_assert_max_num_queries(9):
        text_of(client.get(request_url(permit)))


# Cancelling ---------------------------------------------------------------------------


def test_cancel_asks_first_then_cancels_and_emails_each_person(
    client, homeowner, contractor, permit, django_capture_on_commit_callbacks
):
    inspection = booked(permit, homeowner)
    client.force_login(homeowner)
    mail.outbox.clear()

    page = text_of(client.get(page_of(inspection, "cancel/")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_of(inspection, "cancel/"))

    assert "Cancel this inspection?" in page and "csrfmiddlewaretoken" in page
    assert f'href="{page_of(inspection)}">Keep it</a>' in page
    assert response.status_code == 302 and response["Location"] == page_of(inspection)
    inspection = fresh(inspection)
    assert inspection.status == Inspection.Status.CANCELLED
    assert inspection.cancelled_at == at(MONDAY)
    (message,) = messages_of(client.get(page_of(inspection)))
    assert "is cancelled" in message and inspection.confirmation_number in message
    assert len(mail.outbox) == 2
    (event,) = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")
    assert event["status"] == "CANCELLED"


def test_after_the_cut_off_cancel_gives_the_phone_number_and_changes_nothing(
    client, homeowner, permit, time_machine
):
    inspection = booked(permit, homeowner)
    time_machine.move_to(at(MONDAY, 15), tick=False)
    client.force_login(homeowner)

    for response in (
        client.get(page_of(inspection, "cancel/"), follow=True),
        client.post(page_of(inspection, "cancel/"), follow=True),
    ):
        assert response.redirect_chain == [(page_of(inspection), 302)]
        (message,) = messages_of(response)
        assert PHONE_MESSAGE in message
    assert fresh(inspection).status == Inspection.Status.SCHEDULED


def test_a_cancelled_or_completed_inspection_cannot_be_cancelled(
    client, homeowner, inspector, permit
):
    cancelled = booked(permit, homeowner)
    services.inspection_cancel(inspection=cancelled, user=homeowner)
    completed = booked(permit, homeowner)
    services.inspection_result_record(
        inspection=completed,
        actor=inspector,
        result=services.Result(result=Inspection.Result.PASSED, inspected_at=at(MONDAY, 9)),
    )
    client.force_login(homeowner)

    for inspection, status in ((cancelled, "cancelled"), (completed, "completed")):
        response = client.post(page_of(inspection, "cancel/"), follow=True)
        assert messages_of(response) == [
            f"This inspection is {status}; only a scheduled inspection can be changed."
        ]
        assert fresh(inspection).status == status


# Rescheduling -------------------------------------------------------------------------


def test_reschedule_offers_the_current_booking_and_moves_it(
    client, homeowner, contractor, permit, django_capture_on_commit_callbacks
):
    SchedulingRules.objects.filter(pk=1).update(daily_capacity=1)
    old = booked(permit, homeowner)
    client.force_login(homeowner)
    mail.outbox.clear()

    form = client.get(page_of(old, "reschedule/")).context["form"]
    # The full day is the booking's own, so it is still offered, and chosen.
    assert [option.value for option in form.day_options if option.checked] == ["2026-11-24"]
    assert [option.value for option in form.window_options if option.checked] == ["am"]
    assert "inspection_type" not in form.fields
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page_of(old, "reschedule/"),
            {
                "scheduled_for": WEDNESDAY.isoformat(),
                "window": "pm",
                "contact_name": "Sam Ortiz",
                "contact_phone": "310 555 0199",
                "access_notes": "",
            },
        )

    old = fresh(old)
    new = old.rescheduled_as
    assert response.status_code == 302 and response["Location"] == page_of(new)
    assert old.status == Inspection.Status.CANCELLED
    assert new.status == Inspection.Status.SCHEDULED
    assert (new.scheduled_for, new.window, new.contact_phone) == (WEDNESDAY, "pm", "310-555-0199")
    assert new.inspection_type == old.inspection_type
    assert new.confirmation_number != old.confirmation_number
    (message,) = messages_of(client.get(page_of(new)))
    assert new.confirmation_number in message and old.confirmation_number in message
    assert len(mail.outbox) == 2
    old_page = text_of(client.get(page_of(old)))
    assert f'href="{page_of(new)}"' in old_page and "/reschedule/" not in old_page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scheduled_for": "2026-11-27"}, "scheduled_for", "(Day after Thanksgiving)"),
        ({"scheduled_for": "2026-11-21"}, "scheduled_for", "Choose a day after today."),
        ({"window": "evening"}, "window", "Choose the morning or the afternoon."),
        ({"contact_phone": "555-12"}, "contact_phone", "10-digit phone number"),
    ],
)
def test_a_move_that_is_refused_changes_nothing(client, homeowner, permit, changes, field, message):
    old = booked(permit, homeowner)
    client.force_login(homeowner)
    data = {
        "scheduled_for": WEDNESDAY.isoformat(),
        "window": "pm",
        "contact_name": "Sam Ortiz",
        "contact_phone": "310-555-0199",
        **changes,
    }

    response = client.post(page_of(old, "reschedule/"), data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Inspection.objects.get() == old
    assert fresh(old).status == Inspection.Status.SCHEDULED


def test_after_the_cut_off_reschedule_gives_the_phone_number(
    client, homeowner, permit, time_machine
):
    old = booked(permit, homeowner)
    time_machine.move_to(at(MONDAY, 15), tick=False)
    client.force_login(homeowner)

    response = client.post(
        page_of(old, "reschedule/"),
        {
            "scheduled_for": "2026-12-01",
            "window": "am",
            "contact_name": "R",
            "contact_phone": "310-555-0142",
        },
        follow=True,
    )

    (message,) = messages_of(response)
    assert PHONE_MESSAGE in message
    assert Inspection.objects.get().status == Inspection.Status.SCHEDULED


# The calendar file --------------------------------------------------------------------


def test_the_calendar_file_holds_the_inspection(client, homeowner, permit):
    inspection = booked(permit, homeowner)
    client.force_login(homeowner)

    response = client.get(page_of(inspection, "inspection.ics"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="inspection-{inspection.confirmation_number}.ics"'
    )
    assert "no-store" in response["Cache-Control"]
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == at(TUESDAY, 8)
    assert event.decoded("dtend") == at(TUESDAY, 12)
    assert permit.number in str(event["summary"])


# Who may -------------------------------------------------------------------------------


def test_another_persons_inspection_is_404_on_every_page(client, homeowner, stranger, permit):
    inspection = booked(permit, homeowner)
    client.force_login(stranger)

    for action in ("", "cancel/", "reschedule/", "inspection.ics"):
        assert client.get(page_of(inspection, action)).status_code == 404
    for action in ("cancel/", "reschedule/"):
        assert client.post(page_of(inspection, action), {"window": "pm"}).status_code == 404
    assert client.get("/inspections/999999/").status_code == 404
    assert fresh(inspection).status == Inspection.Status.SCHEDULED


def test_the_contractor_on_the_permit_can_do_everything(
    client, contractor, permit, django_capture_on_commit_callbacks
):
    client.force_login(contractor)

    page = text_of(client.get(request_url(permit)))
    response = client.post(
        request_url(permit),
        booking_data(permit, contact_name="Coastline crew", contact_phone="424-555-0100"),
    )
    inspection = Inspection.objects.get()
    moved = client.post(
        page_of(inspection, "reschedule/"),
        {
            "scheduled_for": "2026-11-30",
            "window": "pm",
            "contact_name": "Coastline crew",
            "contact_phone": "424-555-0100",
        },
    )
    new = fresh(inspection).rescheduled_as
    ics = client.get(page_of(new, "inspection.ics"))
    cancelled = client.post(page_of(new, "cancel/"))

    assert 'value="310-555-0142"' in page  # the contractor's own phone, prefilled
    assert response.status_code == 302 and inspection.requested_by == contractor
    assert moved.status_code == 302 and new.scheduled_for == datetime.date(2026, 11, 30)
    assert ics.status_code == 200
    assert cancelled.status_code == 302
    assert fresh(new).status == Inspection.Status.CANCELLED
