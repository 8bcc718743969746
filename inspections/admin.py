"""The inspectors' and the Permit Center's side: inspection types, the scheduling rules
and holidays as city data, and inspections as a list, a printable daily list and a
result form.

Inspections are booked by their permit's people and change only through the services:
staff assign an inspector and record a result, and nothing else on an inspection is a
form field.

Over 500 lines: beside its list and page, the inspection's admin has four pages of its
own (the daily list, recording a result, cancelling, assigning oneself), which share its
permissions and its way back to the page a form was opened from."""

import datetime
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from inspections import services
from inspections.admin_forms import (
    DailyListForm,
    InspectionTypeForm,
    InspectorAssignForm,
    ResultForm,
    StaffCancelForm,
    inspectors,
    is_inspector,
    person_name,
)
from inspections.models import (
    WEEKDAY_FIELDS,
    Holiday,
    Inspection,
    InspectionType,
    SchedulingRules,
    Window,
)
from inspections.scheduling import inspection_calendar, scheduling_rules
from inspections.selectors import daily_inspections
from permits.models import number_compact
from permits.services import PermitError
from portal.admin import (
    AssigneeFilter,
    BulkChangeAdminMixin,
    PortalModelAdmin,
    RevertGuardedHistoryAdmin,
    SingleRowAdminMixin,
    TypedNumberSearchAdminMixin,
    admin_object_page,
)
from portal.forms import form_data
from portal.links import own_site_path, redirect_back
from portal.selectors import city_localdate, city_profile


@admin.register(InspectionType)
class InspectionTypeAdmin(PortalModelAdmin):
    form = InspectionTypeForm
    list_display = ("permit_type", "order", "code", "name", "is_final")
    list_display_links = ("code", "name")
    list_filter = ("permit_type", "is_final")
    list_select_related = ("permit_type",)
    search_fields = ("name", "code", "permit_type__name")
    filter_horizontal = ("requires",)


# The city's rules ---------------------------------------------------------------------------


@admin.register(SchedulingRules)
class SchedulingRulesAdmin(SingleRowAdminMixin, RevertGuardedHistoryAdmin):
    fieldsets = (
        (
            _("Days the city inspects"),
            {
                "fields": (WEEKDAY_FIELDS,),
                "description": _("Holidays are closed whatever the day: see City holidays."),
            },
        ),
        (_("Cut-off and horizon"), {"fields": ("cutoff_time", "horizon_days")}),
        (
            _("Windows"),
            {
                "fields": (
                    ("morning_starts", "morning_ends"),
                    ("afternoon_starts", "afternoon_ends"),
                )
            },
        ),
        (_("Capacity and inspection line"), {"fields": ("daily_capacity", "inspection_line")}),
    )


@admin.register(Holiday)
class HolidayAdmin(PortalModelAdmin):
    list_display = ("date", "weekday", "name")
    list_display_links = ("date", "name")
    date_hierarchy = "date"
    search_fields = ("name",)
    ordering = ("date",)

    @admin.display(description=_("day of the week"))
    def weekday(self, holiday):
        return date_format(holiday.date, "l")


# Inspections ------------------------------------------------------------------------------


class DayFilter(admin.SimpleListFilter):
    title = _("date")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        return (("today", _("Today")), ("upcoming", _("Upcoming")), ("past", _("Past")))

    def queryset(self, request, queryset):
        today = city_localdate()
        return {
            "today": lambda: queryset.filter(scheduled_for=today),
            "upcoming": lambda: queryset.filter(scheduled_for__gt=today),
            "past": lambda: queryset.filter(scheduled_for__lt=today),
        }.get(self.value(), lambda: queryset)()


class InspectorFilter(AssigneeFilter):
    title = _("inspector")
    parameter_name = "inspector"

    def assignees(self):
        return inspectors()


