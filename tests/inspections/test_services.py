"""The inspection services against the database: who may book what and when, the
sequence of a permit's inspections, cancelling and moving before the cut-off, the
daily capacity, recording results (a passed final finals the permit), the emails each
change sends and the history each keeps.

The clock stands at 10:00 on Monday 2026-11-16 in Los Angeles unless a test moves it;
the demo city's holidays put Thanksgiving on Thursday the 26th and Friday the 27th."""

import datetime
import re
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from inspections import services
from inspections.models import Inspection, InspectionType, SchedulingRules, Window
from inspections.services import Booking, InspectionError, Result
from permits.models import Permit, PermitEvent, PermitType
from tests.factories import ContractorFactory, UserFactory
from tests.permits.issuing import permit_approved, permit_issued
from tests.permits.support import permit_submitted

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MON = datetime.date(2026, 11, 16)
TUE = datetime.date(2026, 11, 17)
WED = datetime.date(2026, 11, 18)
THU = datetime.date(2026, 11, 19)
SAT = datetime.date(2026, 11, 21)
NEXT_MON = datetime.date(2026, 11, 23)

S = Inspection.Status
R = Inspection.Result

LATE_MESSAGE = (
    "Changes to inspections on Nov. 17, 2026 closed at 3 p.m. on Nov. 16, 2026. "
    "To cancel or move it now, call Building and Safety at 310-544-5280."
)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


@pytest.fixture
def clock(time_machine):
    """Stops the clock at a moment in the city's zone and returns it."""

    def move_to(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        time_machine.move_to(at(day, hour, minute), tick=False)
        return timezone.now()

    return move_to


@pytest.fixture(autouse=True)
def _monday_morning(clock):
    clock(MON, 10)


def booking(day: datetime.date = TUE, window: str = Window.MORNING, **details) -> Booking:
    details = {"contact_name": "Rosa Delgado", "contact_phone": "310-555-0142", **details}
    return Booking(scheduled_for=day, window=window, **details)


def type_of(permit: Permit, code: str) -> InspectionType:
    return InspectionType.objects.get(permit_type=permit.permit_type, code=code)


def book(
    permit: Permit,
    code: str = "SHTH",
    *,
    user=None,
    day: datetime.date = TUE,
    window: str = Window.MORNING,
) -> Inspection:
    return services.inspection_request(
        permit=permit,
        inspection_type=type_of(permit, code),
        user=user or permit.applicant,
        booking=booking(day, window),
    )


def record(
    inspection: Inspection,
    actor,
    result: str,
    *,
    inspected_at: datetime.datetime | None = None,
    corrections: str = "",
    comments: str = "",
) -> Inspection:
    return services.inspection_result_record(
        inspection=inspection,
        actor=actor,
        result=Result(
            result=result,
            inspected_at=inspected_at or timezone.now(),
            corrections=corrections,
            comments=comments,
        ),
    )


@pytest.fixture
def inspected(clock, inspector):
    """Goes to the inspection's day, after the morning round, and records a result."""

    def run(inspection: Inspection, result: str = R.PASSED, **details) -> Inspection:
        clock(inspection.scheduled_for, 13)
        return record(inspection, inspector, result, **details)

    return run


def refused(change, message: str, *, field: str | None = None) -> None:
    """The change raises `message` (exactly) and saves no inspection."""
    before = list(Inspection.objects.order_by("pk").values())
    with pytest.raises(InspectionError) as error:
        change()
    assert str(error.value) == message
    assert error.value.field == field
    assert list(Inspection.objects.order_by("pk").values()) == before


@pytest.fixture
def rules(reroof) -> SchedulingRules:
    return SchedulingRules.objects.get()


@pytest.fixture
def another_reroof(homeowner, contractor, clerk) -> Permit:
    return permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)


# Who may book, on which permits.


