"""Bills and their payments. `payments` knows invoices with fee lines, never what they
are for: the permit or license that holds an invoice registers what happens when it is
paid (payments.registry)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.money import MoneyField, money


class Invoice(models.Model):
    class Status(models.TextChoices):
        # Fees are computed and shown, but not payable until the city approves the work.
        PENDING = "pending", _("Not yet due")
        DUE = "due", _("Due")
        PAID = "paid", _("Paid")
        VOID = "void", _("Cancelled")

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("payer"),
    )
    kind = models.CharField(
        _("kind"), max_length=40, help_text=_("What the invoice is for, as registered.")
    )
    reference = models.CharField(
        _("reference"), max_length=40, help_text=_("The number people know it by.")
    )
    description = models.CharField(_("description"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due since"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["payer", "status"])]

    def __str__(self) -> str:
        return f"{self.reference}: {self.description}"

    @property
    def total(self):
        """The sum of the lines; prefetch `lines` when listing invoices."""
        return money(sum((line.amount for line in self.lines.all()), 0))


class FeeLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    description = models.CharField(_("description"), max_length=200)
    amount = MoneyField(_("amount"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reason = models.TextField(
        _("reason for the change"),
        blank=True,
        help_text=_("Why staff added or changed this line; empty for computed lines."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")

    def __str__(self) -> str:
        return f"{self.description}: ${self.amount}"


class Payment(models.Model):
    class Method(models.TextChoices):
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        CHECK = "check", _("Check")

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    invoices = models.ManyToManyField(Invoice, related_name="payments", verbose_name=_("invoices"))
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("payer"),
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    amount = MoneyField(_("amount"))
    receipt_number = models.CharField(
        _("receipt number"),
        max_length=40,
        blank=True,
        help_text=_("From the cash register or the check, for counter payments."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    succeeded_at = models.DateTimeField(_("succeeded"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # The same register receipt entered twice would count the money twice.
            models.UniqueConstraint(
                fields=["receipt_number"],
                condition=~models.Q(receipt_number=""),
                name="payment_receipt_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} ${self.amount} ({self.get_status_display()})"