class PermitTypeFilter(admin.RelatedOnlyFieldListFilter):
    """The permit types that have inspections, named apart from the inspection's type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("permit type")


def _confirmation_typed(term: str) -> str:
    """A confirmation number as read over the phone: any case, with or without its dash."""
    code = "".join(character for character in term.upper() if character.isalnum())
    if len(code) != services.CONFIRMATION_LENGTH:
        return ""
    return f"{code[:4]}-{code[4:]}"


@admin.register(Inspection)
class InspectionAdmin(TypedNumberSearchAdminMixin, BulkChangeAdminMixin, RevertGuardedHistoryAdmin):
    form = InspectorAssignForm
    list_display = (
        "scheduled_for",
        "window",
        "confirmation_number",
        "permit_number",
        "address",
        "inspection_type",
        "status",
        "result",
        "inspector_name",
    )
    list_display_links = ("confirmation_number",)
    list_filter = (
        "status",
        "result",
        DayFilter,
        InspectorFilter,
        ("permit__permit_type", PermitTypeFilter),
    )
    search_fields = ("confirmation_number", "permit__number", "permit__site_address")
    list_select_related = ("permit", "inspection_type", "inspector")
    ordering = ("-scheduled_for", "window", "id")
    actions = ("assign_to_me",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "confirmation_number",
                    "status",
                    "permit",
                    "site",
                    "inspection_type",
                    "scheduled_for",
                    "window",
                    "inspector",
                )
            },
        ),
        (_("On site"), {"fields": ("contact_name", "contact_phone_link", "access_notes")}),
        (
            _("Result"),
            {
                "fields": (
                    "result",
                    "corrections_list",
                    "result_comments",
                    "inspected_at",
                    "result_recorded_by",
                )
            },
        ),
        (
            _("Booking"),
            {
                "fields": (
                    "requested_by",
                    "requested_at",
                    "cancelled_at",
                    "rescheduled_from_link",
                    "rescheduled_as",
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_assign_permission(self, request) -> bool:
        """Assigning oneself: for inspectors who may change inspections."""
        return self.has_change_permission(request) and is_inspector(request.user)

    def has_record_permission(self, request) -> bool:
        return request.user.has_perm("inspections.record_result")

    def get_readonly_fields(self, request, obj=None):
        # Staff change only the inspector, and only while the inspection is scheduled.
        shown = flatten_fieldsets(self.fieldsets)
        if obj is not None and obj.is_scheduled:
            return [name for name in shown if name != "inspector"]
        return shown

    # The list -------------------------------------------------------------------------

    @admin.display(description=_("permit"), ordering="permit__number")
    def permit_number(self, inspection):
        return inspection.permit.number

    @admin.display(description=_("address"), ordering="permit__site_address")
    def address(self, inspection):
        return inspection.permit.site_line

    @admin.display(description=_("inspector"), ordering="inspector__last_name")
    def inspector_name(self, inspection):
        return person_name(inspection.inspector)

    def typed_number_filter(self, search_term: str) -> Q:
        # `rerf2026 0001` is still the permit, and `abcd2345` the confirmation.
        found = Q()
        compact = number_compact(search_term)
        if compact:
            found |= Q(permit__number_compact=compact)
        confirmation = _confirmation_typed(search_term)
        if confirmation:
            found |= Q(confirmation_number=confirmation)
        return found

    # The page -------------------------------------------------------------------------

    @admin.display(description=_("site"))
    def site(self, inspection):
        return inspection.permit.site_line

    @admin.display(description=_("on-site contact phone"))
    def contact_phone_link(self, inspection):
        return format_html('<a href="tel:{0}">{0}</a>', inspection.contact_phone)

    @admin.display(description=_("corrections"))
    def corrections_list(self, inspection):
        corrections = inspection.correction_list
        if not corrections:
            return "—"
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((line,) for line in corrections))
        )

    @admin.display(description=_("rescheduled from"))
    def rescheduled_from_link(self, inspection):
        previous = Inspection.objects.filter(rescheduled_as=inspection).first()
        if previous is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:inspections_inspection_change", args=[previous.pk]),
            previous.confirmation_number,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        inspection = self.get_object(request, object_id)
        if inspection is not None:
            extra_context = {
                "can_record": inspection.is_scheduled and self.has_record_permission(request),
                "can_cancel": inspection.is_scheduled and self.has_change_permission(request),
                "daily_url": _daily_url(inspection.scheduled_for),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if "inspector" not in form.changed_data:
            return
        try:
            services.inspector_assign(
                inspection=obj, inspector=form.cleaned_data["inspector"], actor=request.user
            )
        except services.InspectionError as error:
            self.message_user(request, str(error), messages.ERROR)

    # An inspection's history is its record: going back is never a change.
    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Assigning ------------------------------------------------------------------------

    @admin.action(description=_("Assign to me"), permissions=["assign"])
    def assign_to_me(self, request, queryset):
        self.apply_each(
            request,
            queryset,
            lambda inspection: services.inspector_assign(
                inspection=inspection, inspector=request.user, actor=request.user
            ),
            lambda count: (
                ngettext(
                    "Assigned %(count)d inspection to you.",
                    "Assigned %(count)d inspections to you.",
                    count,
                )
                % {"count": count}
            ),
            refused=services.InspectionError,
            label=lambda inspection: inspection.confirmation_number,
        )

    # The custom pages -----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("daily/", view(self.daily_view), name="inspections_inspection_daily"),
            path(
                "<int:inspection_id>/record-result/",
                view(self.record_result_view),
                name="inspections_inspection_record_result",
            ),
            path(
                "<int:inspection_id>/cancel/",
                view(self.cancel_view),
                name="inspections_inspection_cancel",
            ),
            path(
                "<int:inspection_id>/assign-to-me/",
                view(require_POST(self.assign_to_me_view)),
                name="inspections_inspection_assign_to_me",
            ),
            *super().get_urls(),
        ]

    def _inspection(self, inspection_id: int) -> Inspection:
        return get_object_or_404(
            Inspection.objects.select_related(
                "permit__permit_type", "inspection_type", "inspector"
            ),
            pk=inspection_id,
        )

    def _back(self, request, inspection: Inspection):
        """To the page the form was opened from, when it is one of ours; else the inspection."""
        return redirect_back(
            request,
            _next_of(request),
            default=reverse("admin:inspections_inspection_change", args=[inspection.pk]),
        )

    def _unless_scheduled(self, request, inspection: Inspection, refusal: str):
        """Back where staff came from, told `refusal` (of the inspection's status), when the
        inspection is no longer scheduled; None while it is."""
        if inspection.is_scheduled:
            return None
        self.message_user(
            request,
            refusal % {"status": inspection.get_status_display().lower()},
            messages.ERROR,
        )
        return self._back(request, inspection)

    def _scheduled_page(self, request, inspection: Inspection, template: str, title: str, form):
        """A page staff act on a scheduled inspection from, showing its booking."""
        return admin_object_page(
            self,
            request,
            template,
            inspection,
            title=title,
            form=form,
            next_url=_safe_next(request),
            window_times=scheduling_rules().window_times(inspection.window),
        )

    def record_result_view(self, request, inspection_id: int):
        if not self.has_record_permission(request):
            raise PermissionDenied
        inspection = self._inspection(inspection_id)
        refused = self._unless_scheduled(
            request,
            inspection,
            gettext("This inspection is %(status)s; its result can't be recorded."),
        )
        if refused:
            return refused
        form = ResultForm(
            form_data(request),
            zone=city_profile().zone,
            now=timezone.now(),
        )
        if request.method == "POST" and form.is_valid():
            try:
                recorded = services.inspection_result_record(
                    inspection=inspection,
                    actor=request.user,
                    result=services.Result(
                        result=form.cleaned_data["result"],
                        inspected_at=form.inspected_at(),
                        comments=form.cleaned_data["comments"],
                        corrections=form.cleaned_data["corrections"],
                    ),
                )
            except services.InspectionError as error:
                form.add_service_error(error.field, str(error))
            except PermitError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _recorded_message(recorded), messages.SUCCESS)
                return self._back(request, recorded)
        return self._scheduled_page(
            request,
            inspection,
            "admin/inspections/inspection/record_result.html",
            gettext("Record the result of %(inspection)s") % {"inspection": inspection},
            form,
        )

    def cancel_view(self, request, inspection_id: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        inspection = self._inspection(inspection_id)
        refused = self._unless_scheduled(
            request,
            inspection,
            gettext("This inspection is %(status)s; only a scheduled one can be cancelled."),
        )
        if refused:
            return refused
        form = StaffCancelForm(form_data(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.inspection_cancel_by_staff(
                    inspection=inspection, actor=request.user, note=form.cleaned_data["note"]
                )
            except services.InspectionError as error:
                form.add_error("note" if error.field == "note" else None, str(error))
            else:
                self.message_user(
                    request,
                    gettext(
                        "Cancelled %(inspection)s; the applicant and any contractor are emailed."
                    )
                    % {"inspection": inspection},
                    messages.SUCCESS,
                )
                return self._back(request, inspection)
        return self._scheduled_page(
            request,
            inspection,
            "admin/inspections/inspection/cancel.html",
            gettext("Cancel %(inspection)s") % {"inspection": inspection},
            form,
        )

    def assign_to_me_view(self, request, inspection_id: int):
        if not self.has_assign_permission(request):
            raise PermissionDenied
        inspection = self._inspection(inspection_id)
        try:
            services.inspector_assign(
                inspection=inspection, inspector=request.user, actor=request.user
            )
        except services.InspectionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(inspection)s is assigned to you.")
                % {"inspection": inspection.confirmation_number},
                messages.SUCCESS,
            )
        return self._back(request, inspection)

    def daily_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DailyListForm(
            {
                "date": request.GET.get("date") or _working_day().isoformat(),
                "inspector": request.GET.get("inspector", DailyListForm.ALL),
            }
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Daily inspection list"),
            "form": form,
            "can_record": self.has_record_permission(request),
            "can_assign": self.has_assign_permission(request),
            "can_cancel": self.has_change_permission(request),
            "here": request.get_full_path(),
        }
        if form.is_valid():
            choice = form.cleaned_data["inspector"]
            context.update(self._day(request, form.cleaned_data["date"], choice))
            if choice != DailyListForm.ALL:
                context["inspector_label"] = dict(form.fields["inspector"].choices)[choice]
        return TemplateResponse(request, "admin/inspections/inspection/daily.html", context)

    def _day(self, request, day: datetime.date, choice: str) -> dict:
        calendar = inspection_calendar()
        if choice == DailyListForm.ME:
            inspections = daily_inspections(day, request.user)
        elif choice == DailyListForm.UNASSIGNED:
            inspections = daily_inspections(day, unassigned=True)
        elif choice == DailyListForm.ALL:
            inspections = daily_inspections(day)
        else:
            inspections = daily_inspections(day).filter(inspector_id=int(choice))
        inspections = list(inspections)
        previous_day = calendar.inspection_day_before(day)
        next_day = calendar.inspection_day_after(day)
        return {
            "day": day,
            "holiday": calendar.holidays.get(day, ""),
            "is_inspection_day": calendar.is_inspection_day(day),
            "windows": [
                {
                    "label": label,
                    "times": calendar.rules.window_times(window),
                    "inspections": [row for row in inspections if row.window == window],
                }
                for window, label in Window.choices
            ],
            "count": len(inspections),
            "previous_day": previous_day,
            "previous_url": _daily_url(previous_day, choice) if previous_day else "",
            "next_day": next_day,
            "next_url": _daily_url(next_day, choice) if next_day else "",
        }


def _daily_url(day: datetime.date, inspector: str = "") -> str:
    query = {"date": day.isoformat()}
    if inspector:
        query["inspector"] = inspector
    return f"{reverse('admin:inspections_inspection_daily')}?{urlencode(query)}"


def _next_of(request) -> str:
    """The page a form was opened from, as sent: checked where it is used."""
    return request.POST.get("next") or request.GET.get("next") or ""


def _safe_next(request) -> str:
    return own_site_path(request, _next_of(request))


def _working_day() -> datetime.date:
    """Today, or on a day the city does not inspect, the next day it does: the list an
    inspector opens on a Sunday evening is Monday's."""
    today = city_localdate()
    calendar = inspection_calendar()
    if calendar.is_inspection_day(today):
        return today
    return calendar.inspection_day_after(today) or today


def _recorded_message(inspection: Inspection) -> str:
    message = gettext(
        "Recorded “%(result)s” for %(inspection)s; the applicant and any contractor are emailed."
    ) % {"result": inspection.get_result_display(), "inspection": inspection}
    if inspection.inspection_type.is_final and inspection.result == Inspection.Result.PASSED:
        message += " " + gettext("Permit %(number)s is finaled.") % {
            "number": inspection.permit.number
        }
    return message