def test_the_applicant_books_the_first_inspection_of_the_sequence(reroof, homeowner):
    inspection = services.inspection_request(
        permit=reroof,
        inspection_type=type_of(reroof, "SHTH"),
        user=homeowner,
        booking=booking(
            contact_name="  Rosa Delgado ",
            contact_phone="310-555-0142",
            access_notes=" Gate code 4321. ",
        ),
    )
    inspection.refresh_from_db()
    assert inspection.permit == reroof
    assert inspection.inspection_type.code == "SHTH"
    assert inspection.status == S.SCHEDULED
    assert inspection.scheduled_for == TUE
    assert inspection.window == Window.MORNING
    assert inspection.contact_name == "Rosa Delgado"
    assert inspection.contact_phone == "310-555-0142"
    assert inspection.access_notes == "Gate code 4321."
    assert inspection.requested_by == homeowner
    assert inspection.requested_at == at(MON, 10)
    assert inspection.result == ""
    assert inspection.inspector is None
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", inspection.confirmation_number)


def test_the_contractor_books_on_their_clients_permit(reroof, contractor):
    inspection = book(reroof, user=contractor, window=Window.AFTERNOON)
    assert inspection.requested_by == contractor
    assert inspection.window == Window.AFTERNOON


def test_confirmation_numbers_differ(reroof, another_reroof):
    assert book(reroof).confirmation_number != book(another_reroof).confirmation_number


def test_someone_not_on_the_permit_cannot_book_it(reroof, clerk):
    stranger = UserFactory(email_verified=True)
    other_contractor = ContractorFactory(email_verified=True)
    for user in (stranger, other_contractor, clerk):
        refused(
            lambda user=user: book(reroof, user=user),
            "Only the permit's applicant or contractor can book it.",
        )


def test_a_permit_still_in_review_cannot_be_inspected(homeowner, contractor):
    PermitType.objects.filter(code_prefix="RERF").update(is_over_the_counter=False)
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    assert permit.status == Permit.Status.SUBMITTED
    refused(lambda: book(permit), "Inspections can be requested once the permit is issued.")


def test_an_approved_permit_with_fees_due_cannot_be_inspected(homeowner, contractor, clerk):
    permit = permit_approved(homeowner, "RERF", clerk=clerk, contractor=contractor)
    assert permit.status == Permit.Status.APPROVED
    refused(lambda: book(permit), "Inspections can be requested once the permit is issued.")


EXPIRED = (
    "This permit has expired and can no longer be inspected. Apply for a new permit or "
    "call the Permit Center."
)


def test_an_expired_permit_cannot_be_inspected(reroof):
    Permit.objects.filter(pk=reroof.pk).update(status=Permit.Status.EXPIRED)
    refused(lambda: book(reroof), EXPIRED)


def test_an_issued_permit_past_its_date_cannot_be_inspected_before_the_nightly_expiry(reroof):
    Permit.objects.filter(pk=reroof.pk).update(expires_on=MON - datetime.timedelta(days=1))
    refused(lambda: book(reroof), EXPIRED)


def test_an_issued_permit_on_its_last_day_books_that_day_and_no_later(reroof):
    Permit.objects.filter(pk=reroof.pk).update(expires_on=TUE)
    refused(
        lambda: book(reroof, day=WED),
        "The permit expires on Nov. 17, 2026; choose a day before then.",
        field="scheduled_for",
    )
    assert book(reroof, day=TUE).scheduled_for == TUE


def test_a_finaled_permit_cannot_be_inspected(reroof, inspected):
    inspected(book(reroof, "SHTH", day=TUE))
    inspected(book(reroof, "FINAL", day=WED))
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.FINALED
    refused(
        lambda: book(reroof, "SHTH", day=NEXT_MON),
        "This permit is finaled: its work passed the final inspection.",
    )


# Which day and window.


def test_a_day_the_calendar_refuses_is_refused_beside_the_date(reroof, clock):
    refused(
        lambda: book(reroof, day=SAT),
        "The city does not inspect on Nov. 21, 2026, a Saturday. Choose another day.",
        field="scheduled_for",
    )
    refused(
        lambda: book(reroof, day=datetime.date(2026, 11, 26)),
        "The city does not inspect on Nov. 26, 2026 (Thanksgiving Day). Choose another day.",
        field="scheduled_for",
    )
    refused(lambda: book(reroof, day=MON), "Choose a day after today.", field="scheduled_for")
    clock(MON, 14, 59)
    assert book(reroof, day=TUE).scheduled_for == TUE


