"""Forms of the inspectors' side: assigning an inspector, recording a result, and
choosing the day of the daily list."""

import datetime
import zoneinfo

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from inspections.models import INSPECTOR_GROUP, Inspection


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
    inspected_on = forms.DateField(
        label=_("Date inspected"), widget=forms.DateInput(attrs={"type": "date"})
    )
    inspected_time = forms.TimeField(
        label=_("Time inspected"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
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

    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    inspector = forms.ChoiceField(label=_("Inspector"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].choices = [
            (self.ALL, _("Everyone")),
            (self.ME, _("Assigned to me")),
            (self.UNASSIGNED, _("Unassigned")),
            *((str(user.pk), person_name(user)) for user in inspectors()),
        ]
