"""Everything that changes an inspection: booking, cancelling, moving, assigning and
recording its result.

Booking takes the scheduling rules' row lock, so bookings are made one at a time and
two people can never both take a day's last place. Each change emails the applicant
and the contractor (one message each) with the inspection as a calendar event.
"""

import datetime
import secrets
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from inspections.calendar import calendar_of
from inspections.models import (
    INSPECTOR_GROUP,
    CalendarFeed,
    Inspection,
    InspectionType,
    SchedulingRules,
    Window,
)
from inspections.scheduling import InspectionCalendar, inspection_calendar, scheduling_rules
from inspections.selectors import booked_counts, inspection_choices, permit_refusal
from permits.models import Permit
from permits.selectors import permit_final_refusal
from permits.services import permit_email_each, permit_final
from portal.email import EmailAttachment
from portal.phones import phone_normalize
from portal.selectors import city_profile

# No 0/O or 1/I/L: read out over the phone, a confirmation number must not be misheard.
CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CONFIRMATION_LENGTH = 8


class InspectionError(Exception):
    """A change that cannot be made, with a message a person can read."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Booking:
    """What a person chooses when they book or move an inspection."""

    scheduled_for: datetime.date
    window: str
    contact_name: str
    contact_phone: str
    access_notes: str = ""


def _confirmation_number() -> str:
    while True:
        code = "".join(
            secrets.choice(CONFIRMATION_ALPHABET) for _position in range(CONFIRMATION_LENGTH)
        )
        number = f"{code[:4]}-{code[4:]}"
        if not Inspection.objects.filter(confirmation_number=number).exists():
            return number


def _calendar_locked() -> InspectionCalendar:
    # Bookings of a day are counted one at a time under the rules row's lock, so a
    # booking makes the row again, with the defaults every read fell back on, if it was
    # deleted.
    rules, _created = SchedulingRules.objects.select_for_update().get_or_create(
        pk=SchedulingRules.SINGLETON_ID
    )
    return inspection_calendar(rules)


def _booked(
    *,
    permit: Permit,
    inspection_type: InspectionType,
    booking: Booking,
    user: User,
    now: datetime.datetime,
    inspector: User | None = None,
) -> Inspection:
    """A new booking, saved in the history as the user's."""
    inspection = Inspection(
        permit=permit,
        inspection_type=inspection_type,
        confirmation_number=_confirmation_number(),
        scheduled_for=booking.scheduled_for,
        window=booking.window,
        **_booking_details(booking),
        requested_by=user,
        requested_at=now,
        inspector=inspector,
    )
    _history_user(inspection, user)
    inspection.save()
    return inspection


def _is_on_permit(permit: Permit, user: User) -> bool:
    return user.pk in (permit.applicant_id, permit.contractor_id)


def _permit_checked(permit: Permit, user: User, calendar: InspectionCalendar, now) -> Permit:
    """The permit, locked until the booking commits: a final passed or an expiry at the
    same moment waits, rather than leave a booking on a closed permit."""
    permit = (
        Permit.objects.select_for_update(of=("self",))
        .select_related("permit_type", "applicant", "contractor")
        .get(pk=permit.pk)
    )
    if not _is_on_permit(permit, user):
        raise InspectionError(_("Only the permit's applicant or contractor can book it."))
    refusal = permit_refusal(permit, calendar.today(now))
    if refusal:
        raise InspectionError(refusal)
    return permit


def _day_checked(
    booking: Booking,
    permit: Permit,
    calendar: InspectionCalendar,
    now: datetime.datetime,
    *,
    moving: Inspection | None = None,
) -> None:
    if booking.window not in Window.values:
        raise InspectionError(_("Choose the morning or the afternoon."), field="window")
    refusal = calendar.refusal(booking.scheduled_for, now)
    if refusal:
        raise InspectionError(refusal, field="scheduled_for")
    if permit.expires_on and booking.scheduled_for > permit.expires_on:
        raise InspectionError(
            _("The permit expires on %(date)s; choose a day before then.")
            % {"date": date_format(permit.expires_on, "DATE_FORMAT")},
            field="scheduled_for",
        )
    booked = booked_counts([booking.scheduled_for]).get(booking.scheduled_for, 0)
    if moving is not None and moving.scheduled_for == booking.scheduled_for:
        booked -= 1
    if booked >= calendar.rules.daily_capacity:
        raise InspectionError(
            _("%(day)s has just been fully booked. Choose another day.")
            % {"day": date_format(booking.scheduled_for, "DATE_FORMAT")},
            field="scheduled_for",
        )


