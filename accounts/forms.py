"""The account forms: sign-up for public users and contractors, log in and password reset
with the portal's checks (allauth's forms), first-login setup, the security question, the
profile, and a contractor's license and insurance. Just over the house's 500 lines on
purpose: they share the sign-up's field checks and the contractor's license fields, which
read best beside the forms that ask them."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import (
    AddEmailForm,
    LoginForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordField,
    SignupForm,
)
from allauth.account.internal import flows
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.lockout import LOGIN_MAX_LENGTH, lockout_key
from accounts.models import (
    CONTACT_FIELDS,
    CONTRACTOR_VERIFIED_FIELDS,
    ContractorProfile,
    LicenseClassification,
    SecurityQuestion,
    User,
    license_number_validator,
)
from accounts.services import ContactDetails, ContractorDetails, security_answer_matches
from portal.captcha import CAPTCHA_FIELD, captcha_add, captcha_configured
from portal.forms import DateInput
from portal.phones import PhoneInput

CONTRACTOR = User.AccountType.CONTRACTOR
PUBLIC = User.AccountType.PUBLIC

# The session remembers a failed login, so the next attempt asks for the CAPTCHA.
LOGIN_FAILED_SESSION_KEY = "accounts_login_failed"

CONTACT_FIELDS_OPTIONAL = ("address_line2",)
# Signup forms: the account first, then the person (contractors put the business between).
ACCOUNT_FIELDS = ("username", "password1", "password2")
PERSON_FIELDS = (
    "email",
    "first_name",
    "last_name",
    *CONTACT_FIELDS,
    "security_question",
    "security_answer",
)


def chosen_account_type(request, data=None) -> str:
    """Public or Contractor, from the form's hidden field or the `?as=` of the link."""
    value = (data or {}).get("as") or (request.GET.get("as") if request else None)
    return CONTRACTOR if value == CONTRACTOR else PUBLIC


def contact_form_fields() -> dict[str, forms.Field]:
    """Phone and mailing address, as the model defines them, required where we need them."""
    fields = forms.fields_for_model(User, fields=CONTACT_FIELDS)
    for name, field in fields.items():
        field.required = name not in CONTACT_FIELDS_OPTIONAL
    fields["phone"].widget = PhoneInput(fields["phone"].widget.attrs)
    fields["address_line1"].widget.attrs["autocomplete"] = "address-line1"
    fields["address_line2"].widget.attrs["autocomplete"] = "address-line2"
    fields["address_city"].widget.attrs["autocomplete"] = "address-level2"
    fields["address_state"].widget.attrs["autocomplete"] = "address-level1"
    fields["address_state"].initial = "CA"
    fields["address_postal_code"].widget.attrs.update(
        {"autocomplete": "postal-code", "inputmode": "numeric"}
    )
    return fields


def security_question_fields() -> dict[str, forms.Field]:
    return {
        "security_question": forms.ModelChoiceField(
            label=_("Security question"),
            queryset=SecurityQuestion.objects.filter(is_active=True),
            empty_label=_("Choose a question"),
        ),
        "security_answer": forms.CharField(
            label=_("Answer"),
            max_length=200,
            help_text=_("Capital letters and extra spaces do not matter."),
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        ),
    }


class ContractorLicenseFieldsMixin:
    """Checks shared by contractor registration and the contractor's own updates."""

    def clean_license_expires_on(self):
        expires_on = self.cleaned_data["license_expires_on"]
        if expires_on and expires_on < timezone.localdate():
            raise ValidationError(
                _("This date has passed. Renew the license with the CSLB, then register.")
            )
        return expires_on

    def clean_workers_comp_expires_on(self):
        expires_on = self.cleaned_data.get("workers_comp_expires_on")
        if expires_on and expires_on < timezone.localdate():
            raise ValidationError(_("This policy has expired. Give the current policy."))
        return expires_on

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("workers_comp_exempt"):
            return cleaned_data
        for name in (
            "workers_comp_carrier",
            "workers_comp_policy_number",
            "workers_comp_expires_on",
        ):
            if not cleaned_data.get(name) and name not in self.errors:
                self.add_error(
                    name,
                    _("Required unless you declare the exemption from workers' compensation."),
                )
        return cleaned_data

    def contractor_details(self) -> ContractorDetails:
        data = self.cleaned_data
        return ContractorDetails(
            business_name=data["business_name"],
            license_expires_on=data["license_expires_on"],
            classifications=list(data["classifications"]),
            workers_comp_exempt=data["workers_comp_exempt"],
            workers_comp_carrier=data.get("workers_comp_carrier", ""),
            workers_comp_policy_number=data.get("workers_comp_policy_number", ""),
            workers_comp_expires_on=data.get("workers_comp_expires_on"),
        )


CONTRACTOR_FIELDS = ("classifications", *CONTRACTOR_VERIFIED_FIELDS)


