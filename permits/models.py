"""Permit types: the catalogue of permits the city offers, grouped by category."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PermitCategory(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("anchor"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("permit category")
        verbose_name_plural = _("permit categories")

    def __str__(self) -> str:
        return self.name


class PermitType(models.Model):
    category = models.ForeignKey(
        PermitCategory,
        on_delete=models.PROTECT,
        related_name="permit_types",
        verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    code_prefix = models.CharField(
        _("number prefix"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("Use 2 to 6 capital letters, e.g. RERF."))],
        help_text=_("Permit numbers start with it: RERF2026-0001."),
    )
    description = models.TextField(_("description"), blank=True)
    is_online = models.BooleanField(
        _("offered online"),
        default=True,
        help_text=_("Off: counter-only; the type is not listed on the portal."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("category__order", "order", "name")
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")

    def __str__(self) -> str:
        return self.name