def test_after_the_cut_off_tomorrow_is_refused(reroof, clock):
    clock(MON, 15)
    refused(
        lambda: book(reroof, day=TUE),
        "Requests for Nov. 17, 2026 closed at 3 p.m. on Nov. 16, 2026. Choose a later day.",
        field="scheduled_for",
    )
    assert book(reroof, day=WED).scheduled_for == WED


def test_the_last_day_of_the_horizon_is_booked_and_the_next_refused(reroof, another_reroof):
    # Ten inspection days from Monday the 16th, Thanksgiving skipped: Wednesday, Dec. 2.
    refused(
        lambda: book(reroof, day=datetime.date(2026, 12, 3)),
        "Inspections can be booked up to 10 inspection days ahead, until Dec. 2, 2026. "
        "Choose an earlier day.",
        field="scheduled_for",
    )
    assert book(another_reroof, day=datetime.date(2026, 12, 2)).scheduled_for == datetime.date(
        2026, 12, 2
    )


def test_a_window_other_than_morning_or_afternoon_is_refused(reroof):
    refused(
        lambda: book(reroof, window="ev"), "Choose the morning or the afternoon.", field="window"
    )


# The sequence.


def test_an_inspection_of_another_permit_type_is_refused(reroof, homeowner, contractor, clerk):
    panel = permit_issued(homeowner, "EPNL", clerk=clerk, contractor=contractor)
    refused(
        lambda: services.inspection_request(
            permit=reroof,
            inspection_type=type_of(panel, "ROUGH"),
            user=homeowner,
            booking=booking(),
        ),
        "This permit does not need that inspection.",
        field="inspection_type",
    )


def test_the_final_waits_for_the_sheathing_to_pass(reroof, inspected):
    waiting = "Waiting for Sheathing and nailing to pass."
    refused(lambda: book(reroof, "FINAL"), waiting, field="inspection_type")
    sheathing = book(reroof, "SHTH", day=TUE)
    refused(lambda: book(reroof, "FINAL", day=WED), waiting, field="inspection_type")

    inspected(sheathing)
    final = book(reroof, "FINAL", day=WED)
    assert final.inspection_type.code == "FINAL"


def test_a_type_already_scheduled_is_refused_and_rescheduled_instead(reroof, contractor):
    book(reroof, "SHTH")
    refused(
        lambda: book(reroof, "SHTH", user=contractor, day=WED),
        "Already scheduled: reschedule it instead of booking it again.",
        field="inspection_type",
    )


def test_a_passed_type_cannot_be_booked_again(reroof, inspected):
    inspected(book(reroof, "SHTH"))
    refused(lambda: book(reroof, "SHTH", day=WED), "Passed.", field="inspection_type")


@pytest.mark.parametrize("result", [R.PARTIAL, R.CORRECTIONS, R.FAILED, R.NO_ACCESS])
def test_any_other_result_books_the_same_inspection_again_and_the_final_still_waits(
    reroof, inspected, result
):
    inspected(book(reroof, "SHTH"), result, corrections="Nail spacing at the eaves.")
    again = book(reroof, "SHTH", day=WED)
    assert again.status == S.SCHEDULED
    assert reroof.inspections.count() == 2
    refused(
        lambda: book(reroof, "FINAL", day=THU),
        "Waiting for Sheathing and nailing to pass.",
        field="inspection_type",
    )
    inspected(again, R.PASSED)
    assert book(reroof, "FINAL", day=THU).inspection_type.code == "FINAL"


# Cancelling.


def test_a_booking_is_cancelled_until_the_cut_off_on_the_inspection_day_before(
    reroof, contractor, clock
):
    inspection = book(reroof, day=TUE)
    now = clock(MON, 14, 59)
    cancelled = services.inspection_cancel(inspection=inspection, user=contractor)
    cancelled.refresh_from_db()
    assert cancelled.status == S.CANCELLED
    assert cancelled.cancelled_at == now
    assert cancelled.result == ""


