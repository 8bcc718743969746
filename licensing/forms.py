"""The applicant's forms: one per step of the application, the owners as a formset, and
the public license check. They only check what was typed; the services save it."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import license_number_validator
from licensing.models import (
    EMPLOYEES_MAX,
    RECEIPTS_MAX,
    BusinessClassification,
    BusinessLicense,
    LicenseOwner,
    federal_ein_validator,
    sellers_permit_validator,
)
from licensing.selectors import number_normalize
from portal.forms import DateInput
from portal.phones import PhoneInput, phone_normalize

ZIP_CODE = RegexValidator(r"^\d{5}(-\d{4})?\Z", _("Enter a 5-digit ZIP code, e.g. 90275."))
STATE_CODE = RegexValidator(
    r"^[A-Za-z]{2}\Z", _("Enter the state's two-letter code, e.g. CA."), code="state"
)
YES, NO = "yes", "no"
# Room for a business with many partners or officers, and a bound on what a POST makes.
OWNERS_MAX = 20
# Blank rows offered under the owners already entered, so more can be added without
# JavaScript; saving offers fresh ones.
OWNER_BLANK_ROWS = 2


def _yes_no(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


class DollarsField(forms.DecimalField):
    """Dollars as people write them: “$120,000.50” is 120000.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("$", "").replace(",", "").strip()
        return super().to_python(value)


class ClassificationChoiceField(forms.ModelChoiceField):
    """The classification radios; the template shows each one's description and fee."""

    def label_from_instance(self, classification: BusinessClassification) -> str:
        return classification.name


