"""Paying online: start a checkout for fees that are due, the built-in test provider's
checkout page, coming back from the provider (paid or cancelled), and the receipt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payments import services
from payments.cards import NOT_A_TEST_CARD
from payments.forms import CardForm, PayForm
from payments.models import BuiltInCheckout, Payment
from payments.providers import provider_active, provider_of
from payments.providers.base import CheckoutResult, Outcome, ProviderUnavailable
from payments.selectors import receipt_for
from portal.links import absolute_url, redirect_back
from portal.pdf import logo_data_uri, pdf_from_html
from portal.selectors import city_profile
from portal.shortcuts import found_or_404

TEST_PROVIDER = "test"


def _fees_url() -> str:
    return reverse("accounts:dashboard") + "#fees-due"


def _back(request: HttpRequest, next_url: str) -> HttpResponse:
    """To the page the person paid from, when it is one of ours; else the dashboard."""
    return redirect_back(request, next_url, default=_fees_url())


def _card_payment_of(user, pk: int) -> Payment:
    """The person's own card payment; anyone else's is a 404."""
    return get_object_or_404(Payment, pk=pk, payer=user, method=Payment.Method.CARD)


def _fetch(payment: Payment) -> CheckoutResult | None:
    """How the provider says the checkout stands, or None when it cannot say now."""
    if not payment.provider_reference:
        return None
    try:
        return provider_of(payment.provider).checkout_fetch(reference=payment.provider_reference)
    except (ProviderUnavailable, ObjectDoesNotExist, KeyError):
        return None


def _settle(payment: Payment, result: CheckoutResult) -> Payment:
    return (
        services.payment_checkout_settle(provider_name=payment.provider, result=result) or payment
    )


@login_required
@require_POST
def payment_start(request: HttpRequest) -> HttpResponse:
    form = PayForm(request.POST)
    next_url = request.POST.get("next", "")
    if not form.is_valid():
        messages.error(
            request, " ".join(form.errors.get("invoice", [_("Choose the fees to pay.")]))
        )
        return _back(request, next_url)
    try:
        _payment, redirect_url = services.payment_checkout_start(
            payer=request.user,
            invoice_ids=form.cleaned_data["invoice"],
            provider=provider_active(),
            success_url=lambda payment: absolute_url(reverse("payments:return", args=[payment.pk])),
            cancel_url=lambda payment: absolute_url(reverse("payments:cancel", args=[payment.pk])),
        )
    except services.PaymentError as error:
        messages.error(request, str(error))
        return _back(request, next_url)
    return redirect(redirect_url)


# The built-in test provider's checkout page --------------------------------------------


@transaction.atomic
def _checkout_state(payment: Payment, checkout: BuiltInCheckout) -> str:
    if payment.status == Payment.Status.SUCCEEDED or checkout.outcome == Outcome.SUCCEEDED:
        return "paid"
    if payment.is_final or checkout.outcome != Outcome.PENDING:
        return "closed"
    return "open"


@login_required
@never_cache
@sensitive_post_parameters("card_number", "expiry", "cvc", "name")
@require_http_methods(["GET", "POST"])
def test_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    # Once the city has Stripe keys, a test checkout left open must not pay real fees.
    if provider_active().name != TEST_PROVIDER:
        raise Http404
    payment = get_object_or_404(
        Payment, provider=TEST_PROVIDER, provider_reference=reference, payer=request.user
    )
    checkout = get_object_or_404(BuiltInCheckout, reference=reference)
    state = _checkout_state(payment, checkout)
    declined = ""
    form = CardForm()
    if state == "open" and request.method == "POST":
        form = CardForm(request.POST)
        if form.is_valid():
            card = form.test_card
            if card is None:
                declined = str(NOT_A_TEST_CARD)
            elif card.declined:
                declined = str(card.declined)
            else:
                provider = provider_of(TEST_PROVIDER)
                provider.checkout_charge(
                    reference=reference,
                    card_brand=card.brand,
                    card_last4=form.cleaned_data["card_number"][-4:],
                )
                # Settled the way Stripe's webhook settles it.
                payment = _settle(payment, provider.checkout_fetch(reference=reference))
                if payment.status == Payment.Status.SUCCEEDED:
                    return redirect(checkout.success_url)
                checkout.refresh_from_db()
                state = _checkout_state(payment, checkout)
    return render(
        request,
        "payments/test_checkout.html",
        {
            "payment": payment,
            "checkout": checkout,
            "state": state,
            "form": form,
            "declined": declined,
            "fees_url": _fees_url(),
        },
    )


# Back from the provider ----------------------------------------------------------------


@login_required
@never_cache
@require_GET
def payment_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks the provider at once, so the person sees the result without waiting for the
    webhook; both reach the same state through payment_checkout_settle."""
    payment = _card_payment_of(request.user, pk)
    unavailable = False
    if not payment.is_final:
        result = _fetch(payment)
        if result is None:
            unavailable = True
        else:
            payment = _settle(payment, result)
    if payment.status == Payment.Status.SUCCEEDED:
        return redirect("payments:receipt", pk=payment.pk)
    return render(
        request,
        "payments/return.html",
        {"payment": payment, "unavailable": unavailable, "fees_url": _fees_url()},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def payment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the person lands on leaving a checkout. Stripe sends them here by a plain
    link (GET), which any site could also make a browser follow, so only the test
    checkout's own form (POST, with its CSRF token) closes the checkout; one left open
    lapses by itself within half an hour, or closes when a new one starts."""
    payment = _card_payment_of(request.user, pk)
    if not payment.is_final:
        if request.method == "POST":
            payment = services.payment_checkout_cancel(
                payment=payment, provider=provider_of(payment.provider)
            )
        elif (result := _fetch(payment)) is not None:
            # Paid in another tab before leaving? Then that is what is kept.
            payment = _settle(payment, result)
    if payment.status == Payment.Status.SUCCEEDED:
        messages.info(request, _("This payment went through before it could be cancelled."))
        return redirect("payments:receipt", pk=payment.pk)
    if payment.needs_attention:
        # Charged, but not what was owed: saying "nothing was charged" would be untrue.
        messages.error(request, payment.failure_message)
        return redirect(_fees_url())
    messages.info(request, _("Payment cancelled; nothing was charged; the fees are still due."))
    return redirect(_fees_url())


# The receipt -----------------------------------------------------------------------------


def _receipt_context(request: HttpRequest, pk: int) -> dict:
    receipt = found_or_404(receipt_for(request.user, pk))
    return {
        "payment": receipt.payment,
        "receipt_number": receipt.number,
        "paid": receipt.paid,
        "card_brand": receipt.card_brand,
    }


@login_required
@require_GET
def payment_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    response = render(request, "payments/receipt.html", _receipt_context(request, pk))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def payment_receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt as a tagged PDF, made when asked for: it never changes once paid."""
    context = _receipt_context(request, pk)
    city = city_profile().city
    html = render_to_string(
        "pdf/receipt.html", {**context, "city": city, "logo": logo_data_uri(city)}, request=request
    )
    response = HttpResponse(
        pdf_from_html(html, identifier=context["receipt_number"]), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{context["receipt_number"]}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
