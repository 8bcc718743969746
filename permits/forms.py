import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from permits.models import Permit, PermitField, PermitType, RequiredDocument
from permits.selectors import PermitSearch, permit_types_searchable
from permits.uploads import ACCEPT, UploadRejected, upload_content_type, upload_max_bytes
from portal.forms import DateInput


class PermitSearchForm(forms.Form):
    """The public search: one box for any key, and filters. Everything may stay empty; the
    view then shows the form and a hint rather than every permit."""

    # Shorter text matches too much to be useful, and trigram indexes cannot serve it.
    QUERY_MIN_LENGTH = 3
    PUBLIC_STATUSES = [
        (value, label) for value, label in Permit.Status.choices if value != Permit.Status.DRAFT
    ]

    q = forms.CharField(
        label=_("Permit number, address or contractor"),
        required=False,
        max_length=120,
        widget=forms.SearchInput,
        help_text=_(
            "For example RERF2026-0001, 30940 Hawthorne, or a contractor's license number "
            "or business name."
        ),
    )
    permit_type = forms.ModelChoiceField(
        label=_("Permit type"),
        queryset=PermitType.objects.none(),
        required=False,
        empty_label=_("Any type"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *PUBLIC_STATUSES]
    )
    issued_from = forms.DateField(
        label=_("Issued on or after"),
        required=False,
        widget=DateInput(),
    )
    issued_to = forms.DateField(
        label=_("Issued on or before"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permit_type"].queryset = permit_types_searchable()

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data["q"].split())
        if query and len(query) < self.QUERY_MIN_LENGTH:
            raise ValidationError(
                _("Enter at least %(count)d characters.") % {"count": self.QUERY_MIN_LENGTH}
            )
        return query

    def clean(self):
        cleaned_data = super().clean()
        issued_from, issued_to = cleaned_data.get("issued_from"), cleaned_data.get("issued_to")
        if issued_from and issued_to and issued_to < issued_from:
            self.add_error("issued_to", _("This date is before the “issued on or after” date."))
        return cleaned_data

    def search(self) -> PermitSearch:
        data = self.cleaned_data
        return PermitSearch(
            query=data["q"],
            permit_type=data["permit_type"],
            status=data["status"],
            issued_from=data["issued_from"],
            issued_to=data["issued_to"],
        )


class CorrectionUploadForm(forms.Form):
    """A revised document, uploaded while the Permit Center asks for corrections."""

    # Nothing is chosen for the person: a revision filed as the wrong document would
    # replace the wrong file.
    OTHER = "other"

    required_document = forms.ChoiceField(
        label=_("Which document is this?"),
        widget=forms.RadioSelect,
        help_text=_("A revision replaces the earlier file; the earlier one stays on record."),
    )
    file = forms.FileField(label=_("File"), widget=forms.FileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, permit_type: PermitType, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = {str(document.pk): document for document in permit_type.documents.all()}
        self.fields["required_document"].choices = [
            *((pk, document.name) for pk, document in self.documents.items()),
            (self.OTHER, _("Another document the reviewer asked for")),
        ]
        self.fields["file"].help_text = _("A PDF, JPEG or PNG file of at most %(limit)s.") % {
            "limit": filesizeformat(upload_max_bytes())
        }

    def clean_required_document(self) -> RequiredDocument | None:
        return self.documents.get(self.cleaned_data["required_document"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_content_type(upload)
        except UploadRejected as error:
            raise ValidationError(str(error)) from None
        return upload


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("A note for the reviewer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what you corrected. It appears in the permit's timeline."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. The Permit Center reads it; it appears in the permit's timeline."),
    )


# The application wizard: one form per step -----------------------------------------------


ZIP_CODE = RegexValidator(r"^\d{5}(-\d{4})?\Z", _("Enter a 5-digit ZIP code, e.g. 90275."))


class PermitSiteForm(forms.Form):
    """Where the work is done. Always complete, even to save for later: a draft is listed
    by its address."""

    site_address = forms.CharField(
        label=_("Street address"),
        max_length=120,
        help_text=_("House number and street, e.g. 30940 Hawthorne Blvd."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    site_unit = forms.CharField(
        label=_("Unit or suite"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    site_city = forms.CharField(
        label=_("City"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    site_postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        validators=[ZIP_CODE],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    parcel_number = forms.CharField(
        label=_("Assessor's parcel number"),
        max_length=20,
        required=False,
        help_text=_("Optional. It is on the property tax bill, e.g. 7564-012-034."),
    )


class DollarsField(forms.DecimalField):
    """Dollars as people write them: “$12,000.50” is 12000.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("$", "").replace(",", "").strip()
        return super().to_python(value)


class PermitProjectForm(forms.Form):
    description = forms.CharField(
        label=_("Description of the work"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will be done, e.g. “Replace a 50-gallon gas water heater, same place.”"),
    )
    valuation = DollarsField(
        label=_("Valuation of the work, in dollars"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("What the labor and materials cost, as a contractor would charge them."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter the valuation as a number of dollars, e.g. 12000 or 12000.50."),
            "min_value": _("The valuation cannot be negative."),
            "max_digits": _("Enter a valuation under $100,000,000."),
            "max_whole_digits": _("Enter a valuation under $100,000,000."),
            "max_decimal_places": _("Enter the valuation in dollars and cents."),
        },
    )

    def __init__(self, *args, permit_type: PermitType, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Saving for later keeps what was typed; the review lists what is still missing.
        if partial:
            for field in self.fields.values():
                field.required = False
        if not permit_type.is_construction:
            del self.fields["valuation"]
            self.fields["description"].label = _("What the permit is for")
            self.fields["description"].help_text = _(
                "In a few sentences, e.g. “Moving out: a 20-yard bin for a week.”"
            )


def _limit(value: Decimal | None) -> Decimal | int | None:
    """A bound as people read it: 200, not 200.00."""
    if value is None or value != value.to_integral_value():
        return value
    return int(value)


def _range_messages(permit_field: PermitField) -> dict:
    low, high = (_limit(bound) for bound in permit_field.bounds)
    if permit_field.max_value is None:
        return {
            "min_value": _("Enter %(low)s or more.") % {"low": low},
            "max_value": _("Enter %(high)s or less.") % {"high": high},
        }
    message = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return {"min_value": message, "max_value": message}


# More options than this read better as a drop-down than as radio buttons.
RADIO_CHOICES_MAX = 5


def permit_field_form_field(permit_field: PermitField) -> forms.Field:
    """The form field that asks one of a permit type's own questions."""
    Kind = PermitField.Kind
    common = {
        "label": permit_field.label,
        "required": permit_field.required,
        "help_text": permit_field.help_text,
    }
    if permit_field.kind in (Kind.INTEGER, Kind.DECIMAL):
        low, high = permit_field.bounds
        bounds = {
            "min_value": _limit(low),
            "max_value": _limit(high),
            "error_messages": _range_messages(permit_field),
        }
        if permit_field.kind == Kind.INTEGER:
            return forms.IntegerField(**bounds, **common)
        return forms.DecimalField(max_digits=12, decimal_places=2, **bounds, **common)
    if permit_field.kind == Kind.CHOICE:
        choices = [(choice, choice) for choice in permit_field.choice_list]
        if len(choices) <= RADIO_CHOICES_MAX:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", _("Choose one")), *choices], **common)
    if permit_field.kind == Kind.DATE:
        widget = DateInput()
        return forms.DateField(widget=widget, **common)
    if permit_field.kind == Kind.BOOLEAN:
        # A checkbox always answers yes or no, so it is never "missing".
        return forms.BooleanField(**{**common, "required": False})
    return forms.CharField(max_length=500, **common)


def _json_ready(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class PermitDetailsForm(forms.Form):
    """The permit type's own questions, one field for each of its PermitField rows."""

    def __init__(self, *args, permit_fields: list[PermitField], partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for permit_field in permit_fields:
            field = permit_field_form_field(permit_field)
            field.required = field.required and not partial
            self.fields[permit_field.name] = field

    def field_values(self) -> dict:
        """The answers as the draft stores them: numbers, text, ISO dates and booleans."""
        return {name: _json_ready(value) for name, value in self.cleaned_data.items()}


class PermitWorkForm(forms.Form):
    work_by = forms.ChoiceField(
        label=_("Who does the work?"), choices=Permit.WorkBy.choices, widget=forms.RadioSelect
    )
    contractor_license_number = forms.CharField(
        label=_("Contractor's state license number"),
        max_length=10,
        required=False,
        help_text=_(
            "When a contractor does the work: their CSLB license number, e.g. 1029384. "
            "They need a contractor account on this portal."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    owner_builder_declared = forms.BooleanField(
        label=_("I have read the owner-builder declaration and I sign it."), required=False
    )

    def __init__(self, *args, permit_type: PermitType, **kwargs):
        super().__init__(*args, **kwargs)
        if not permit_type.owner_builder_allowed:
            contractor = Permit.WorkBy.CONTRACTOR
            self.fields["work_by"].choices = [(contractor.value, contractor.label)]
            del self.fields["owner_builder_declared"]

    def clean(self):
        cleaned_data = super().clean()
        work_by = cleaned_data.get("work_by")
        if work_by == Permit.WorkBy.CONTRACTOR and not cleaned_data.get(
            "contractor_license_number"
        ):
            self.add_error(
                "contractor_license_number", _("Enter your contractor's license number.")
            )
        if work_by == Permit.WorkBy.OWNER_BUILDER and not cleaned_data.get(
            "owner_builder_declared"
        ):
            self.add_error(
                "owner_builder_declared",
                _("Sign the owner-builder declaration to do the work yourself."),
            )
        return cleaned_data


class PermitDocumentsForm(forms.Form):
    """One file input for each document the type asks for. Every file is checked before
    any is kept, so a rejected file leaves the draft as it was."""

    def __init__(
        self,
        *args,
        required_documents: list[RequiredDocument],
        uploaded: set[int],
        partial: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.required_documents = required_documents
        self.uploaded = uploaded
        self.partial = partial
        limit = _("PDF, JPEG or PNG, at most %(limit)s.") % {
            "limit": filesizeformat(upload_max_bytes())
        }
        for document in required_documents:
            help_text = f"{document.description} {limit}" if document.description else limit
            self.fields[self.field_name(document)] = forms.FileField(
                label=document.name,
                required=False,
                help_text=help_text,
                widget=forms.FileInput(attrs={"accept": ACCEPT}),
            )

    @staticmethod
    def field_name(document: RequiredDocument) -> str:
        return f"document_{document.pk}"

    def clean(self):
        cleaned_data = super().clean()
        for document in self.required_documents:
            name = self.field_name(document)
            upload = cleaned_data.get(name)
            if upload:
                try:
                    upload_content_type(upload)
                except UploadRejected as error:
                    self.add_error(name, str(error))
            elif document.required and document.pk not in self.uploaded and not self.partial:
                self.add_error(name, _("Choose a file: this document is required."))
        return cleaned_data

    def uploads(self) -> list[tuple[RequiredDocument, UploadedFile]]:
        return [
            (document, self.cleaned_data[self.field_name(document)])
            for document in self.required_documents
            if self.cleaned_data.get(self.field_name(document))
        ]
