"""The pages a permit's applicant and contractor book, read, cancel and move its
inspections on. Anyone else gets a 404, as if the permit or inspection did not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from inspections import services
from inspections.calendar import calendar_of
from inspections.forms import BookingForm, InspectionRequestForm, window_label
from inspections.models import Inspection
from inspections.scheduling import InspectionCalendar, inspection_calendar, scheduling_rules
from inspections.sections import inspection_with_badge
from inspections.selectors import (
    InspectionChoice,
    inspection_choices,
    inspection_for_owner,
    open_days,
    permit_refusal,
)
from inspections.services import InspectionError, inspection_change_refusal
from permits.models import Permit
from permits.selectors import permit_for_owner
from portal.forms import form_data
from portal.models import Department
from portal.shortcuts import found_or_404


def _owned_permit(user: User, pk: int) -> Permit:
    return found_or_404(permit_for_owner(user, pk))


def _owned_inspection(user: User, pk: int) -> Inspection:
    return found_or_404(inspection_for_owner(user, pk))


def _attach(form: BookingForm, error: InspectionError) -> None:
    """The service's reason beside the field it is about, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _contact_of(user: User) -> dict[str, str]:
    return {"contact_name": user.get_full_name(), "contact_phone": user.phone}


def _preselected(request: HttpRequest, open_types: list[InspectionChoice]) -> str | None:
    """The type the permit page linked to (?type=FINAL), or the only one open."""
    code = request.GET.get("type", "").strip().upper()
    for choice in open_types:
        if choice.inspection_type.code.upper() == code:
            return str(choice.inspection_type.pk)
    if len(open_types) == 1:
        return str(open_types[0].inspection_type.pk)
    return None


def _day_rules(calendar: InspectionCalendar, now) -> dict:
    return {
        "cutoff_time": calendar.rules.cutoff_time,
        "first_day": calendar.earliest(now),
        "horizon_days": calendar.rules.horizon_days,
        "last_day": calendar.last(now),
    }


def _with_phone_link(message: str, line: Department | None) -> str | SafeString:
    """The message with the inspection line's number in it as a link to call it."""
    if line is None or not line.phone or line.phone not in message:
        return message
    before, phone, after = message.partition(line.phone)
    return format_html('{}<a href="{}">{}</a>{}', before, line.phone_uri, phone, after)


def _booked_words(inspection: Inspection, calendar: InspectionCalendar) -> dict[str, str]:
    return {
        "type": inspection.inspection_type.name,
        "day": date_format(inspection.scheduled_for, _("l, F j")),
        "window": window_label(inspection.window, calendar.rules),
        "confirmation": inspection.confirmation_number,
    }


@login_required
@require_http_methods(["GET", "POST"])
def inspection_request(request: HttpRequest, permit_pk: int) -> HttpResponse:
    permit = _owned_permit(request.user, permit_pk)
    now = timezone.now()
    calendar = inspection_calendar()
    refusal = permit_refusal(permit, calendar.today(now))
    if refusal:
        return render(request, "inspections/request.html", {"permit": permit, "refusal": refusal})
    choices = inspection_choices(permit)
    open_types = [choice for choice in choices if choice.is_open]
    form = InspectionRequestForm(
        form_data(request),
        choices=choices,
        days=open_days(calendar, now, permit=permit),
        rules=calendar.rules,
        initial={"inspection_type": _preselected(request, open_types), **_contact_of(request.user)},
    )
    if open_types and form.days and request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_request(
                permit=permit,
                inspection_type=form.cleaned_data["inspection_type"],
                user=request.user,
                booking=form.booking(),
                now=now,
            )
        except InspectionError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(type)s inspection booked for %(day)s (%(window)s). Your confirmation "
                    "number is %(confirmation)s; it is on its way by email, with a calendar file."
                )
                % _booked_words(inspection, calendar),
            )
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request,
        "inspections/request.html",
        {
            "permit": permit,
            "form": form,
            "choices": choices,
            "open_types": open_types,
            **_day_rules(calendar, now),
        },
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _owned_inspection(request.user, pk)
    permit = inspection.permit
    now = timezone.now()
    calendar = inspection_calendar()
    change_refusal = inspection_change_refusal(inspection, calendar, now)
    can_change = not change_refusal
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection_with_badge(inspection),
            "permit": permit,
            "window_label": window_label(inspection.window, calendar.rules),
            "can_cancel": can_change,
            "can_reschedule": can_change and not permit_refusal(permit, calendar.today(now)),
            "change_deadline": calendar.deadline(inspection.scheduled_for) if can_change else None,
            "late_message": _with_phone_link(change_refusal, calendar.rules.inspection_line)
            if inspection.is_scheduled and change_refusal
            else "",
            "rescheduled_as": inspection.rescheduled_as if inspection.rescheduled_as_id else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _owned_inspection(request.user, pk)
    now = timezone.now()
    calendar = inspection_calendar()
    refusal = inspection_change_refusal(inspection, calendar, now)
    if refusal:
        messages.error(request, refusal)
        return redirect("inspections:detail", pk=inspection.pk)
    if request.method == "POST":
        try:
            services.inspection_cancel(inspection=inspection, user=request.user, now=now)
        except InspectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "The %(type)s inspection on %(day)s is cancelled (confirmation number "
                    "%(confirmation)s). A confirmation is on its way by email."
                )
                % _booked_words(inspection, calendar),
            )
        return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request,
        "inspections/cancel.html",
        {
            "inspection": inspection,
            "permit": inspection.permit,
            "window_label": window_label(inspection.window, calendar.rules),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _owned_inspection(request.user, pk)
    permit = inspection.permit
    now = timezone.now()
    calendar = inspection_calendar()
    refusal = inspection_change_refusal(inspection, calendar, now) or permit_refusal(
        permit, calendar.today(now)
    )
    if refusal:
        messages.error(request, refusal)
        return redirect("inspections:detail", pk=inspection.pk)
    form = BookingForm(
        form_data(request),
        days=open_days(calendar, now, permit=permit, moving=inspection),
        rules=calendar.rules,
        initial={
            "scheduled_for": inspection.scheduled_for,
            "window": inspection.window,
            "contact_name": inspection.contact_name,
            "contact_phone": inspection.contact_phone,
            "access_notes": inspection.access_notes,
        },
    )
    if form.days and request.method == "POST" and form.is_valid():
        try:
            moved = services.inspection_reschedule(
                inspection=inspection, user=request.user, booking=form.booking(), now=now
            )
        except InspectionError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(type)s inspection moved to %(day)s (%(window)s). Your new confirmation "
                    "number is %(confirmation)s; the old one, %(old)s, is cancelled."
                )
                % {**_booked_words(moved, calendar), "old": inspection.confirmation_number},
            )
            return redirect("inspections:detail", pk=moved.pk)
    return render(
        request,
        "inspections/reschedule.html",
        {
            "inspection": inspection,
            "permit": permit,
            "form": form,
            "window_label": window_label(inspection.window, calendar.rules),
            **_day_rules(calendar, now),
        },
    )


@login_required
@require_GET
def inspection_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection as a calendar file to open in any calendar app."""
    inspection = _owned_inspection(request.user, pk)
    content = calendar_of(
        [inspection],
        scheduling_rules(),
        name=_("Inspection %(confirmation)s") % {"confirmation": inspection.confirmation_number},
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"inspection-{inspection.confirmation_number}.ics"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
