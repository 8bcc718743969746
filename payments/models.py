"""Bills and their payments. `payments` knows invoices with fee lines, never what they
are for: the permit or license that holds an invoice registers what happens when it is
paid (payments.registry)."""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from payments.constants import INVOICE_STATUS_MEANINGS, InvoiceStatus
from portal.money import MoneyField, money
from portal.statuses import status_is


def lines_total(lines: Iterable) -> Decimal:
    """What fee lines add up to, billed ones or drafts not yet billed."""
    return money(sum((line.amount for line in lines), Decimal(0)))


class Invoice(models.Model):
    Status = InvoiceStatus

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
        return lines_total(self.lines.all())

    is_due = status_is(Status.DUE)

    @property
    def status_meaning(self) -> str:
        meaning = INVOICE_STATUS_MEANINGS.get(self.status, "")
        if self.status == self.Status.PAID:
            return meaning % {"date": date_format(timezone.localtime(self.paid_at), "DATE_FORMAT")}
        return meaning


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
    # Online payments: who took the card, and how they know the payment.
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=255, blank=True)
    convenience_fee = MoneyField(_("convenience fee"), default=0)
    card_brand = models.CharField(_("card"), max_length=20, blank=True)
    card_last4 = models.CharField(_("card's last four digits"), max_length=4, blank=True)
    failure_message = models.CharField(_("why it failed"), max_length=255, blank=True)
    # What the provider reported charging, kept as it said it, so a charge that differs
    # from `amount` can be shown to Finance beside what was owed.
    charged_cents = models.BigIntegerField(
        _("charged, in cents"),
        null=True,
        blank=True,
        help_text=_("What the card company reported charging, in its currency's cents."),
    )
    charged_currency = models.CharField(_("charged currency"), max_length=3, blank=True)
    needs_attention = models.BooleanField(
        _("needs attention"),
        default=False,
        help_text=_(
            "Money was taken that did not pay these fees as owed: refund it or look into it."
        ),
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
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # Finance's list of what needs attention: few rows, newest first.
            models.Index(
                fields=["-created_at"],
                condition=models.Q(needs_attention=True),
                name="payment_needs_attention",
            ),
        ]

    FINAL_STATUSES = (
        Status.SUCCEEDED,
        Status.FAILED,
        Status.EXPIRED,
        Status.REFUNDED,
        Status.PARTIALLY_REFUNDED,
    )
    # Money that went through and has not all been given back.
    REFUNDABLE = (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED)

    def __str__(self) -> str:
        return f"{self.get_method_display()} ${self.amount} ({self.get_status_display()})"

    @property
    def receipt_label(self) -> str:
        """The receipt's number as printed: the register's for counter payments."""
        return self.receipt_number or f"WEB-{self.pk:06d}"

    is_final = status_is(*FINAL_STATUSES)
    is_succeeded = status_is(Status.SUCCEEDED)
    is_failed = status_is(Status.FAILED)
    is_expired = status_is(Status.EXPIRED)
    can_refund = status_is(*REFUNDABLE)


class WebhookEvent(models.Model):
    """Every provider event received, so a repeat is recognised and does nothing."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ("-received_at",)
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class BuiltInCheckout(models.Model):
    """The built-in test provider's side of a checkout: what Stripe keeps on its servers."""

    reference = models.CharField(max_length=60, unique=True)
    amount = MoneyField()
    lines = models.JSONField(default=list)
    success_url = models.URLField(max_length=500)
    cancel_url = models.URLField(max_length=500)
    outcome = models.CharField(max_length=20, default="pending")
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("test provider checkout")
        verbose_name_plural = _("test provider checkouts")

    def __str__(self) -> str:
        return self.reference


class Refund(models.Model):
    """Money given back on a payment, in full or in part, through the provider that took
    it (or from the cash drawer for a counter payment)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = MoneyField(_("amount"))
    reason = models.TextField(_("reason"))
    provider_reference = models.CharField(_("provider's reference"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("refunded by"),
    )
    created_at = models.DateTimeField(_("refunded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"${self.amount} of {self.payment.receipt_label}"
