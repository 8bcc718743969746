"""Inspections as city data: which inspections each permit type needs, in order."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.models import PermitType


class InspectionType(models.Model):
    permit_type = models.ForeignKey(
        PermitType,
        on_delete=models.CASCADE,
        related_name="inspection_types",
        verbose_name=_("permit type"),
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_final = models.BooleanField(
        _("final inspection"), default=False, help_text=_("A pass finals the permit.")
    )
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("must pass first"),
    )

    class Meta:
        ordering = ("permit_type", "order", "id")
        verbose_name = _("inspection type")
        verbose_name_plural = _("inspection types")
        constraints = [
            models.UniqueConstraint(fields=["permit_type", "code"], name="inspection_type_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