def test_at_the_cut_off_cancelling_is_refused_with_the_inspection_lines_phone(reroof, clock):
    inspection = book(reroof, day=TUE)
    clock(MON, 15)
    refused(
        lambda: services.inspection_cancel(inspection=inspection, user=reroof.applicant),
        LATE_MESSAGE,
    )
    inspection.refresh_from_db()
    assert inspection.status == S.SCHEDULED


def test_a_monday_booking_is_cancelled_until_fridays_cut_off(reroof, clock):
    inspection = book(reroof, day=NEXT_MON)
    clock(datetime.date(2026, 11, 20), 15)
    refused(
        lambda: services.inspection_cancel(inspection=inspection, user=reroof.applicant),
        "Changes to inspections on Nov. 23, 2026 closed at 3 p.m. on Nov. 20, 2026. "
        "To cancel or move it now, call Building and Safety at 310-544-5280.",
    )
    clock(datetime.date(2026, 11, 20), 14, 59)
    services.inspection_cancel(inspection=inspection, user=reroof.applicant)
    inspection.refresh_from_db()
    assert inspection.status == S.CANCELLED


def test_after_a_monday_holiday_the_late_message_names_the_friday_before_it(reroof, clock):
    clock(datetime.date(2027, 1, 15), 10)
    inspection = book(reroof, day=datetime.date(2027, 1, 19))
    clock(datetime.date(2027, 1, 19), 8)
    refused(
        lambda: services.inspection_cancel(inspection=inspection, user=reroof.applicant),
        "Changes to inspections on Jan. 19, 2027 closed at 3 p.m. on Jan. 15, 2027. "
        "To cancel or move it now, call Building and Safety at 310-544-5280.",
    )


def test_without_an_inspection_line_the_late_message_says_to_call_the_city(reroof, rules, clock):
    rules.inspection_line = None
    rules.save()
    inspection = book(reroof, day=TUE)
    clock(MON, 15)
    refused(
        lambda: services.inspection_cancel(inspection=inspection, user=reroof.applicant),
        "Changes to inspections on Nov. 17, 2026 closed at 3 p.m. on Nov. 16, 2026. "
        "To cancel or move it now, call the city.",
    )


def test_a_cancelled_or_completed_inspection_cannot_be_cancelled(reroof, inspected, clock):
    cancelled = book(reroof, day=WED)
    services.inspection_cancel(inspection=cancelled, user=reroof.applicant)
    refused(
        lambda: services.inspection_cancel(inspection=cancelled, user=reroof.applicant),
        "This inspection is cancelled; only a scheduled inspection can be changed.",
    )
    completed = inspected(book(reroof, day=TUE), R.FAILED)
    # Before the cut-off of a day still ahead, so only its status stands in the way.
    clock(MON, 9)
    refused(
        lambda: services.inspection_cancel(inspection=completed, user=reroof.applicant),
        "This inspection is completed; only a scheduled inspection can be changed.",
    )


def test_someone_not_on_the_permit_cannot_cancel_it(reroof, clerk):
    inspection = book(reroof)
    refused(
        lambda: services.inspection_cancel(inspection=inspection, user=clerk),
        "Only the permit's applicant or contractor can change it.",
    )


# Rescheduling.


def test_rescheduling_cancels_the_booking_and_makes_a_new_one(reroof, contractor, clock):
    old = book(reroof, day=TUE)
    now = clock(MON, 14)
    new = services.inspection_reschedule(
        inspection=old,
        user=contractor,
        booking=booking(THU, Window.AFTERNOON, contact_name="Sam Ortiz"),
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.cancelled_at, old.rescheduled_as) == (S.CANCELLED, now, new)
    assert new.status == S.SCHEDULED
    assert (new.scheduled_for, new.window, new.contact_name) == (
        THU,
        Window.AFTERNOON,
        "Sam Ortiz",
    )
    assert new.inspection_type == old.inspection_type
    assert new.requested_by == contractor
    assert new.confirmation_number != old.confirmation_number
    assert list(reroof.inspections.filter(status=S.SCHEDULED)) == [new]