def _booking_details(booking: Booking) -> dict[str, str]:
    """The contact details, checked here too: the admin or a script may book without
    the public form."""
    # Invisible format characters (zero-width spaces) are not a name.
    name = " ".join(
        "".join(c for c in booking.contact_name if unicodedata.category(c) != "Cf").split()
    )
    max_name = Inspection._meta.get_field("contact_name").max_length
    if not name or len(name) > max_name:
        raise InspectionError(
            _("Enter the on-site contact's name, at most %(count)s characters.")
            % {"count": max_name},
            field="contact_name",
        )
    try:
        phone = phone_normalize(booking.contact_phone)
    except ValidationError as error:
        raise InspectionError(error.messages[0], field="contact_phone") from None
    notes = booking.access_notes.strip()
    max_notes = Inspection._meta.get_field("access_notes").max_length
    if len(notes) > max_notes:
        raise InspectionError(
            _("Keep the access notes to %(count)s characters.") % {"count": max_notes},
            field="access_notes",
        )
    return {"contact_name": name, "contact_phone": phone, "access_notes": notes}


def _calendar_attachment(inspections: list[Inspection], rules: SchedulingRules) -> EmailAttachment:
    return EmailAttachment(
        filename="inspection.ics",
        content=calendar_of(inspections, rules, name=_("Inspection")).decode(),
        mimetype="text/calendar",
    )


def _notify(
    inspection: Inspection, template: str, rules: SchedulingRules, *, calendar=None, **context
) -> None:
    permit_email_each(
        inspection.permit,
        f"email/inspection_{template}",
        attachments=(_calendar_attachment(calendar, rules),) if calendar else (),
        inspection=inspection,
        window_times=rules.window_times(inspection.window),
        **context,
    )


def _history_user(inspection: Inspection, user: User | None) -> None:
    if user is not None:
        inspection._history_user = user


@transaction.atomic
def inspection_request(
    *,
    permit: Permit,
    inspection_type: InspectionType,
    user: User,
    booking: Booking,
    now: datetime.datetime | None = None,
) -> Inspection:
    now = now or timezone.now()
    calendar = _calendar_locked()
    permit = _permit_checked(permit, user, calendar, now)
    choice = next(
        (
            choice
            for choice in inspection_choices(permit)
            if choice.inspection_type.pk == inspection_type.pk
        ),
        None,
    )
    if choice is None:
        raise InspectionError(
            _("This permit does not need that inspection."), field="inspection_type"
        )
    if not choice.is_open:
        raise InspectionError(choice.refusal, field="inspection_type")
    _day_checked(booking, permit, calendar, now)
    inspection = _booked(
        permit=permit,
        inspection_type=choice.inspection_type,
        booking=booking,
        user=user,
        now=now,
    )
    _notify(inspection, "scheduled", calendar.rules, calendar=[inspection])
    return inspection


def _change_checked(
    inspection: Inspection, user: User, calendar: InspectionCalendar, now: datetime.datetime
) -> Inspection:
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("permit__permit_type", "inspection_type")
        .get(pk=inspection.pk)
    )
    if not _is_on_permit(inspection.permit, user):
        raise InspectionError(_("Only the permit's applicant or contractor can change it."))
    refusal = inspection_change_refusal(inspection, calendar, now)
    if refusal:
        raise InspectionError(refusal)
    return inspection


def inspection_change_refusal(
    inspection: Inspection, calendar: InspectionCalendar, now: datetime.datetime
) -> str:
    """Why this booking can't be cancelled or moved now; empty when it can."""
    if not inspection.is_scheduled:
        return _("This inspection is %(status)s; only a scheduled inspection can be changed.") % {
            "status": inspection.get_status_display().lower()
        }
    if not calendar.is_open_for_changes(inspection.scheduled_for, now):
        return inspection_late_change_message(inspection, calendar)
    return ""


def inspection_late_change_message(inspection: Inspection, calendar: InspectionCalendar) -> str:
    message = _(
        "Changes to inspections on %(day)s closed at %(time)s on %(deadline)s."
    ) % calendar.deadline_words(inspection.scheduled_for)
    line = calendar.rules.inspection_line
    if line is not None and line.phone:
        return (
            message
            + " "
            + _("To cancel or move it now, call %(name)s at %(phone)s.")
            % {
                "name": line.name,
                "phone": line.phone,
            }
        )
    return message + " " + _("To cancel or move it now, call the city.")


def _cancel(inspection: Inspection, user: User, now: datetime.datetime) -> None:
    inspection.status = Inspection.Status.CANCELLED
    inspection.cancelled_at = now
    _history_user(inspection, user)
    inspection.save(update_fields=["status", "cancelled_at", "cancellation_note"])


@transaction.atomic
def inspection_cancel(
    *, inspection: Inspection, user: User, now: datetime.datetime | None = None
) -> Inspection:
    now = now or timezone.now()
    calendar = inspection_calendar()
    inspection = _change_checked(inspection, user, calendar, now)
    _cancel(inspection, user, now)
    _notify(inspection, "cancelled", calendar.rules, calendar=[inspection])
    return inspection


