"""Invoices, fee lines and payments for staff: to read, with their history. Fees change
and counter payments are recorded from the page of what they are for (a permit, a
license), through the services, never by editing these rows."""

import csv
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payments import services
from payments.forms import CounterPaymentForm
from payments.models import FeeLine, Invoice, Payment, Refund
from payments.selectors import charge_check, deposit_report
from portal.admin import ActionPageAdminMixin, ReadOnlyAdminMixin, RevertGuardedHistoryAdmin
from portal.forms import DateInput, ReasonField, form_data
from portal.money import money
from portal.selectors import city_localdate


class CounterPaymentAdminMixin(ActionPageAdminMixin):
    """The page on which staff record cash or a check taken at the counter for the fees of
    a row of the admin's model, which holds its bill as `invoice`: `<id>/counter-payment/`,
    named `<app>_<model>_counter_payment`. The admin says what the payment did to the row
    (`counter_payment_outcome`); an error of the row's own services is shown like the
    payment's."""

    def counter_payment_outcome(self, payable) -> str:
        """What the payment did to `payable`, read after it is recorded."""
        raise NotImplementedError

    def get_urls(self):
        return [
            self.admin_path(
                "<int:object_id>/counter-payment/", self.counter_payment_view, "counter_payment"
            ),
            *super().get_urls(),
        ]

    def counter_payment_view(self, request, object_id: int):
        payable = self.action_object(object_id)
        if not request.user.has_perm("payments.add_payment"):
            raise PermissionDenied
        invoice = payable.invoice
        if invoice is None or invoice.status != Invoice.Status.DUE:
            self.message_user(request, gettext("No fees are due."), messages.ERROR)
            return self.back_to(payable)
        form = CounterPaymentForm(form_data(request))
        return self.action_form_page(
            request,
            payable,
            form,
            lambda: services.payment_record_counter(
                invoice=invoice,
                method=form.cleaned_data["method"],
                receipt_number=form.cleaned_data["receipt_number"],
                recorded_by=request.user,
            ),
            lambda payment: (
                gettext("Recorded %(method)s payment of $%(amount)s, receipt %(receipt)s.")
                % {
                    "method": payment.get_method_display().lower(),
                    "amount": payment.amount,
                    "receipt": payment.receipt_number,
                }
                + " "
                + self.counter_payment_outcome(payable)
            ),
            refused=(services.PaymentError, self.action_error),
            title=_("Record a counter payment"),
            button=_("Record payment"),
            amount_due=invoice.total,
            fee_lines=invoice.lines.all(),
        )


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, RevertGuardedHistoryAdmin):
    """Rows only services write, with their history to read."""


class FeeLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FeeLine
    fields = ("description", "amount", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("reference", "description", "kind", "payer", "status", "total", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("reference",)
    list_select_related = ("payer",)
    date_hierarchy = "created_at"
    fields = (
        "reference",
        "description",
        "kind",
        "payer",
        "status",
        "total",
        "created_at",
        "due_at",
        "paid_at",
    )
    readonly_fields = ("total",)
    inlines = (FeeLineInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_total=Sum("lines__amount"))

    @admin.display(description=_("total"), ordering="lines_total")
    def total(self, invoice):
        return money(invoice.lines_total or 0)


@admin.register(FeeLine)
class FeeLineAdmin(ReadOnlyHistoryAdmin):
    list_display = ("description", "amount", "invoice_reference", "reason")
    search_fields = ("invoice__reference", "description")
    list_select_related = ("invoice",)
    fields = ("invoice", "description", "amount", "order", "reason")

    @admin.display(description=_("invoice"), ordering="invoice__reference")
    def invoice_reference(self, line):
        return line.invoice.reference


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    fields = ("created_at", "amount", "reason", "created_by", "provider_reference")
    readonly_fields = fields
    extra = 0
    can_delete = False


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = ReasonField(help_text=_("Kept with the payment and in its history."), rows=4)


class DepositReportForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "created_at",
        "invoice_references",
        "payer",
        "method",
        "status",
        "amount",
        "receipt_number",
        "recorded_by",
    )
    list_filter = (
        "needs_attention",
        "method",
        "status",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("receipt_number", "invoices__reference", "provider_reference")
    list_select_related = ("payer", "recorded_by")
    fields = (
        "invoices",
        "payer",
        "method",
        "status",
        "needs_attention",
        "amount",
        "charge_check",
        "convenience_fee",
        "receipt_number",
        "recorded_by",
        "provider",
        "provider_reference",
        "card_brand",
        "card_last4",
        "failure_message",
        "created_at",
        "succeeded_at",
    )
    readonly_fields = ("charge_check",)
    inlines = (RefundInline,)

    @admin.display(description=_("charged against owed"))
    def charge_check(self, payment):
        check = charge_check(payment)
        if check is None:
            return "—"
        if check.matches:
            return check.text
        return format_html("<strong>{}</strong>", check.text)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:payment_id>/refund/", view(self.refund_view), name="payments_payment_refund"
            ),
            path(
                "deposit-report/",
                view(self.deposit_report_view),
                name="payments_payment_deposit_report",
            ),
            *super().get_urls(),
        ]

    def refund_view(self, request, payment_id: int):
        if not request.user.has_perm("payments.add_refund"):
            raise PermissionDenied
        payment = get_object_or_404(Payment, pk=payment_id)
        left = services.payment_refundable(payment)
        form = RefundForm(request.POST or None, initial={"amount": left})
        if request.method == "POST" and form.is_valid():
            try:
                refund = services.payment_refund(
                    payment=payment,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    refunded_by=request.user,
                )
            except services.PaymentError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("Refunded $%(amount)s of %(receipt)s.")
                    % {"amount": refund.amount, "receipt": payment.receipt_label},
                    messages.SUCCESS,
                )
                return redirect("admin:payments_payment_change", payment.pk)
        return TemplateResponse(
            request,
            "admin/payments/payment/refund.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": payment,
                "title": _("Refund %(receipt)s") % {"receipt": payment.receipt_label},
                "form": form,
                "refundable": left,
            },
        )

    def deposit_report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DepositReportForm(request.GET or {"day": city_localdate().isoformat()})
        lines = deposit_report(form.cleaned_data["day"]) if form.is_valid() else []
        if lines and request.GET.get("format") == "csv":
            return self._deposit_csv(form.cleaned_data["day"], lines)
        return TemplateResponse(
            request,
            "admin/payments/payment/deposit_report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Daily deposit report"),
                "form": form,
                "lines": lines,
                "totals": {
                    "payments": sum(line.payments for line in lines),
                    "received": sum((line.received for line in lines), Decimal("0.00")),
                    "refunded": sum((line.refunded for line in lines), Decimal("0.00")),
                    "net": sum((line.net for line in lines), Decimal("0.00")),
                },
            },
        )

    @staticmethod
    def _deposit_csv(day, lines) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="deposits-{day:%Y-%m-%d}.csv"'
        writer = csv.writer(response)
        writer.writerow(["day", "method", "payments", "received", "refunded", "net"])
        for line in lines:
            writer.writerow(
                [
                    day.isoformat(),
                    line.method,
                    line.payments,
                    line.received,
                    line.refunded,
                    line.net,
                ]
            )
        return response

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("invoices")

    @admin.display(description=_("invoices"))
    def invoice_references(self, payment):
        return ", ".join(invoice.reference for invoice in payment.invoices.all())