def contractor_form_fields() -> dict[str, forms.Field]:
    fields = forms.fields_for_model(
        ContractorProfile,
        fields=CONTRACTOR_FIELDS,
        widgets={
            "classifications": forms.CheckboxSelectMultiple,
            "license_expires_on": DateInput(),
            "workers_comp_expires_on": DateInput(),
        },
    )
    fields["business_name"].widget.attrs["autocomplete"] = "organization"
    fields["classifications"].queryset = LicenseClassification.objects.filter(is_active=True)
    fields["classifications"].required = True
    fields["classifications"].help_text = _("Tick every classification on your state license.")
    fields["license_expires_on"].required = True
    for name in ("workers_comp_carrier", "workers_comp_policy_number", "workers_comp_expires_on"):
        fields[name].required = False
    return fields


class PublicSignupForm(SignupForm):
    """Create a New Public User Account: every field but the second address line is
    required, as the cities' own guides say."""

    account_type = PUBLIC
    field_order = [*ACCOUNT_FIELDS, *PERSON_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"] = forms.CharField(
            label=_("First name"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        )
        self.fields["last_name"] = forms.CharField(
            label=_("Last name"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        )
        self.fields.update(contact_form_fields())
        self.fields.update(security_question_fields())
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.order_fields(self.field_order)
        captcha_add(self)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if "@" in username:
            raise ValidationError(
                _("A username cannot contain “@”; your email address goes in its own field.")
            )
        if username.isdigit():
            raise ValidationError(
                _(
                    "A username of digits only is kept for contractors, who sign in with "
                    "their CSLB license number. Add a letter, or create a contractor account."
                )
            )
        self.cleaned_data["username"] = username
        return super().clean_username()

    def validate_unique_email(self, value):
        # The issue asks for a clear message on a duplicate email; the username is
        # already public on this form, so this reveals nothing new.
        email, exists = flows.manage_email.email_already_exists(value)
        if exists or User.objects.filter(email__iexact=email).exists():
            raise ValidationError(get_adapter().error_messages["email_taken"])
        return email

    def contact_details(self) -> ContactDetails:
        return ContactDetails(**{name: self.cleaned_data[name] for name in CONTACT_FIELDS})

    def contractor_details(self) -> ContractorDetails | None:
        return None


class ContractorSignupForm(ContractorLicenseFieldsMixin, PublicSignupForm):
    """Create New Contractor Account: the CSLB license number is the username."""

    account_type = CONTRACTOR
    field_order = [
        *ACCOUNT_FIELDS,
        "business_name",
        "classifications",
        *CONTRACTOR_VERIFIED_FIELDS[1:],
        *PERSON_FIELDS,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = _("CSLB license number")
        username.help_text = _("Digits only. This is your username when you log in.")
        username.widget.attrs.update({"inputmode": "numeric", "autocomplete": "username"})
        self.fields["first_name"].label = _("Contact first name")
        self.fields["last_name"].label = _("Contact last name")
        self.fields.update(contractor_form_fields())
        self.order_fields(self.field_order)
        if CAPTCHA_FIELD in self.fields:
            self.fields[CAPTCHA_FIELD] = self.fields.pop(CAPTCHA_FIELD)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        license_number_validator(username)
        self.cleaned_data["username"] = username
        return SignupForm.clean_username(self)


class PortalAddEmailForm(AddEmailForm):
    """A new address may not be one another account already uses (allauth would only
    find out when it is confirmed, too late for a message)."""

    def clean_email(self):
        email = super().clean_email()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists() or (
            EmailAddress.objects.filter(email__iexact=email).exclude(user=self.user).exists()
        ):
            raise get_adapter().validation_error("email_taken")
        return email


class PortalLoginForm(LoginForm):
    """Log in as Public (username or email) or Contractor (CSLB license number).

    Every failure says the same thing, so the form never tells whether an account
    exists. After a failure the CAPTCHA appears, when the city has keys.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_type = chosen_account_type(self.request, self.data)
        self.fields["as"] = forms.CharField(
            widget=forms.HiddenInput, initial=self.account_type, required=False
        )
        login = self.fields["login"]
        login.max_length = LOGIN_MAX_LENGTH
        login.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs["autocomplete"] = "username"
        if self.account_type == CONTRACTOR:
            login.label = _("CSLB license number")
            login.help_text = _("Digits only, for example 1029384.")
            login.widget.attrs["inputmode"] = "numeric"
        else:
            login.label = _("Username or email address")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me logged in on this device")
        if self._captcha_due():
            captcha_add(self)

    def _captcha_due(self) -> bool:
        if not captcha_configured() or self.request is None:
            return False
        if self.request.session.get(LOGIN_FAILED_SESSION_KEY):
            return True
        typed = self.data.get("login", "")
        if not typed:
            return False
        from axes.models import AccessAttempt

        key = lockout_key(self.request, {"login": typed})
        return AccessAttempt.objects.filter(username=key, failures_since_start__gt=0).exists()

    def clean_login(self):
        login = super().clean_login()
        if self.account_type == CONTRACTOR:
            license_number_validator(login)
        return login

    def user_credentials(self) -> dict:
        if self.account_type == CONTRACTOR:
            return {
                "username": self.cleaned_data["login"],
                "password": self.cleaned_data.get("password"),
            }
        return super().user_credentials()

    def clean(self):
        try:
            cleaned_data = super().clean()
            if (
                self.user is not None
                and self.account_type == CONTRACTOR
                and not self.user.is_contractor
            ):
                # Counted as a failure like any other, so the lockout reveals nothing.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": self.cleaned_data["login"]},
                    request=self.request,
                )
                self.user = None
                raise get_adapter(self.request).validation_error("username_password_mismatch")
        except ValidationError:
            self._login_failed()
            raise
        if self.errors:
            self._login_failed()
        return cleaned_data

    def _login_failed(self) -> None:
        """Remember the failure, and show the CAPTCHA on the form that is sent back."""
        if self.request is not None:
            self.request.session[LOGIN_FAILED_SESSION_KEY] = True
        if CAPTCHA_FIELD not in self.fields:
            captcha_add(self)

    def login(self, request, redirect_url=None):
        request.session.pop(LOGIN_FAILED_SESSION_KEY, None)
        return super().login(request, redirect_url)


class PortalResetPasswordForm(ResetPasswordForm):
    """Forgot password: public users give their email, contractors their license number.

    Whatever is typed, the answer is the same, so nobody learns who has an account.
    """

    def __init__(self, *args, **kwargs):
        self.request = kwargs.pop("request", None)
        super().__init__(*args, **kwargs)
        self.account_type = chosen_account_type(self.request, self.data)
        self.fields["as"] = forms.CharField(
            widget=forms.HiddenInput, initial=self.account_type, required=False
        )
        if self.account_type == CONTRACTOR:
            del self.fields["email"]
            self.fields["license_number"] = forms.CharField(
                label=_("CSLB license number"),
                max_length=10,
                validators=[license_number_validator],
                help_text=_("We send the link to the email address on file for this license."),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
            )
        else:
            self.fields["email"].label = _("Email address")
            self.fields["email"].widget.attrs.pop("placeholder", None)
            self.fields["email"].help_text = _("The address you registered with.")
        captcha_add(self)

    def clean_license_number(self):
        license_number = self.cleaned_data["license_number"]
        self.users = list(
            User.objects.filter(
                username=license_number, account_type=CONTRACTOR, is_active=True
            ).exclude(email="")
        )
        return license_number

    def save(self, request, **kwargs) -> str:
        if self.account_type == PUBLIC:
            return super().save(request, **kwargs)
        # Contractors: mail goes to the address on file; nothing is sent for an unknown
        # license number, since there is no address to tell.
        for user in self.users:
            flows.password_reset.request_password_reset(
                request, user.email, [user], kwargs.get("token_generator")
            )
        return ""


class PortalResetPasswordKeyForm(ResetPasswordKeyForm):
    """Set a new password from the emailed link; the security answer guards it too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None and self.user.security_question_id:
            self.fields["security_answer"] = forms.CharField(
                label=self.user.security_question.text,
                help_text=_("Your answer to the security question you chose."),
                max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean_security_answer(self):
        answer = self.cleaned_data["security_answer"]
        if not security_answer_matches(user=self.user, answer=answer):
            raise ValidationError(
                _(
                    "That answer does not match the one on file. Capital letters and "
                    "extra spaces do not matter; if you cannot remember it, call the "
                    "Permit Center."
                )
            )
        return answer


class AccountSetupForm(forms.Form):
    """First login after an import or a temporary password: a password of one's own and
    a security question, before anything else."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.must_change_password:
            self.fields["password1"] = SetPasswordField(label=_("New password"))
            self.fields["password1"].user = user
            self.fields[
                "password1"
            ].help_text = password_validation.password_validators_help_text_html()
            self.fields["password2"] = forms.CharField(
                label=_("New password (again)"),
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            )
        self.fields.update(security_question_fields())
        if user.security_question_id:
            self.fields["security_question"].initial = user.security_question_id

    def clean(self):
        cleaned_data = super().clean()
        first, second = cleaned_data.get("password1"), cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("You must type the same password each time."))
        elif first and self.user.check_password(first):
            self.add_error(
                "password1", _("Choose a new password, not the temporary one you were given.")
            )
        return cleaned_data


class SecurityQuestionChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields.update(security_question_fields())
        self.fields["security_question"].initial = user.security_question_id

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your current password."))
        return password


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", *CONTACT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in contact_form_fields().items():
            self.fields[name] = field
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True


class ContractorProfileForm(ContractorLicenseFieldsMixin, forms.Form):
    """A contractor's license and insurance; any change goes back to staff to verify."""

    def __init__(self, *args, profile: ContractorProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(contractor_form_fields())
        if not self.is_bound:
            for name in CONTRACTOR_VERIFIED_FIELDS:
                self.fields[name].initial = getattr(profile, name)
            if profile.pk:
                self.fields["classifications"].initial = list(profile.classifications.all())
