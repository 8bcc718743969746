"""Forms of the staff side: a permit type's inlines, checked against each other, and the
forms behind the fee buttons on a permit's admin page (the review buttons' are
portal.admin_review's)."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from permits.models import PermitField, fee_rule_reference_errors
from portal.forms import ReasonField

FIELDS_PREFIX = "fields"


class PermitTypePartFormSet(BaseInlineFormSet):
    """An inline of the permit type page that can find the other inlines of the same
    request in `siblings` (keyed by prefix), since a fee rule may name a field added
    in the same save."""

    def __init__(self, *args, siblings: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings = siblings if siblings is not None else {}
        self.siblings[self.prefix] = self


class PermitFieldFormSet(PermitTypePartFormSet):
    def pending_fields(self) -> list[PermitField] | None:
        """The type's fields as this save leaves them; None while a field has errors."""
        if not self.is_bound or not self.is_valid():
            return None
        return [
            form.instance
            for form in self.forms
            if not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]


class FeeRuleFormSet(PermitTypePartFormSet):
    def _pending_fields(self) -> list[PermitField] | None:
        fields_formset = self.siblings.get(FIELDS_PREFIX)
        return fields_formset.pending_fields() if fields_formset is not None else None

    def full_clean(self) -> None:
        pending = self._pending_fields() if self.is_bound else None
        saved_type = self.instance.pk is not None
        if pending is None or not saved_type:
            super().full_clean()
            if pending is not None:
                self._check_references(pending)
            return
        # FeeRule.clean() reads the saved type's fields; let it read them as this save
        # leaves them, or a rule on a field added in the same save would be refused.
        cache = self.instance.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[FIELDS_PREFIX] = pending
        try:
            super().full_clean()
        finally:
            cache.pop(FIELDS_PREFIX, None)

    def _check_references(self, pending: list[PermitField]) -> None:
        """A new type's rules: FeeRule.clean() skips these checks until the type is saved."""
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            errors = fee_rule_reference_errors(
                basis=data.get("basis", ""),
                applies_when=data.get("applies_when", ""),
                fields=pending,
            )
            for name, message in errors.items():
                if name not in form.errors:
                    form.add_error(name, message)


class FeeAmountField(forms.DecimalField):
    """A fee line's amount in dollars; a credit is a negative amount."""

    def __init__(self, *, label: str, **kwargs):
        super().__init__(
            label=label,
            max_digits=10,
            decimal_places=2,
            help_text=_("A negative amount is a credit."),
            **kwargs,
        )


class FeeLineAddForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    amount = FeeAmountField(label=_("Amount in dollars"))
    reason = ReasonField(help_text=_("Why the fee is added; kept with the fees' history."))


class FeeLineAdjustForm(forms.Form):
    amount = FeeAmountField(label=_("New amount in dollars"))
    reason = ReasonField(help_text=_("Why the amount changes; kept with the fees' history."))
