"""Forms of the business license office's side: a classification with its gross-receipts
tiers."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from licensing.models import BusinessClassification

FeeKind = BusinessClassification.FeeKind


class BusinessClassificationForm(forms.ModelForm):
    class Meta:
        model = BusinessClassification
        fields = (
            "name",
            "description",
            "is_contractor",
            "fee_kind",
            "base_fee",
            "per_employee_fee",
            "period",
            "is_active",
            "order",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("per_employee_fee") and cleaned.get("fee_kind") != FeeKind.PER_EMPLOYEE:
            # Nobody would be charged it, yet the office would think they are.
            self.add_error(
                "per_employee_fee",
                _(
                    "Only the per-employee fee rule charges a fee per employee. Set it to 0, "
                    "or choose that rule."
                ),
            )
        return cleaned


class ReceiptsTierFormSet(forms.BaseInlineFormSet):
    """The tiers as the fee rule needs them: a gross-receipts classification prices every
    amount only with one top tier (no upper bound); any other rule never reads tiers."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        tiers = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        top_tiers = sum(1 for tier in tiers if tier.get("receipts_up_to") is None)
        if self.instance.fee_kind != FeeKind.GROSS_RECEIPTS:
            if tiers:
                raise ValidationError(
                    _(
                        "Only the gross-receipts fee rule uses tiers, so these would never "
                        "be charged. Delete them, or choose that rule."
                    ),
                    code="tiers_unused",
                )
        elif top_tiers == 0:
            raise ValidationError(
                _(
                    "A gross-receipts classification needs a top tier for receipts above "
                    "every other tier: add one and leave its “gross receipts up to” empty."
                ),
                code="top_tier_missing",
            )
        elif top_tiers > 1:
            raise ValidationError(
                _("Only one tier can be the top tier; give the others an upper bound."),
                code="top_tier_twice",
            )