@transaction.atomic
def inspection_cancel_by_staff(
    *, inspection: Inspection, actor: User, note: str, now: datetime.datetime | None = None
) -> Inspection:
    """The city cancels a booking, at any time before its result: after a call past the
    cut-off, for weather, or for a day that came and went without the visit. The
    applicant and contractor are told why, and may book it again."""
    now = now or timezone.now()
    inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    if not inspection.is_scheduled:
        raise InspectionError(
            _("This inspection is %(status)s; only a scheduled inspection can be cancelled.")
            % {"status": inspection.get_status_display().lower()}
        )
    note = note.strip()
    if not note:
        raise InspectionError(_("Say why, for the applicant and the contractor."), field="note")
    inspection.cancellation_note = note
    _cancel(inspection, actor, now)
    _notify(inspection, "cancelled", scheduling_rules(), calendar=[inspection])
    return inspection


@transaction.atomic
def inspection_reschedule(
    *,
    inspection: Inspection,
    user: User,
    booking: Booking,
    now: datetime.datetime | None = None,
) -> Inspection:
    """Cancel the booking and make the new one together, or change nothing."""
    now = now or timezone.now()
    calendar = _calendar_locked()
    old = _change_checked(inspection, user, calendar, now)
    permit = _permit_checked(old.permit, user, calendar, now)
    _day_checked(booking, permit, calendar, now, moving=old)
    _cancel(old, user, now)
    new = _booked(
        permit=permit,
        inspection_type=old.inspection_type,
        booking=booking,
        user=user,
        now=now,
        inspector=old.inspector if old.scheduled_for == booking.scheduled_for else None,
    )
    old.rescheduled_as = new
    old.save(update_fields=["rescheduled_as"])
    _notify(new, "rescheduled", calendar.rules, calendar=[old, new], previous=old)
    return new


@transaction.atomic
def inspector_assign(*, inspection: Inspection, inspector: User | None, actor: User) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not inspection.is_scheduled:
        raise InspectionError(_("Only a scheduled inspection can be assigned."))
    if inspector is not None and not (
        inspector.is_active
        and inspector.is_staff
        and inspector.groups.filter(name=INSPECTOR_GROUP).exists()
    ):
        raise InspectionError(
            _("Only an active staff member of the Inspector group can be assigned."),
            field="inspector",
        )
    inspection.inspector = inspector
    _history_user(inspection, actor)
    inspection.save(update_fields=["inspector"])
    return inspection


@dataclass(frozen=True)
class Result:
    result: str
    inspected_at: datetime.datetime
    comments: str = ""
    corrections: str = ""


@transaction.atomic
def inspection_result_record(*, inspection: Inspection, actor: User, result: Result) -> Inspection:
    """Record what the inspector found; a passed final finals the permit."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("permit", "inspection_type")
        .get(pk=inspection.pk)
    )
    if not inspection.is_scheduled:
        raise InspectionError(
            _("This inspection is %(status)s; its result can't be recorded.")
            % {"status": inspection.get_status_display().lower()}
        )
    if result.result not in Inspection.Result.values:
        raise InspectionError(_("Choose a result."), field="result")
    corrections = "\n".join(
        line.strip() for line in result.corrections.splitlines() if line.strip()
    )
    if result.result == Inspection.Result.CORRECTIONS and not corrections:
        raise InspectionError(_("List the corrections, one per line."), field="corrections")
    if result.inspected_at > timezone.now() + datetime.timedelta(minutes=5):
        raise InspectionError(
            _("The inspection time can't be in the future."), field="inspected_at"
        )
    zone = city_profile().zone
    inspected_on = timezone.localtime(result.inspected_at, zone).date()
    if inspected_on < timezone.localtime(inspection.requested_at, zone).date():
        raise InspectionError(
            _("The inspection date can't be before the day it was requested."),
            field="inspected_at",
        )
    finals = result.result == Inspection.Result.PASSED and inspection.inspection_type.is_final
    if finals:
        refusal = permit_final_refusal(inspection.permit, inspected_on)
        if refusal:
            raise InspectionError(refusal)
    inspection.status = Inspection.Status.COMPLETED
    inspection.result = result.result
    inspection.corrections = corrections
    inspection.result_comments = result.comments.strip()
    inspection.inspected_at = result.inspected_at
    inspection.result_recorded_by = actor
    if inspection.inspector_id is None:
        inspection.inspector = actor
    _history_user(inspection, actor)
    inspection.save()
    if finals:
        permit_final(
            permit=inspection.permit,
            actor=actor,
            on=inspected_on,
            notify=False,
        )
    _notify(inspection, "result", scheduling_rules(), finaled=finals)
    return inspection


# 32 random bytes: a feed address can't be guessed, only shared.
FEED_TOKEN_BYTES = 32


@transaction.atomic
def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    """The person's calendar feed, made with a fresh secret the first time it is asked for."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(FEED_TOKEN_BYTES)}
    )
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new secret for the feed: the old address stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user,
        defaults={"token": secrets.token_urlsafe(FEED_TOKEN_BYTES), "reset_at": timezone.now()},
    )
    return feed