def snapshot(inspection: Inspection) -> dict:
    return Inspection.objects.filter(pk=inspection.pk).values().get()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (SAT, "The city does not inspect on Nov. 21, 2026, a Saturday. Choose another day."),
        (
            datetime.date(2026, 12, 3),
            "Inspections can be booked up to 10 inspection days ahead, until Dec. 2, 2026. "
            "Choose an earlier day.",
        ),
    ],
    ids=["saturday", "beyond the horizon"],
)
def test_a_refused_new_day_leaves_the_booking_as_it_was(reroof, day, message):
    old = book(reroof, day=TUE)
    before = snapshot(old)
    refused(
        lambda: services.inspection_reschedule(
            inspection=old, user=reroof.applicant, booking=booking(day)
        ),
        message,
        field="scheduled_for",
    )
    assert snapshot(old) == before


def test_a_full_new_day_leaves_the_booking_as_it_was(reroof, another_reroof, rules):
    rules.daily_capacity = 1
    rules.save()
    book(another_reroof, day=WED)
    old = book(reroof, day=TUE)
    before = snapshot(old)
    refused(
        lambda: services.inspection_reschedule(
            inspection=old, user=reroof.applicant, booking=booking(WED)
        ),
        "Nov. 18, 2026 has just been fully booked. Choose another day.",
        field="scheduled_for",
    )
    assert snapshot(old) == before


def test_after_the_cut_off_a_booking_is_not_moved(reroof, clock):
    old = book(reroof, day=TUE)
    before = snapshot(old)
    clock(MON, 15)
    refused(
        lambda: services.inspection_reschedule(
            inspection=old, user=reroof.applicant, booking=booking(THU)
        ),
        LATE_MESSAGE,
    )
    assert snapshot(old) == before


def test_moving_within_a_full_day_keeps_its_place_and_its_inspector(
    reroof, another_reroof, rules, clerk, inspector
):
    rules.daily_capacity = 2
    rules.save()
    book(another_reroof, day=TUE)
    old = services.inspector_assign(
        inspection=book(reroof, day=TUE), inspector=inspector, actor=clerk
    )

    new = services.inspection_reschedule(
        inspection=old, user=reroof.applicant, booking=booking(TUE, Window.AFTERNOON)
    )
    assert (new.scheduled_for, new.window, new.inspector) == (TUE, Window.AFTERNOON, inspector)

    moved = services.inspection_reschedule(
        inspection=new, user=reroof.applicant, booking=booking(WED)
    )
    assert moved.inspector is None


def test_a_booking_makes_a_deleted_rules_row_again_with_the_defaults(reroof):
    # The demo city's rules name its inspection line; the row made again names none.
    SchedulingRules.objects.all().delete()
    assert book(reroof).scheduled_for == TUE
    rules = SchedulingRules.objects.get()
    assert rules.pk == SchedulingRules.SINGLETON_ID
    assert (rules.daily_capacity, rules.inspection_line) == (20, None)


# Capacity.


def test_a_full_day_is_refused_until_a_booking_on_it_is_cancelled(
    reroof, another_reroof, homeowner, contractor, clerk, rules
):
    rules.daily_capacity = 2
    rules.save()
    third_permit = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
    first = book(reroof, day=TUE)
    book(another_reroof, day=TUE)
    full = "Nov. 17, 2026 has just been fully booked. Choose another day."
    refused(lambda: book(third_permit, day=TUE), full, field="scheduled_for")
    assert book(third_permit, day=WED).scheduled_for == WED

    services.inspection_cancel(inspection=first, user=reroof.applicant)
    assert book(reroof, day=TUE).scheduled_for == TUE
    refused(
        lambda: services.inspection_reschedule(
            inspection=third_permit.inspections.get(), user=homeowner, booking=booking(TUE)
        ),
        full,
        field="scheduled_for",
    )


# Results.


