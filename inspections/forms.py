"""The forms people book and move inspections with.

A form checks only what it can see by itself: a day is any date, because a day that is
not offered (a weekend, a holiday, past the cut-off or the horizon, full) is refused by
the service with the precise reason, which the view puts beside the field.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django import forms
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inspections.models import InspectionType, SchedulingRules, Window
from inspections.selectors import InspectionChoice, OpenDay
from inspections.services import Booking
from portal.phones import PhoneInput, phone_normalize

# A day's label says how many places are left once there are this few.
FEW_PLACES = 3


@dataclass(frozen=True, kw_only=True)
class Option:
    """One radio button as templates/inspections/booking/radios.html draws it."""

    value: str
    label: str
    note: str = ""
    disabled: bool = False
    # Given by the form the button is of (BookingForm._options).
    id: str = ""
    checked: bool = False


def window_label(window: str, rules: SchedulingRules) -> str:
    starts, ends = rules.window_times(window)
    return _("%(window)s, %(starts)s to %(ends)s") % {
        "window": Window(window).label,
        "starts": time_format(starts, "TIME_FORMAT"),
        "ends": time_format(ends, "TIME_FORMAT"),
    }


def _places_note(day: OpenDay) -> str:
    """How many places are left, on a day close to full only."""
    if day.places_left > FEW_PLACES:
        return ""
    return ngettext("%(count)d place left", "%(count)d places left", day.places_left) % {
        "count": day.places_left
    }


class BookingForm(forms.Form):
    """When and where: the day, the window, who meets the inspector and how to get in."""

    scheduled_for = forms.DateField(
        label=_("Day"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("Choose a day."), "invalid": _("Choose one of the days.")},
    )
    window = forms.ChoiceField(
        label=_("Time of day"),
        choices=Window.choices,
        error_messages={
            "required": _("Choose the morning or the afternoon."),
            "invalid_choice": _("Choose the morning or the afternoon."),
        },
    )
    contact_name = forms.CharField(
        label=_("On-site contact"),
        max_length=120,
        help_text=_("The person who lets the inspector in and answers their questions."),
        error_messages={"required": _("Enter the name of the person the inspector meets.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("On-site contact's phone"),
        # Room for the ways people write a number; it is stored as 310-544-5280.
        max_length=30,
        help_text=_("The inspector calls this number on the day, for example 310-544-5280."),
        error_messages={"required": _("Enter a phone number the inspector can call.")},
        widget=PhoneInput(),
    )
    access_notes = forms.CharField(
        label=_("Access notes"),
        required=False,
        max_length=500,
        help_text=_(
            "Anything the inspector needs to get to the work: a gate code, a locked side "
            "yard, a dog. At most 500 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, days: list[OpenDay], rules: SchedulingRules, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        self.rules = rules

    def clean_contact_phone(self) -> str:
        return phone_normalize(self.cleaned_data["contact_phone"])

    def booking(self) -> Booking:
        data = self.cleaned_data
        return Booking(
            scheduled_for=data["scheduled_for"],
            window=data["window"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            access_notes=data["access_notes"],
        )

    def _chosen(self, name: str) -> str:
        value = self[name].value()
        return "" if value is None else str(value)

    def _options(self, name: str, options: Iterable[Option]) -> list[Option]:
        """The radio buttons of field `name`, each with its id, the one chosen (sent, or
        set initially) checked unless it is disabled."""
        chosen = self._chosen(name)
        return [
            replace(
                option,
                id=f"{self[name].auto_id}_{index}",
                checked=option.value == chosen and not option.disabled,
            )
            for index, option in enumerate(options)
        ]

    @property
    def day_options(self) -> list[Option]:
        return self._options(
            "scheduled_for",
            (
                Option(
                    value=day.date.isoformat(),
                    label=date_format(day.date, _("l, F j")),
                    note=_places_note(day),
                )
                for day in self.days
            ),
        )

    @property
    def window_options(self) -> list[Option]:
        return self._options(
            "window",
            (
                Option(value=window, label=window_label(window, self.rules))
                for window in Window.values
            ),
        )


class InspectionRequestForm(BookingForm):
    """A booking of one of the permit's inspections. Every inspection of the permit's
    type is a choice, so one requested out of turn gets the service's reason, such as
    “Waiting for Sheathing and nailing to pass.”, rather than a bare “invalid choice”."""

    inspection_type = forms.ChoiceField(
        label=_("Inspection"),
        error_messages={
            "required": _("Choose the inspection."),
            "invalid_choice": _("Choose one of this permit's inspections."),
        },
    )

    field_order = ("inspection_type",)

    def __init__(self, *args, choices: list[InspectionChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.types = {str(choice.inspection_type.pk): choice.inspection_type for choice in choices}
        self.fields["inspection_type"].choices = [
            (pk, inspection_type.name) for pk, inspection_type in self.types.items()
        ]

    def clean_inspection_type(self) -> InspectionType:
        return self.types[self.cleaned_data["inspection_type"]]

    @property
    def type_options(self) -> list[Option]:
        return self._options(
            "inspection_type",
            (
                Option(
                    value=str(choice.inspection_type.pk),
                    label=choice.inspection_type.name,
                    note=choice.refusal,
                    disabled=not choice.is_open,
                )
                for choice in self.choices
            ),
        )
