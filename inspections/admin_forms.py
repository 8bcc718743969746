"""Forms of the inspectors' side: assigning an inspector, recording a result, and
choosing the day of the daily list."""

import datetime
import zoneinfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from inspections.models import INSPECTOR_GROUP, Inspection, InspectionType
from portal.forms import DateInput, TimeInput
from portal.selectors import city_localdate

# How far from today the daily list goes: enough for any record, short of the calendar's end.
DAILY_LIST_YEARS = 50


class InspectionTypeForm(forms.ModelForm):
    """An inspection type whose "must pass first" are earlier inspections of the same
    permit type: one of another type, itself or a loop could never be booked."""

    class Meta:
        model = InspectionType
        fields = ("permit_type", "name", "code", "order", "is_final", "requires")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "requires" in self.fields:
            self.fields["requires"].queryset = InspectionType.objects.filter(
                permit_type_id=self.instance.permit_type_id
            ).exclude(pk=self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        permit_type, requires = cleaned.get("permit_type"), cleaned.get("requires")
        if permit_type is None or not requires:
            return cleaned
        if any(required.permit_type_id != permit_type.pk for required in requires):
            self.add_error("requires", _("Choose only inspections of the same permit type."))
        elif self.instance.pk and self._leads_back(requires):
            self.add_error(
                "requires",
                _(
                    "These would wait for this inspection to pass first, so none of them "
                    "could ever be booked."
                ),
            )
        return cleaned

    def _leads_back(self, requires) -> bool:
        """Whether following "must pass first" from `requires` reaches this type."""
        seen, waiting = set(), [required.pk for required in requires]
        while waiting:
            pk = waiting.pop()
            if pk == self.instance.pk:
                return True
            if pk not in seen:
                seen.add(pk)
                waiting.extend(
                    InspectionType.requires.through.objects.filter(
                        from_inspectiontype_id=pk
                    ).values_list("to_inspectiontype_id", flat=True)
                )
        return False


def inspectors() -> QuerySet[User]:
    """The staff who may be assigned an inspection, by name."""
    return (
        User.objects.filter(is_staff=True, is_active=True, groups__name=INSPECTOR_GROUP)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def is_inspector(user: User) -> bool:
    return inspectors().filter(pk=user.pk).exists()


def person_name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return person_name(user)


class InspectorAssignForm(forms.ModelForm):
    """The only thing staff change on an inspection's page; the admin saves it through
    `inspector_assign`, never by saving the row."""

    class Meta:
        model = Inspection
        fields = ("inspector",)
        field_classes = {"inspector": InspectorChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("inspector")
        if field is not None:
            # Someone who has left the group keeps showing as this inspection's inspector
            # rather than making the page refuse to save.
            field.queryset = User.objects.filter(
                Q(pk__in=inspectors().values("pk")) | Q(pk=self.instance.inspector_id)
            ).order_by("last_name", "first_name", "username")
            field.empty_label = _("Unassigned")


class StaffCancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why the city cancels it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the applicant and the contractor, e.g. “Called in at 4 PM”."),
        error_messages={"required": _("Say why, for the applicant and the contractor.")},
    )


class ResultForm(forms.Form):
    """What the inspector found. The service checks the result against the inspection;
    its refusals are shown beside these fields."""

    result = forms.ChoiceField(
        label=_("Result"), choices=Inspection.Result.choices, widget=forms.RadioSelect
    )
    corrections = forms.CharField(
        label=_("Corrections"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=_("One correction per line; required when the result is “Corrections needed”."),
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The applicant and the contractor read them in the result email."),
    )
    inspected_on = forms.DateField(label=_("Date inspected"), widget=DateInput())
    inspected_time = forms.TimeField(
        label=_("Time inspected"),
        widget=TimeInput(),
        help_text=_("In the city's time zone."),
    )

    # The service names the moment of the inspection; the page asks for it in two parts.
    SERVICE_FIELDS = {"inspected_at": "inspected_time"}

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, now: datetime.datetime, **kwargs):
        local_now = now.astimezone(zone)
        kwargs.setdefault(
            "initial",
            {
                "inspected_on": local_now.date(),
                "inspected_time": local_now.time().replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        self.zone = zone

    def inspected_at(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.cleaned_data["inspected_on"], self.cleaned_data["inspected_time"], tzinfo=self.zone
        )

    def add_service_error(self, field: str | None, message: str) -> None:
        name = self.SERVICE_FIELDS.get(field, field)
        self.add_error(name if name in self.fields else None, message)


class DailyListForm(forms.Form):
    """The day and the inspector of the daily list, from the query string."""

    ALL = ""
    ME = "me"
    UNASSIGNED = "none"

    date = forms.DateField(label=_("Day"), widget=DateInput())
    inspector = forms.ChoiceField(label=_("Inspector"), required=False)

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if abs(day.year - city_localdate().year) > DAILY_LIST_YEARS:
            raise forms.ValidationError(
                _("Choose a day within %(years)s years of today.") % {"years": DAILY_LIST_YEARS}
            )
        return day

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].choices = [
            (self.ALL, _("Everyone")),
            (self.ME, _("Assigned to me")),
            (self.UNASSIGNED, _("Unassigned")),
            *((str(user.pk), person_name(user)) for user in inspectors()),
        ]
