"""reCAPTCHA v2 ("I'm not a robot") on the forms bots target, when the city has keys.

Without keys the field is left out; templates show `captcha_missing` instead, and
`check --deploy` warns (portal.W002).
"""

from http.client import HTTPException

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox

CAPTCHA_FIELD = "captcha"


def captcha_configured() -> bool:
    return bool(settings.RECAPTCHA_PUBLIC_KEY and settings.RECAPTCHA_PRIVATE_KEY)


class CaptchaCheckbox(ReCaptchaV2Checkbox):
    """The checkbox is shown, not hidden: it belongs in the form, above the button."""

    input_type = None


class CaptchaField(ReCaptchaField):
    """The checkbox, with messages a person can act on, and any trouble reaching Google
    treated as a failed check instead of an error page."""

    default_error_messages = {
        "required": _("Tick the “I'm not a robot” box above the button."),
        "captcha_invalid": _("The “I'm not a robot” check did not pass; tick the box again."),
        "captcha_error": _("We could not check the “I'm not a robot” box just now; try again."),
    }

    def __init__(self, **kwargs):
        super().__init__(widget=CaptchaCheckbox(api_params={"hl": "en"}), **kwargs)
        self.label = _("Confirm you are not a robot")

    def validate(self, value):
        try:
            super().validate(value)
        except (OSError, HTTPException, ValueError, KeyError) as error:
            # Unreachable, timed out, or an answer that is not Google's JSON.
            raise ValidationError(
                self.error_messages["captcha_error"], code="captcha_error"
            ) from error


def captcha_add(form: forms.Form) -> None:
    """Add the checkbox as the form's last field, directly above its submit button."""
    if captcha_configured():
        form.fields[CAPTCHA_FIELD] = CaptchaField()