class StepForm(forms.Form):
    """A step of the application. Saving a draft (`partial`) requires nothing, but what
    is entered must still be valid; continuing requires the step's answers."""

    def __init__(self, *args, partial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.partial = partial
        if partial:
            for field in self.fields.values():
                field.required = False

    def values(self) -> dict:
        """The answers as `license_draft_update` takes them."""
        return dict(self.cleaned_data)


class LicenseBusinessForm(StepForm):
    classification = ClassificationChoiceField(
        label=_("Business classification"),
        queryset=BusinessClassification.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("The kind of business decides the license fee."),
        error_messages={"invalid_choice": _("Choose one of the classifications listed.")},
    )
    business_name = forms.CharField(
        label=_("Legal business name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    dba = forms.CharField(
        label=_("Doing business as (DBA)"),
        max_length=200,
        required=False,
        help_text=_("Optional: the name customers know, if it differs from the legal name."),
    )
    ownership = forms.ChoiceField(
        label=_("Ownership type"),
        choices=[("", _("Choose one")), *BusinessLicense.Ownership.choices],
    )
    starts_business_on = forms.DateField(
        label=_("Business start date"),
        widget=DateInput(),
        help_text=_("When the business opened or will open."),
        error_messages={"invalid": _("Enter a date such as 2026-03-01.")},
    )
    employees = forms.IntegerField(
        label=_("Number of employees"),
        min_value=0,
        max_value=EMPLOYEES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        help_text=_("Count owners who work in the business; 0 if there are none."),
        error_messages={
            "invalid": _("Enter the number of employees as a whole number, e.g. 3."),
            "min_value": _("The number of employees cannot be negative."),
            "max_value": _("Enter at most %(limit_value)s employees."),
        },
    )
    gross_receipts = DollarsField(
        label=_("Estimated annual gross receipts, in dollars"),
        min_value=0,
        max_value=RECEIPTS_MAX,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Everything the business expects to take in over a year, before costs."),
        error_messages={
            "invalid": _("Enter the receipts as a number of dollars, e.g. 120000."),
            "min_value": _("Gross receipts cannot be negative."),
            "max_value": _("Enter receipts under $100,000,000."),
            "max_decimal_places": _("Enter the receipts in dollars and cents."),
        },
    )
    state_license_number = forms.CharField(
        label=_("State contractor license number"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "Contractor classifications only: your California State License Board (CSLB) "
            "number, e.g. 1029384."
        ),
    )
    federal_ein = forms.CharField(
        label=_("Federal employer ID (EIN)"),
        max_length=10,
        required=False,
        validators=[federal_ein_validator],
        help_text=_("Optional, written as 12-3456789."),
    )
    sellers_permit = forms.CharField(
        label=_("Seller's permit number"),
        max_length=15,
        required=False,
        validators=[sellers_permit_validator],
        help_text=_("Optional: from the California Department of Tax and Fee Administration."),
    )

    def __init__(self, *args, license: BusinessLicense, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = license.holder
        # A renewal may keep a classification the city no longer offers to newcomers.
        self.fields["classification"].queryset = BusinessClassification.objects.filter(
            Q(is_active=True) | Q(pk=license.classification_id)
        ).prefetch_related("receipts_tiers")

    def clean(self):
        cleaned_data = super().clean()
        classification = cleaned_data.get("classification")
        number = cleaned_data.get("state_license_number", "").strip()
        if classification is None or not classification.is_contractor:
            # The service clears it for other classifications; nothing to check.
            cleaned_data["state_license_number"] = number
            return cleaned_data
        if not number:
            if not self.partial:
                self.add_error(
                    "state_license_number",
                    _("A contractor classification needs your state contractor license number."),
                )
            return cleaned_data
        try:
            license_number_validator(number)
        except ValidationError as error:
            self.add_error("state_license_number", error)
        else:
            # A contractor's city license is for the state license they sign in with;
            # the permit gate looks for that one.
            if self.holder.is_contractor and number != self.holder.username:
                self.add_error(
                    "state_license_number",
                    _("Enter your own state license number, %(number)s, the one you sign in with.")
                    % {"number": self.holder.username},
                )
        cleaned_data["state_license_number"] = number
        return cleaned_data


class LicenseOwnerForm(forms.Form):
    """One owner, partner or officer. A row left blank is skipped."""

    name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_("Owner, partner, president…"),
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("title") and not cleaned_data.get("name", "").strip():
            self.add_error("name", _("Enter this person's name, or clear their title."))
        return cleaned_data


class BaseOwnerFormSet(forms.BaseFormSet):
    def __init__(self, *args, partial: bool = False, **kwargs):
        self.partial = partial
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        if not self.partial and not self.owners():
            raise ValidationError(_("Name at least one owner, partner or officer."))

    def owners(self) -> list[LicenseOwner]:
        """The named people, unsaved, in the order entered."""
        return [
            LicenseOwner(name=form.cleaned_data["name"].strip(), title=form.cleaned_data["title"])
            for form in self.forms
            if form.cleaned_data.get("name", "").strip()
        ]


def owner_formset(data, owners: list[LicenseOwner], *, partial: bool) -> BaseOwnerFormSet:
    formset_class = forms.formset_factory(
        LicenseOwnerForm,
        formset=BaseOwnerFormSet,
        extra=OWNER_BLANK_ROWS,
        max_num=OWNERS_MAX,
        absolute_max=OWNERS_MAX,
        validate_max=True,
    )
    return formset_class(
        data,
        # A posted formset stands on its own: every row is read as it was sent, including
        # a row that still shows the owner it was filled with.
        initial=None
        if data is not None
        else [{"name": owner.name, "title": owner.title} for owner in owners],
        form_kwargs={"empty_permitted": False},
        prefix="owners",
        partial=partial,
    )


class LicenseLocationForm(StepForm):
    business_in_city = forms.TypedChoiceField(
        label=_("Where is the business?"),
        widget=forms.RadioSelect,
        coerce=_yes_no,
        empty_value=None,
        help_text=_("Businesses based elsewhere that work in the city need a license too."),
    )
    business_address_line1 = forms.CharField(
        label=_("Business street address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    business_address_line2 = forms.CharField(
        label=_("Suite or unit"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    business_city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    business_state = forms.CharField(
        label=_("State"),
        max_length=2,
        validators=[STATE_CODE],
        widget=forms.TextInput(attrs={"autocomplete": "address-level1", "size": 3}),
    )
    business_postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        validators=[ZIP_CODE],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    mailing_same = forms.TypedChoiceField(
        label=_("Where should the city send mail?"),
        widget=forms.RadioSelect,
        coerce=_yes_no,
        empty_value=None,
        choices=[
            (YES, _("Mail goes to the business address")),
            (NO, _("Mail goes to the mailing address below")),
        ],
    )
    mailing_address_line1 = forms.CharField(
        label=_("Mailing street address or PO box"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "section-mailing address-line1"}),
    )
    mailing_address_line2 = forms.CharField(
        label=_("Mailing address line 2"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "section-mailing address-line2"}),
    )
    mailing_city = forms.CharField(
        label=_("Mailing city"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "section-mailing address-level2"}),
    )
    mailing_state = forms.CharField(
        label=_("Mailing state"),
        max_length=2,
        required=False,
        validators=[STATE_CODE],
        widget=forms.TextInput(attrs={"autocomplete": "section-mailing address-level1", "size": 3}),
    )
    mailing_postal_code = forms.CharField(
        label=_("Mailing ZIP code"),
        max_length=10,
        required=False,
        validators=[ZIP_CODE],
        widget=forms.TextInput(
            attrs={"autocomplete": "section-mailing postal-code", "inputmode": "numeric"}
        ),
    )
    phone = forms.CharField(
        label=_("Business phone"),
        max_length=30,
        widget=PhoneInput(),
        help_text=_("With the area code, e.g. 310-544-5301."),
    )
    email = forms.EmailField(
        label=_("Business email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    MAILING_REQUIRED = (
        "mailing_address_line1",
        "mailing_city",
        "mailing_state",
        "mailing_postal_code",
    )

    def __init__(self, *args, city_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_in_city"].choices = [
            (YES, _("In %(city)s") % {"city": city_name}),
            (NO, _("Outside %(city)s") % {"city": city_name}),
        ]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return phone_normalize(phone) if phone else ""

    def clean_business_state(self) -> str:
        return self.cleaned_data["business_state"].upper()

    def clean_mailing_state(self) -> str:
        return self.cleaned_data["mailing_state"].upper()

    def clean(self):
        cleaned_data = super().clean()
        if self.partial and cleaned_data.get("mailing_same") is None:
            # Saved without an answer: mail follows the business until the person says otherwise.
            cleaned_data["mailing_same"] = True
        if cleaned_data.get("mailing_same") is False and not self.partial:
            for name in self.MAILING_REQUIRED:
                if not cleaned_data.get(name) and name not in self.errors:
                    self.add_error(
                        name, _("Enter the mailing address, or choose the business address.")
                    )
        return cleaned_data


class LicenseVerifyForm(forms.Form):
    """The public check: a license number in any usual spelling."""

    number = forms.CharField(
        label=_("Business license number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("As printed on the certificate, e.g. BL2026-00001."),
        error_messages={"required": _("Enter a business license number, e.g. BL2026-00001.")},
    )

    def clean_number(self) -> str:
        number = number_normalize(self.cleaned_data["number"])
        if not number:
            raise ValidationError(
                _(
                    "That is not a business license number. Numbers look like BL2026-00001: "
                    "BL, the year, then up to five digits."
                )
            )
        return number
