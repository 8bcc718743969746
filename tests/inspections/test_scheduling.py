"""The city's booking rules at their edges: the 3:00 PM cut-off on the inspection day
before, weekends, holidays, the booking horizon and the inspection weekdays. The rules
are pure date arithmetic, so most tests build them in memory and pass `now`; the last
ones read them from the database with the clock moved."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections.models import WEEKDAY_FIELDS, Holiday, SchedulingRules
from inspections.scheduling import InspectionCalendar, inspection_calendar, scheduling_rules
from portal.models import City
from portal.selectors import city_profile_forget

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC

# A week with no holiday in it, then Thanksgiving week.
MON = datetime.date(2026, 11, 16)
TUE = datetime.date(2026, 11, 17)
WED = datetime.date(2026, 11, 18)
THU = datetime.date(2026, 11, 19)
FRI = datetime.date(2026, 11, 20)
SAT = datetime.date(2026, 11, 21)
SUN = datetime.date(2026, 11, 22)
NEXT_MON = datetime.date(2026, 11, 23)
NEXT_TUE = datetime.date(2026, 11, 24)
THANKSGIVING = {
    datetime.date(2026, 11, 26): "Thanksgiving Day",
    datetime.date(2026, 11, 27): "Day after Thanksgiving",
}

# Martin Luther King Jr. Day 2027 is a Monday.
MLK_FRI = datetime.date(2027, 1, 15)
MLK_SAT = datetime.date(2027, 1, 16)
MLK_DAY = datetime.date(2027, 1, 18)
MLK_TUE = datetime.date(2027, 1, 19)
MLK_WED = datetime.date(2027, 1, 20)
MLK = {MLK_DAY: "Martin Luther King Jr. Day"}


def at(day: datetime.date, hour: int, minute: int = 0, zone=LA) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def calendar_with(holidays: dict | None = None, **rules) -> InspectionCalendar:
    """The default rules (Monday to Friday, 3:00 PM cut-off, 10 days ahead) unless told."""
    return InspectionCalendar(rules=SchedulingRules(**rules), holidays=holidays or {}, zone=LA)


@pytest.mark.parametrize(
    ("now", "earliest"),
    [
        (at(MON, 0), TUE),
        (at(MON, 14, 59), TUE),
        (at(MON, 15, 0), WED),
        (at(THU, 14, 59), FRI),
        (at(THU, 15, 0), NEXT_MON),
        (at(FRI, 14, 59), NEXT_MON),
        (at(FRI, 15, 0), NEXT_TUE),
        (at(SAT, 9), NEXT_TUE),
        (at(SUN, 23, 59), NEXT_TUE),
    ],
    ids=str,
)
def test_requests_before_the_cut_off_count_for_the_next_inspection_day(now, earliest):
    assert calendar_with().earliest(now) == earliest


def test_the_clock_is_read_in_the_citys_zone_whatever_zone_now_is_given_in():
    calendar = calendar_with()
    # 14:59 in Los Angeles is 22:59 UTC, and 15:00 is 23:00 UTC: still Monday in the city.
    assert calendar.earliest(at(MON, 22, 59, zone=UTC)) == TUE
    assert calendar.earliest(at(MON, 23, 0, zone=UTC)) == WED
    # 00:30 UTC on Tuesday is 16:30 on Monday in the city, so today is Monday.
    assert calendar.today(at(TUE, 0, 30, zone=UTC)) == MON
    assert calendar.earliest(at(TUE, 0, 30, zone=UTC)) == WED


def test_the_deadline_of_a_day_is_the_cut_off_on_the_inspection_day_before_it():
    calendar = calendar_with()
    assert calendar.deadline(TUE) == at(MON, 15)
    assert calendar.deadline(NEXT_MON) == at(FRI, 15)
    # A later cut-off moves every deadline with it.
    assert calendar_with(cutoff_time=datetime.time(16, 30)).deadline(TUE) == at(MON, 16, 30)


def test_deadlines_follow_daylight_saving_time():
    calendar = calendar_with()
    # Summer time ends on Sunday 2026-11-01: Friday's cut-off is 3:00 PM PDT (22:00
    # UTC) and Monday's 3:00 PM PST (23:00 UTC).
    monday = datetime.date(2026, 11, 2)
    assert calendar.deadline(monday).astimezone(UTC) == at(
        datetime.date(2026, 10, 30), 22, zone=UTC
    )
    assert calendar.deadline(monday + datetime.timedelta(days=1)).astimezone(UTC) == at(
        monday, 23, zone=UTC
    )


def test_a_holiday_on_a_monday_moves_its_deadline_and_tuesdays_to_the_friday_before():
    calendar = calendar_with(MLK)
    assert calendar.earliest(at(MLK_FRI, 14, 59)) == MLK_TUE
    assert calendar.deadline(MLK_TUE) == at(MLK_FRI, 15)
    assert calendar.earliest(at(MLK_FRI, 15, 0)) == MLK_WED
    assert calendar.earliest(at(MLK_SAT, 10)) == MLK_WED
    assert calendar.deadline(MLK_WED) == at(MLK_TUE, 15)
    assert calendar.is_open_for_changes(MLK_TUE, at(MLK_FRI, 14, 59))
    assert not calendar.is_open_for_changes(MLK_TUE, at(MLK_FRI, 15, 0))


def test_the_last_inspection_day_of_the_horizon_is_bookable_and_the_next_is_not():
    calendar = calendar_with(THANKSGIVING)
    now = at(MON, 10)
    # Ten inspection days after Monday the 16th, skipping the weekend and Thanksgiving.
    horizon = [
        TUE,
        WED,
        THU,
        FRI,
        NEXT_MON,
        NEXT_TUE,
        datetime.date(2026, 11, 25),
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 2),
    ]
    assert calendar.last(now) == datetime.date(2026, 12, 2)
    assert calendar.bookable_days(now) == horizon
    assert calendar.refusal(datetime.date(2026, 12, 2), now) == ""
    assert calendar.refusal(datetime.date(2026, 12, 3), now) == (
        "Inspections can be booked up to 10 inspection days ahead, until Dec. 2, 2026. "
        "Choose an earlier day."
    )
    # After the cut-off the first day drops off; the horizon still counts from today.
    assert calendar.bookable_days(at(MON, 15)) == horizon[1:]
    # The next morning the horizon reaches one inspection day further.
    assert calendar.last(at(TUE, 8)) == datetime.date(2026, 12, 3)


def test_a_shorter_horizon_counts_inspection_days_not_calendar_days():
    calendar = calendar_with(horizon_days=1)
    assert calendar.last(at(FRI, 10)) == NEXT_MON
    assert calendar.bookable_days(at(FRI, 10)) == [NEXT_MON]
    # After Friday's cut-off, Monday is closed and Tuesday beyond the horizon.
    assert calendar.bookable_days(at(FRI, 15)) == []
    assert calendar.refusal(NEXT_TUE, at(FRI, 15)).startswith(
        "Inspections can be booked up to 1 inspection days ahead, until Nov. 23, 2026."
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (MON - datetime.timedelta(days=3), "Choose a day after today."),
        (MON, "Choose a day after today."),
        (SAT, "The city does not inspect on Nov. 21, 2026, a Saturday. Choose another day."),
        (SUN, "The city does not inspect on Nov. 22, 2026, a Sunday. Choose another day."),
        (
            datetime.date(2026, 11, 26),
            "The city does not inspect on Nov. 26, 2026 (Thanksgiving Day). Choose another day.",
        ),
        (TUE, ""),
        (datetime.date(2026, 11, 30), ""),
    ],
    ids=str,
)
def test_refusals_say_why_a_day_cannot_be_booked(day, message):
    calendar = calendar_with(THANKSGIVING)
    assert calendar.refusal(day, at(MON, 14, 59)) == message


def test_a_day_whose_requests_closed_at_the_cut_off_is_refused_with_the_deadline():
    calendar = calendar_with()
    assert calendar.refusal(TUE, at(MON, 14, 59)) == ""
    assert calendar.refusal(TUE, at(MON, 15, 0)) == (
        "Requests for Nov. 17, 2026 closed at 3 p.m. on Nov. 16, 2026. Choose a later day."
    )
    assert calendar.refusal(NEXT_MON, at(SAT, 9)) == (
        "Requests for Nov. 23, 2026 closed at 3 p.m. on Nov. 20, 2026. Choose a later day."
    )


def test_a_holiday_on_a_weekend_is_named_too():
    calendar = calendar_with({SAT: "City Founders' Day"})
    assert calendar.refusal(SAT, at(MON, 9)) == (
        "The city does not inspect on Nov. 21, 2026 (City Founders' Day). Choose another day."
    )


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (at(MON, 14, 59), True),
        (at(MON, 15, 0), False),
        (at(MON, 23, 59), False),
        (at(TUE, 9), False),
    ],
    ids=str,
)
def test_a_booking_can_be_changed_until_the_cut_off_on_the_inspection_day_before(now, is_open):
    assert calendar_with().is_open_for_changes(TUE, now) is is_open


@pytest.mark.parametrize(
    ("now", "is_open"),
    [(at(FRI, 14, 59), True), (at(FRI, 15, 0), False), (at(SAT, 9), False), (at(SUN, 9), False)],
    ids=str,
)
def test_a_monday_booking_can_be_changed_until_fridays_cut_off(now, is_open):
    assert calendar_with().is_open_for_changes(NEXT_MON, now) is is_open


def test_a_city_that_inspects_on_tuesdays_and_thursdays_only():
    calendar = calendar_with(monday=False, wednesday=False, friday=False, horizon_days=4)
    assert calendar.is_inspection_day(TUE)
    assert not calendar.is_inspection_day(WED)
    # Tuesday's requests closed at Thursday's cut-off the week before.
    assert calendar.deadline(TUE) == at(datetime.date(2026, 11, 12), 15)
    assert calendar.deadline(THU) == at(TUE, 15)
    assert calendar.earliest(at(MON, 10)) == THU
    assert calendar.last(at(MON, 10)) == datetime.date(2026, 11, 26)
    assert calendar.bookable_days(at(MON, 10)) == [
        THU,
        NEXT_TUE,
        datetime.date(2026, 11, 26),
    ]
    assert calendar.refusal(WED, at(MON, 10)) == (
        "The city does not inspect on Nov. 18, 2026, a Wednesday. Choose another day."
    )
    assert calendar.refusal(TUE, at(MON, 10)) == (
        "Requests for Nov. 17, 2026 closed at 3 p.m. on Nov. 12, 2026. Choose a later day."
    )


def test_a_city_that_also_inspects_on_saturdays_takes_fridays_late_requests_for_saturday():
    calendar = calendar_with(saturday=True)
    assert calendar.earliest(at(THU, 15)) == SAT
    assert calendar.earliest(at(FRI, 15)) == NEXT_MON
    assert calendar.deadline(NEXT_MON) == at(SAT, 15)


def test_rules_with_no_inspection_day_find_no_day_instead_of_searching_forever():
    calendar = calendar_with(**dict.fromkeys(WEEKDAY_FIELDS, False))
    now = at(MON, 10)
    assert calendar.inspection_day_after(MON) is None
    assert calendar.inspection_day_before(MON) is None
    assert calendar.deadline(TUE) is None
    assert calendar.earliest(now) is None
    assert calendar.last(now) is None
    assert calendar.bookable_days(now) == []
    assert calendar.is_open_for_changes(TUE, now) is False
    assert calendar.refusal(TUE, now) == (
        "The city does not inspect on Nov. 17, 2026, a Tuesday. Choose another day."
    )


def test_holidays_on_every_inspection_day_find_no_day_either():
    calendar = calendar_with(
        {MON + datetime.timedelta(days=offset): "Closed" for offset in range(-500, 500)}
    )
    assert calendar.earliest(at(MON, 10)) is None
    assert calendar.bookable_days(at(MON, 10)) == []
    assert calendar.is_open_for_changes(TUE, at(MON, 10)) is False


def clean_errors(**rules) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        SchedulingRules(**rules).clean()
    return refused.value.message_dict


def test_the_default_rules_are_valid():
    SchedulingRules().clean()


def test_rules_must_name_a_day_of_the_week():
    assert clean_errors(**dict.fromkeys(WEEKDAY_FIELDS, False)) == {
        "monday": ["Choose at least one day of the week the city inspects."]
    }


def test_each_window_must_end_after_it_starts_and_the_afternoon_follow_the_morning():
    assert clean_errors(morning_starts=datetime.time(12), morning_ends=datetime.time(8)) == {
        "morning_ends": ["The morning window must end after it starts."]
    }
    assert clean_errors(afternoon_starts=datetime.time(13), afternoon_ends=datetime.time(13)) == {
        "afternoon_ends": ["The afternoon window must end after it starts."]
    }
    assert clean_errors(morning_ends=datetime.time(12, 30)) == {
        "afternoon_starts": ["The afternoon window must start after the morning's."]
    }
    # Back to back is fine: the morning may end when the afternoon starts.
    SchedulingRules(morning_ends=datetime.time(12), afternoon_starts=datetime.time(12)).clean()


def test_every_error_is_reported_at_once():
    errors = clean_errors(
        **dict.fromkeys(WEEKDAY_FIELDS, False),
        morning_ends=datetime.time(7),
        afternoon_ends=datetime.time(11),
    )
    assert sorted(errors) == ["afternoon_ends", "monday", "morning_ends"]


# From the database, with the clock moved.


@pytest.fixture
def frozen(time_machine):
    def move_to(moment: datetime.datetime) -> datetime.datetime:
        time_machine.move_to(moment, tick=False)
        return timezone.now()

    return move_to


def test_the_citys_calendar_has_its_rules_holidays_and_zone(demo_city, frozen):
    now = frozen(at(MLK_FRI, 14, 59))
    calendar = inspection_calendar()
    assert calendar.rules.pk == SchedulingRules.SINGLETON_ID
    assert calendar.rules.inspection_line.name == "Building and Safety"
    assert calendar.zone == LA
    assert calendar.holidays[MLK_DAY] == "Martin Luther King Jr. Day"
    assert calendar.earliest(now) == MLK_TUE
    assert calendar.refusal(MLK_DAY, now) == (
        "The city does not inspect on Jan. 18, 2027 (Martin Luther King Jr. Day). "
        "Choose another day."
    )

    now = frozen(at(MLK_FRI, 15, 0))
    assert inspection_calendar().earliest(now) == MLK_WED


def test_holidays_added_in_the_admin_count_at_once(demo_city, frozen):
    now = frozen(at(MON, 10))
    Holiday.objects.create(date=TUE, name="Storm closure")
    calendar = inspection_calendar()
    assert calendar.earliest(now) == WED
    assert "Storm closure" in calendar.refusal(TUE, now)


def test_the_cut_off_is_read_in_the_citys_time_zone_not_the_servers(demo_city, frozen):
    City.objects.update(time_zone="America/New_York")
    city_profile_forget()
    # 11:59 in Los Angeles is 14:59 in New York, before the cut-off there.
    assert inspection_calendar().earliest(frozen(at(MLK_FRI, 11, 59))) == MLK_TUE
    assert inspection_calendar().earliest(frozen(at(MLK_FRI, 12, 0))) == MLK_WED


def assert_the_default_rules(rules: SchedulingRules) -> None:
    assert rules.pk == SchedulingRules.SINGLETON_ID
    assert rules.cutoff_time == datetime.time(15, 0)
    assert rules.horizon_days == 10
    assert rules.daily_capacity == 20
    assert [rules.inspects_on_weekday(day) for day in range(7)] == [True] * 5 + [False] * 2


def test_the_migrations_make_the_rules_row_with_the_defaults(db):
    assert_the_default_rules(SchedulingRules.objects.get())
    assert scheduling_rules() == SchedulingRules.objects.get()


def test_a_deleted_rules_row_reads_as_the_defaults_and_is_not_made_by_reading(db):
    SchedulingRules.objects.all().delete()
    rules = scheduling_rules()
    assert_the_default_rules(rules)
    assert rules._state.adding
    assert inspection_calendar().rules.horizon_days == 10
    assert not SchedulingRules.objects.exists()


def test_the_calendar_s_first_and_last_days_have_no_inspection_day_beyond_them():
    calendar = calendar_with()
    assert calendar.inspection_day_after(datetime.date.max) is None
    assert calendar.inspection_day_before(datetime.date.min) is None
    assert calendar.deadline(datetime.date.min) is None
