"""Inspections as iCalendar (RFC 5545): the invitation in the confirmation email and
each person's calendar feed. Times are written in UTC, which every calendar reads
without a time-zone definition."""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Inspection, SchedulingRules
from portal.links import absolute_url
from portal.selectors import city_profile

PRODUCT_ID = "-//Open permit portal//Inspections//EN"


def _uid(inspection: Inspection) -> str:
    host = urlsplit(settings.PORTAL_URL).hostname or "permit-portal"
    return f"inspection-{inspection.confirmation_number}@{host}"


def inspection_event(inspection: Inspection, rules: SchedulingRules) -> icalendar.Event:
    zone = city_profile().zone
    starts, ends = rules.window_times(inspection.window)
    permit = inspection.permit
    event = icalendar.Event()
    event.add("uid", _uid(inspection))
    event.add("dtstamp", timezone.now())
    event.add(
        "dtstart",
        datetime.datetime.combine(inspection.scheduled_for, starts, tzinfo=zone).astimezone(
            datetime.UTC
        ),
    )
    event.add(
        "dtend",
        datetime.datetime.combine(inspection.scheduled_for, ends, tzinfo=zone).astimezone(
            datetime.UTC
        ),
    )
    event.add(
        "summary",
        _("%(inspection)s inspection, %(number)s")
        % {"inspection": inspection.inspection_type.name, "number": permit.number},
    )
    event.add("location", permit.site_line)
    event.add(
        "description",
        _(
            "Confirmation number %(confirmation)s. The inspector arrives during the "
            "%(window)s window. On-site contact: %(contact)s, %(phone)s."
        )
        % {
            "confirmation": inspection.confirmation_number,
            "window": inspection.get_window_display().lower(),
            "contact": inspection.contact_name,
            "phone": inspection.contact_phone,
        },
    )
    event.add("url", absolute_url(reverse("permits:detail", args=[permit.pk])))
    # A completed inspection happened as booked: only a cancelled one leaves calendars.
    cancelled = inspection.status == Inspection.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A later copy of the same event (a cancellation) replaces the earlier one.
    event.add("sequence", 1 if cancelled else 0)
    return event


def calendar_of(inspections: list[Inspection], rules: SchedulingRules, *, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    # PUBLISH: an event to add to a calendar, not a meeting invitation to answer.
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for inspection in inspections:
        calendar.add_component(inspection_event(inspection, rules))
    return calendar.to_ical()
