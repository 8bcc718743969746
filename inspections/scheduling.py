"""Which days can be booked, by the city's rules: the days it inspects, its holidays,
the cut-off and the booking horizon. Pure date arithmetic, so every rule is tested at
its edges without a database.

A request or cancellation for a day must come before the cut-off time on the
inspection day before it: with a 3:00 PM cut-off, Tuesday's inspections close at
3:00 PM on Monday, and Monday's at 3:00 PM on the Friday before.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from inspections.models import Holiday, SchedulingRules
from portal.selectors import city_localdate, city_profile

# However the rules are set, the search for the next inspection day stops here: a city
# that inspects on no day at all must not loop forever.
SEARCH_LIMIT_DAYS = 400


@dataclass(frozen=True)
class InspectionCalendar:
    rules: SchedulingRules
    holidays: dict[datetime.date, str]
    zone: zoneinfo.ZoneInfo

    def is_inspection_day(self, day: datetime.date) -> bool:
        return self.rules.inspects_on_weekday(day.weekday()) and day not in self.holidays

    def inspection_day_after(self, day: datetime.date) -> datetime.date | None:
        return self._inspection_day_from(day, step=1)

    def inspection_day_before(self, day: datetime.date) -> datetime.date | None:
        return self._inspection_day_from(day, step=-1)

    def _inspection_day_from(self, day: datetime.date, *, step: int) -> datetime.date | None:
        for offset in range(1, SEARCH_LIMIT_DAYS):
            try:
                candidate = day + datetime.timedelta(days=offset * step)
            except OverflowError:  # past the calendar's first or last day
                return None
            if self.is_inspection_day(candidate):
                return candidate
        return None

    def deadline(self, day: datetime.date) -> datetime.datetime | None:
        """The moment requests and cancellations for `day` close."""
        day_before = self.inspection_day_before(day)
        if day_before is None:
            return None
        return datetime.datetime.combine(day_before, self.rules.cutoff_time, tzinfo=self.zone)

    def today(self, now: datetime.datetime) -> datetime.date:
        return timezone.localtime(now, self.zone).date()

    def earliest(self, now: datetime.datetime) -> datetime.date | None:
        day = self.inspection_day_after(self.today(now))
        while day is not None and not self.is_open_for_changes(day, now):
            day = self.inspection_day_after(day)
        return day

    def last(self, now: datetime.datetime) -> datetime.date | None:
        """The last day of the horizon: the Nth inspection day after today."""
        day = self.today(now)
        for _count in range(self.rules.horizon_days):
            day = self.inspection_day_after(day)
            if day is None:
                return None
        return day

    def bookable_days(self, now: datetime.datetime) -> list[datetime.date]:
        first, last = self.earliest(now), self.last(now)
        days = []
        day = first
        while day is not None and last is not None and day <= last:
            days.append(day)
            day = self.inspection_day_after(day)
        return days

    def is_open_for_changes(self, day: datetime.date, now: datetime.datetime) -> bool:
        """Whether a booking for `day` may still be cancelled or moved."""
        deadline = self.deadline(day)
        return deadline is not None and now < deadline

    def refusal(self, day: datetime.date, now: datetime.datetime) -> str:
        """Why `day` can't be booked now; empty when it can (capacity aside)."""
        today = self.today(now)
        if day <= today:
            return _("Choose a day after today.")
        if day in self.holidays:
            return _("The city does not inspect on %(day)s (%(holiday)s). Choose another day.") % {
                "day": date_format(day, "DATE_FORMAT"),
                "holiday": self.holidays[day],
            }
        if not self.rules.inspects_on_weekday(day.weekday()):
            return _("The city does not inspect on %(day)s, a %(weekday)s. Choose another day.") % {
                "day": date_format(day, "DATE_FORMAT"),
                "weekday": date_format(day, "l"),
            }
        last = self.last(now)
        if last is None or day > last:
            return _(
                "Inspections can be booked up to %(count)s inspection days ahead, until "
                "%(last)s. Choose an earlier day."
            ) % {
                "count": self.rules.horizon_days,
                "last": date_format(last, "DATE_FORMAT") if last else "",
            }
        if not self.is_open_for_changes(day, now):
            return _(
                "Requests for %(day)s closed at %(time)s on %(deadline)s. Choose a later day."
            ) % self.deadline_words(day)
        return ""

    def deadline_words(self, day: datetime.date) -> dict[str, str]:
        deadline = self.deadline(day)
        return {
            "day": date_format(day, "DATE_FORMAT"),
            "time": time_format(deadline.time(), "TIME_FORMAT") if deadline else "",
            "deadline": date_format(deadline.date(), "DATE_FORMAT") if deadline else "",
        }


def scheduling_rules() -> SchedulingRules:
    return SchedulingRules.current()


def inspection_calendar(
    rules: SchedulingRules | None = None, *, zone: zoneinfo.ZoneInfo | None = None
) -> InspectionCalendar:
    """The city's calendar from the database: its rules and every holiday from a year
    back on (a deadline may fall before today; the horizon is well within a year)."""
    since = city_localdate() - datetime.timedelta(days=366)
    return InspectionCalendar(
        rules=rules or scheduling_rules(),
        holidays=dict(Holiday.objects.filter(date__gte=since).values_list("date", "name")),
        zone=zone or city_profile().zone,
    )
