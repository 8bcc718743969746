"""Form widgets with Bootstrap classes and the ids of their help and error texts."""

from django import forms, template
from django_recaptcha.widgets import ReCaptchaBase

register = template.Library()


@register.filter
def widget_kind(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, ReCaptchaBase):
        return "captcha"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.simple_tag
def form_widget(bound_field):
    """The widget with its Bootstrap class, aria-describedby naming its help text and
    errors, so a screen reader reads them with the field."""
    kind = widget_kind(bound_field)
    if kind == "captcha":
        return bound_field.as_widget()
    widget = bound_field.field.widget
    css_class = {"checkbox": "form-check-input", "choices": "form-check-input"}.get(
        kind, "form-select" if isinstance(widget, forms.Select) else "form-control"
    )
    if bound_field.errors:
        css_class += " is-invalid"
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}_error")
    attrs = {"class": css_class}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)