def test_corrections_need_a_list_and_it_is_kept_one_per_line(reroof, inspected):
    inspection = book(reroof)
    for corrections in ("", "  \n \n"):
        refused(
            lambda corrections=corrections: inspected(
                inspection, R.CORRECTIONS, corrections=corrections
            ),
            "List the corrections, one per line.",
            field="corrections",
        )
    recorded = inspected(
        inspection,
        R.CORRECTIONS,
        corrections="  Nail spacing at the eaves exceeds 6 in.\n\n Flashing at the chimney \n",
        comments="  Call when ready. ",
    )
    recorded.refresh_from_db()
    assert (
        recorded.corrections == "Nail spacing at the eaves exceeds 6 in.\nFlashing at the chimney"
    )
    assert recorded.correction_list == [
        "Nail spacing at the eaves exceeds 6 in.",
        "Flashing at the chimney",
    ]
    assert recorded.result_comments == "Call when ready."


def test_a_result_is_recorded_by_the_inspector_at_the_time_given(reroof, inspector, clock):
    inspection = book(reroof)
    clock(TUE, 13)
    recorded = record(inspection, inspector, R.NO_ACCESS, inspected_at=at(TUE, 9, 40))
    recorded.refresh_from_db()
    assert recorded.status == S.COMPLETED
    assert recorded.result == R.NO_ACCESS
    assert recorded.inspected_at == at(TUE, 9, 40)
    assert recorded.result_recorded_by == inspector
    assert recorded.inspector == inspector


def test_a_result_keeps_the_assigned_inspector_when_a_clerk_records_it(
    reroof, inspector, clerk, clock
):
    inspection = services.inspector_assign(
        inspection=book(reroof), inspector=inspector, actor=clerk
    )
    clock(TUE, 13)
    recorded = record(inspection, clerk, R.PASSED)
    assert (recorded.inspector, recorded.result_recorded_by) == (inspector, clerk)


def test_bad_results_are_refused(reroof, inspector, inspected, clock):
    inspection = book(reroof)
    now = clock(TUE, 13)
    refused(lambda: record(inspection, inspector, "maybe"), "Choose a result.", field="result")
    refused(
        lambda: record(
            inspection, inspector, R.PASSED, inspected_at=now + datetime.timedelta(hours=1)
        ),
        "The inspection time can't be in the future.",
        field="inspected_at",
    )
    inspected(inspection, R.FAILED)
    refused(
        lambda: record(inspection, inspector, R.PASSED),
        "This inspection is completed; its result can't be recorded.",
    )
    cancelled = book(reroof, day=THU)
    services.inspection_cancel(inspection=cancelled, user=reroof.applicant)
    refused(
        lambda: record(cancelled, inspector, R.PASSED),
        "This inspection is cancelled; its result can't be recorded.",
    )


def test_a_passed_final_finals_the_permit_on_the_citys_date(reroof, inspector, inspected, clock):
    inspected(book(reroof, "SHTH", day=TUE))
    final = book(reroof, "FINAL", day=WED)
    # 5:30 PM in Los Angeles is already Thursday in UTC; the permit is finaled on Wednesday.
    clock(WED, 18)
    record(final, inspector, R.PASSED, inspected_at=at(WED, 17, 30).astimezone(datetime.UTC))
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.FINALED
    assert reroof.finaled_on == WED
    event = reroof.events.order_by("at", "id").last()
    assert (event.status, event.actor) == (Permit.Status.FINALED, inspector)
    assert reroof.history.first().history_user == inspector


def test_a_passed_inspection_before_the_final_leaves_the_permit_issued(reroof, inspected):
    inspected(book(reroof, "SHTH"))
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.ISSUED
    assert reroof.finaled_on is None
    assert not reroof.events.filter(status=Permit.Status.FINALED).exists()


def test_a_failed_final_leaves_the_permit_issued(reroof, inspected):
    inspected(book(reroof, "SHTH", day=TUE))
    inspected(book(reroof, "FINAL", day=WED), R.FAILED)
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.ISSUED


