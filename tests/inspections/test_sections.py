"""Inspections where people look for them: the applicant's permit page, the public
permit page (dates, types and results, nothing personal) and the dashboard.

The clock stands at 10:00 on Monday 2026-11-16 in Los Angeles unless a test moves it."""

import datetime
import itertools
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import Inspection, InspectionType, Window
from inspections.services import Booking, Result
from permits import services as permit_services
from permits.models import Permit, PermitType
from tests.factories import UserFactory
from tests.permits.issuing import permit_issued
from tests.permits.support import permit_submitted

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MON = datetime.date(2026, 11, 16)
TUE = datetime.date(2026, 11, 17)
WED = datetime.date(2026, 11, 18)

# What the people on site told the city and what the inspector wrote: never public.
CONTACT_NAME = "Marisol Quintero"
CONTACT_PHONE = "424-555-0199"
ACCESS_NOTES = "Gate code 4321, dog in the side yard"
CORRECTIONS = "Nail the ridge at 4 inches on center\nReplace the rotted sheathing at the eave"
COMMENTS = "Owner's son let me in; ladder on the north side"

_confirmations = itertools.count(1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


@pytest.fixture
def clock(time_machine):
    def move_to(day: datetime.date, hour: int, minute: int = 0) -> None:
        time_machine.move_to(at(day, hour, minute), tick=False)

    return move_to


@pytest.fixture(autouse=True)
def _monday_morning(clock):
    clock(MON, 10)


def type_of(permit: Permit, code: str) -> InspectionType:
    return InspectionType.objects.get(permit_type=permit.permit_type, code=code)


def book(permit: Permit, code: str = "SHTH", *, day: datetime.date = TUE, user=None):
    return services.inspection_request(
        permit=permit,
        inspection_type=type_of(permit, code),
        user=user or permit.applicant,
        booking=Booking(
            scheduled_for=day,
            window=Window.MORNING,
            contact_name=CONTACT_NAME,
            contact_phone=CONTACT_PHONE,
            access_notes=ACCESS_NOTES,
        ),
    )


def record(inspection: Inspection, inspector, result: str, **details) -> Inspection:
    return services.inspection_result_record(
        inspection=inspection,
        actor=inspector,
        result=Result(result=result, inspected_at=timezone.now(), **details),
    )


def completed(permit: Permit, code: str, day: datetime.date, result: str, **fields) -> Inspection:
    """A past inspection written straight to the table, for tests that need many."""
    return Inspection.objects.create(
        permit=permit,
        inspection_type=type_of(permit, code),
        confirmation_number=f"TEST-{next(_confirmations):04d}",
        status=Inspection.Status.COMPLETED,
        result=result,
        scheduled_for=day,
        window=Window.MORNING,
        contact_name=CONTACT_NAME,
        contact_phone=CONTACT_PHONE,
        requested_by=permit.applicant,
        inspected_at=at(day, 11),
        **fields,
    )


@pytest.fixture
def corrected_and_rebooked(reroof, contractor, inspector, clock) -> Permit:
    """Sheathing inspected on Tuesday with corrections, and booked again for Wednesday;
    the clock is left at 1:00 PM on Tuesday."""
    first = book(reroof, user=contractor)
    clock(TUE, 13)
    record(
        first, inspector, Inspection.Result.CORRECTIONS, corrections=CORRECTIONS, comments=COMMENTS
    )
    book(reroof, day=WED)
    return reroof


def permit_page(client, permit: Permit) -> str:
    response = client.get(reverse("permits:detail", args=[permit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def public_main(client, permit: Permit) -> str:
    """The public page without the layout, whose footer lists the city's phone numbers."""
    response = client.get(reverse("permits:public", args=[permit.number]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<main id="main"') : page.index("</main>")]


def section(page: str) -> str:
    start = page.index('id="inspections"')
    return page[start : page.index("</section>", start)]


def dashboard_section(client) -> str:
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    return section(response.content.decode())


# The applicant's permit page --------------------------------------------------------


@pytest.mark.parametrize("who", ["homeowner", "contractor"])
def test_the_applicant_and_the_contractor_can_request_the_first_inspection(
    client, reroof, who, request
):
    client.force_login(request.getfixturevalue(who))

    inspections = section(permit_page(client, reroof))

    assert "Sheathing and nailing</strong>:\n        Ready to request." in inspections
    assert "Final roof</strong> (final):\n        Waiting for Sheathing and nailing to pass." in (
        inspections
    )
    assert f'href="{reverse("inspections:request", args=[reroof.pk])}"' in inspections
    assert "Request an inspection" in inspections
    assert "No inspection has been requested yet." in inspections


def test_the_page_lists_results_with_corrections_and_the_next_booking(
    client, corrected_and_rebooked, homeowner
):
    client.force_login(homeowner)

    inspections = section(permit_page(client, corrected_and_rebooked))

    rebooked, corrected = Inspection.objects.filter(permit=corrected_and_rebooked).order_by(
        "-scheduled_for"
    )
    # Newest first, each linked to its page by its confirmation number.
    assert inspections.index("Wednesday, Nov. 18, 2026") < inspections.index(
        "Tuesday, Nov. 17, 2026"
    )
    for inspection in (rebooked, corrected):
        assert (
            f'<a href="{reverse("inspections:detail", args=[inspection.pk])}">'
            f"{inspection.confirmation_number}</a>"
        ) in inspections
    assert '<span class="badge text-bg-info">Scheduled</span>' in inspections
    assert '<span class="badge text-bg-warning">Corrections needed</span>' in inspections
    assert "<li>Nail the ridge at 4 inches on center</li>" in inspections
    assert "<li>Replace the rotted sheathing at the eave</li>" in inspections
    assert "comments:</span> Owner&#x27;s son let me in; ladder on the north side" in inspections
    # Booked again, so nothing more to request until it passes.
    assert "Already scheduled: reschedule it instead of booking it again." in inspections
    assert reverse("inspections:request", args=[corrected_and_rebooked.pk]) not in inspections
    assert "No inspection can be requested now" in inspections


def test_a_finaled_permit_says_so_instead_of_offering_a_request(
    client, reroof, homeowner, inspector, clock
):
    record(book(reroof), inspector, Inspection.Result.PASSED)
    clock(TUE, 13)
    record(book(reroof, "FINAL", day=WED), inspector, Inspection.Result.PASSED)
    client.force_login(homeowner)

    inspections = section(permit_page(client, reroof))

    assert "This permit is finaled: its work passed the final inspection." in inspections
    assert "Request an inspection" not in inspections
    assert inspections.count('<span class="badge text-bg-success">Passed</span>') == 2


def test_an_issued_permit_of_a_type_without_inspections_says_none_are_needed(
    client, homeowner, clerk
):
    dumpster = permit_issued(homeowner, "DMPR", clerk=clerk)
    client.force_login(homeowner)

    assert "This permit needs no inspections." in section(permit_page(client, dumpster))


def test_a_permit_not_yet_issued_has_no_inspection_section(client, homeowner):
    permit = permit_submitted(homeowner, "RERF")
    assert permit.status == Permit.Status.APPROVED
    client.force_login(homeowner)

    assert 'id="inspections"' not in permit_page(client, permit)


def test_the_permit_page_reads_as_many_queries_for_many_inspections_as_for_one(
    client, reroof, homeowner, django_assert_max_num_queries
):
    completed(reroof, "SHTH", datetime.date(2026, 11, 2), Inspection.Result.FAILED)
    client.force_login(homeowner)
    with django_assert_max_num_queries(30) as one:
        permit_page(client, reroof)
    for day in range(3, 13):
        completed(
            reroof, "SHTH", datetime.date(2026, 11, day), "corrections", corrections=CORRECTIONS
        )
    book(reroof)

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = permit_page(client, reroof)

    assert section(page).count("inspection-corrections") == 10


# The public page ---------------------------------------------------------------------


def test_the_public_page_shows_dates_types_and_results_and_nothing_personal(
    client, corrected_and_rebooked, homeowner, contractor, inspector
):
    main = public_main(client, corrected_and_rebooked)
    inspections = section(main)

    assert "Inspections required" in inspections
    assert inspections.index("<li>Sheathing and nailing</li>") < inspections.index(
        "<li>Final roof</li>"
    )
    assert "Corrections needed</span>" in inspections
    assert '<time datetime="2026-11-17">Nov. 17, 2026</time>' in inspections
    assert "Scheduled for Nov. 18, 2026" in inspections
    for private in (
        CONTACT_NAME,
        CONTACT_PHONE,
        "Gate code",
        *CORRECTIONS.splitlines(),
        COMMENTS,
        "Owner&#x27;s son",
        inspector.first_name,
        inspector.last_name,
        homeowner.phone,
        *(inspection.confirmation_number for inspection in Inspection.objects.all()),
    ):
        assert private not in main, private


def test_a_cancelled_inspection_is_not_on_the_public_page(client, reroof, homeowner):
    services.inspection_cancel(inspection=book(reroof), user=homeowner)

    inspections = section(public_main(client, reroof))

    assert "Scheduled for" not in inspections and "Cancelled" not in inspections
    assert "None yet." in inspections


def test_a_denied_permit_lists_no_inspections(client, homeowner, clerk):
    PermitType.objects.filter(code_prefix="RERF").update(is_over_the_counter=False)
    permit = permit_submitted(homeowner, "RERF")
    permit_services.permit_deny(permit=permit, reviewer=clerk, reason="Outside the city.")

    main = public_main(client, permit)

    assert "Denied" in main
    assert 'id="inspections"' not in main and "Inspections required" not in main


def test_the_public_page_reads_as_many_queries_for_many_inspections_as_for_one(
    client, reroof, django_assert_max_num_queries
):
    completed(reroof, "SHTH", datetime.date(2026, 11, 2), Inspection.Result.FAILED)
    with django_assert_max_num_queries(10) as one:
        public_main(client, reroof)
    for day in range(3, 13):
        completed(reroof, "SHTH", datetime.date(2026, 11, day), Inspection.Result.NO_ACCESS)

    with django_assert_max_num_queries(len(one.captured_queries)):
        main = public_main(client, reroof)

    assert section(main).count("No access</span>") == 10


# The dashboard -----------------------------------------------------------------------


def test_the_dashboard_lists_upcoming_inspections_and_recent_results_of_mine_only(
    client, corrected_and_rebooked, contractor, homeowner, clerk
):
    rebooked = corrected_and_rebooked.inspections.get(status=Inspection.Status.SCHEDULED)
    corrected = corrected_and_rebooked.inspections.get(status=Inspection.Status.COMPLETED)
    long_ago = completed(
        corrected_and_rebooked, "SHTH", datetime.date(2026, 10, 13), Inspection.Result.FAILED
    )
    stranger = UserFactory(username="mallory", email_verified=True)
    strangers = permit_issued(stranger, "RERF", clerk=clerk)
    strangers_booking = book(strangers, day=WED)

    for person in (homeowner, contractor):
        client.force_login(person)
        inspections = dashboard_section(client)

        upcoming = inspections[inspections.index("Upcoming") : inspections.index("Recent results")]
        assert (
            f'<a href="{reverse("inspections:detail", args=[rebooked.pk])}">'
            "Sheathing and nailing on Wednesday, Nov. 18, 2026</a>"
        ) in upcoming
        assert f"Morning · {corrected_and_rebooked.number} · 30940 Hawthorne Blvd" in upcoming
        results = inspections[inspections.index("Recent results") :]
        assert (
            f'<a href="{reverse("inspections:detail", args=[corrected.pk])}">'
            "Sheathing and nailing, inspected Nov. 17, 2026</a>"
        ) in results
        assert "Corrections needed</span>" in results
        # More than 30 days ago, and someone else's.
        assert reverse("inspections:detail", args=[long_ago.pk]) not in inspections
        assert reverse("inspections:detail", args=[strangers_booking.pk]) not in inspections
        assert strangers.number not in inspections
        assert reverse("inspections:calendar") in inspections
        assert "No inspections scheduled." not in inspections


def test_the_dashboard_says_what_to_do_when_there_are_no_inspections(client, reroof, homeowner):
    client.force_login(homeowner)

    inspections = dashboard_section(client)

    assert "No inspections scheduled. Once the city issues one of your permits" in inspections
    assert "Add your inspections to your calendar" in inspections


def test_the_dashboard_shows_a_few_and_points_to_the_permits_for_the_rest(
    client, homeowner, contractor, clerk, django_assert_max_num_queries
):
    permits = [permit_issued(homeowner, "RERF", clerk=clerk) for _ in range(2)]
    book(permits[0])
    client.force_login(homeowner)
    with django_assert_max_num_queries(30) as one:
        dashboard_section(client)
    for permit in [*permits, *(permit_issued(homeowner, "EPNL", clerk=clerk) for _ in range(5))]:
        if not permit.inspections.exists():
            book(permit, "ROUGH" if permit.permit_type.code_prefix == "EPNL" else "SHTH")
        completed(permit, "FINAL", datetime.date(2026, 11, 13), Inspection.Result.FAILED)

    with django_assert_max_num_queries(len(one.captured_queries)):
        inspections = dashboard_section(client)

    upcoming = inspections[inspections.index("Upcoming") : inspections.index("Recent results")]
    assert upcoming.count("<li") == 5
    assert inspections[inspections.index("Recent results") :].count("<li") == 5
    assert reverse("permits:mine") in inspections