def test_a_passed_final_on_an_expired_permit_is_refused(reroof, inspector, inspected, clock):
    inspected(book(reroof, "SHTH", day=TUE))
    final = book(reroof, "FINAL", day=WED)
    Permit.objects.filter(pk=reroof.pk).update(
        status=Permit.Status.EXPIRED, expires_on=WED - datetime.timedelta(days=1)
    )
    clock(WED, 13)
    refused(
        lambda: record(final, inspector, R.PASSED),
        "The permit is “Expired”, so a passed final can't final it.",
    )
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.EXPIRED
    assert not PermitEvent.objects.filter(permit=reroof, status=Permit.Status.FINALED).exists()


def test_a_final_passed_while_the_permit_was_valid_finals_it_after_it_expired(
    reroof, inspector, inspected, clock
):
    """Inspected on the permit's last day, entered the next morning after the nightly
    expiry: the work passed while the permit was valid."""
    inspected(book(reroof, "SHTH", day=TUE))
    final = book(reroof, "FINAL", day=WED)
    Permit.objects.filter(pk=reroof.pk).update(status=Permit.Status.EXPIRED, expires_on=WED)
    clock(WED + datetime.timedelta(days=1), 8)
    services.inspection_result_record(
        inspection=final,
        actor=inspector,
        result=services.Result(
            result=R.PASSED,
            inspected_at=datetime.datetime.combine(WED, datetime.time(13), tzinfo=LA),
        ),
    )
    reroof.refresh_from_db()
    assert reroof.status == Permit.Status.FINALED
    assert reroof.finaled_on == WED


# Assigning.


def test_an_inspector_is_assigned_to_a_scheduled_inspection_only(reroof, inspector, clerk):
    inspection = book(reroof)
    assigned = services.inspector_assign(inspection=inspection, inspector=inspector, actor=clerk)
    assert Inspection.objects.get(pk=inspection.pk).inspector == inspector
    assert assigned.history.first().history_user == clerk
    services.inspector_assign(inspection=inspection, inspector=None, actor=clerk)
    assert Inspection.objects.get(pk=inspection.pk).inspector is None

    services.inspection_cancel(inspection=inspection, user=reroof.applicant)
    refused(
        lambda: services.inspector_assign(inspection=inspection, inspector=inspector, actor=clerk),
        "Only a scheduled inspection can be assigned.",
    )


def test_only_an_active_inspector_can_be_assigned(reroof, inspector, clerk):
    inspection = book(reroof)
    refused(
        lambda: services.inspector_assign(inspection=inspection, inspector=clerk, actor=clerk),
        "Only an active staff member of the Inspector group can be assigned.",
        field="inspector",
    )
    inspector.is_active = False
    inspector.save()
    refused(
        lambda: services.inspector_assign(inspection=inspection, inspector=inspector, actor=clerk),
        "Only an active staff member of the Inspector group can be assigned.",
        field="inspector",
    )
    assert Inspection.objects.get(pk=inspection.pk).inspector is None


# History.


def test_every_change_is_in_the_history_with_who_made_it(
    reroof, homeowner, contractor, inspector, clock
):
    first = book(reroof, user=homeowner, day=TUE)
    moved = services.inspection_reschedule(inspection=first, user=contractor, booking=booking(WED))
    clock(WED, 13)
    record(moved, inspector, R.PASSED)
    assert [(row.status, row.history_user) for row in first.history.order_by("history_id")] == [
        (S.SCHEDULED, homeowner),
        (S.CANCELLED, contractor),
        (S.CANCELLED, contractor),
    ]
    assert [(row.status, row.history_user) for row in moved.history.order_by("history_id")] == [
        (S.SCHEDULED, contractor),
        (S.COMPLETED, inspector),
    ]


# Emails.


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a change and return the messages it sent once its transaction committed."""

    def run(change):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        return result, list(mail.outbox)

    return run


def assert_one_each(messages, reroof: Permit, subject: str) -> None:
    """One message to the applicant and one to the contractor, neither naming the other."""
    applicant, contractor = reroof.applicant.email, reroof.contractor.email
    assert [message.to for message in messages] == [[applicant], [contractor]]
    for message, other in zip(messages, (contractor, applicant), strict=True):
        assert message.subject == subject
        assert message.cc == message.bcc == []
        assert other not in message.message().as_string()


def calendar_attached(message) -> icalendar.Calendar:
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("inspection.ics", "text/calendar")
    return icalendar.Calendar.from_ical(content)


def event_states(calendar: icalendar.Calendar) -> list[tuple[str, str]]:
    return [(str(event["uid"]), str(event["status"])) for event in calendar.walk("VEVENT")]


def uid_of(inspection: Inspection) -> str:
    return f"inspection-{inspection.confirmation_number}@127.0.0.1"


def test_a_booking_emails_each_of_them_a_calendar_event(reroof, sent, settings):
    settings.PORTAL_URL = "http://127.0.0.1:8000"
    inspection, messages = sent(lambda: book(reroof, day=TUE))
    assert_one_each(
        messages,
        reroof,
        f"Inspection scheduled: Sheathing and nailing on Tue Nov 17 ({reroof.number})",
    )
    for message in messages:
        assert inspection.confirmation_number in message.body
        assert "Date: Tuesday, November 17, 2026, Morning (8 a.m. to noon)" in message.body
        assert event_states(calendar_attached(message)) == [(uid_of(inspection), "CONFIRMED")]
    assert messages[0].attachments == messages[1].attachments


def test_a_cancellation_emails_each_of_them_the_event_cancelled(reroof, sent, settings):
    settings.PORTAL_URL = "http://127.0.0.1:8000"
    inspection = book(reroof, day=TUE)
    _cancelled, messages = sent(
        lambda: services.inspection_cancel(inspection=inspection, user=reroof.contractor)
    )
    assert_one_each(
        messages,
        reroof,
        f"Inspection cancelled: Sheathing and nailing on Tue Nov 17 ({reroof.number})",
    )
    for message in messages:
        assert event_states(calendar_attached(message)) == [(uid_of(inspection), "CANCELLED")]


def test_a_move_emails_each_of_them_the_old_event_cancelled_and_the_new_one(reroof, sent, settings):
    settings.PORTAL_URL = "http://127.0.0.1:8000"
    old = book(reroof, day=TUE)
    new, messages = sent(
        lambda: services.inspection_reschedule(
            inspection=old, user=reroof.applicant, booking=booking(THU, Window.AFTERNOON)
        )
    )
    assert_one_each(
        messages,
        reroof,
        f"Inspection moved: Sheathing and nailing now on Thu Nov 19 ({reroof.number})",
    )
    for message in messages:
        assert old.confirmation_number in message.body
        assert new.confirmation_number in message.body
        assert event_states(calendar_attached(message)) == [
            (uid_of(old), "CANCELLED"),
            (uid_of(new), "CONFIRMED"),
        ]


def test_a_refused_change_sends_nothing(reroof, sent):
    def refused_booking():
        with pytest.raises(InspectionError):
            book(reroof, day=SAT)

    assert sent(refused_booking) == (None, [])


def test_a_result_emails_each_of_them_the_result_and_its_corrections(
    reroof, inspector, sent, clock
):
    inspection = book(reroof, day=TUE)
    clock(TUE, 13)
    _recorded, messages = sent(
        lambda: record(
            inspection,
            inspector,
            R.CORRECTIONS,
            corrections="Nail spacing at the eaves.\nFlashing at the chimney.",
        )
    )
    assert_one_each(
        messages,
        reroof,
        f"Inspection result: Sheathing and nailing, Corrections needed ({reroof.number})",
    )
    for message in messages:
        assert "1. Nail spacing at the eaves.\n2. Flashing at the chimney." in message.body
        # A visit that has happened is no event to add to a calendar.
        assert message.attachments == []


def test_a_passed_final_sends_one_result_message_each_and_no_separate_status_email(
    reroof, inspected, inspector, sent, clock
):
    inspected(book(reroof, "SHTH", day=TUE))
    final = book(reroof, "FINAL", day=WED)
    clock(WED, 13)
    _recorded, messages = sent(lambda: record(final, inspector, R.PASSED))
    assert_one_each(messages, reroof, f"Inspection result: Final roof, Passed ({reroof.number})")
    for message in messages:
        assert "the permit is finaled" in message.body
