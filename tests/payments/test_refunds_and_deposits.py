"""Finance refunds payments and reads the day's deposits in the admin."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from payments import services
from payments.models import Payment
from payments.providers import provider_of
from payments.providers.base import CURRENCY, CheckoutResult, Outcome, cents
from tests.factories import UserFactory
from tests.permits.support import permit_submitted


@pytest.fixture
def finance(client, db):
    person = UserFactory(username="fiona", is_staff=True, account_type="staff")
    person.groups.add(Group.objects.get(name="Finance"))
    client.force_login(person)
    return client


def card_payment(homeowner) -> Payment:
    invoice = permit_submitted(homeowner, "WHTR").invoice
    payment, _url = services.payment_checkout_start(
        payer=homeowner,
        invoice_ids=[invoice.pk],
        provider=provider_of("test"),
        success_url=lambda payment: "http://testserver/done/",
        cancel_url=lambda payment: "http://testserver/cancel/",
    )
    return services.payment_checkout_settle(
        provider_name="test",
        result=CheckoutResult(
            reference=payment.provider_reference,
            outcome=Outcome.SUCCEEDED,
            card_brand="visa",
            card_last4="4242",
            amount_cents=cents(payment.amount),
            currency=CURRENCY,
        ),
    )


def test_finance_refunds_part_of_a_card_payment(finance, homeowner):
    payment = card_payment(homeowner)
    url = f"/admin/payments/payment/{payment.pk}/refund/"

    page = finance.get(url)
    too_much = finance.post(url, {"amount": "143.01", "reason": "Typo."})
    done = finance.post(url, {"amount": "43.00", "reason": "Charged twice for the straps."})

    assert page.status_code == 200 and "$143.00 is left to refund" in page.content.decode()
    assert "At most $143.00" in too_much.content.decode()
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    (refund,) = payment.refunds.all()
    assert (refund.amount, refund.created_by.username) == (Decimal("43.00"), "fiona")
    assert refund.history.get().history_user.username == "fiona"
    change = finance.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()
    assert "Charged twice for the straps." in change


def test_the_permit_center_may_not_refund(client, clerk, homeowner):
    payment = card_payment(homeowner)
    client.force_login(clerk)
    response = client.post(
        f"/admin/payments/payment/{payment.pk}/refund/", {"amount": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert not payment.refunds.exists()


def test_the_deposit_report_sums_the_day_by_method_and_downloads_as_csv(
    finance, homeowner, clerk, django_assert_max_num_queries
):
    card = card_payment(homeowner)
    cash = services.payment_record_counter(
        invoice=permit_submitted(homeowner, "RPRK").invoice,
        method="cash",
        receipt_number="R-1",
        recorded_by=clerk,
    )
    services.payment_refund(
        payment=card, amount=Decimal("10.00"), reason="Goodwill.", refunded_by=clerk
    )
    yesterday = services.payment_record_counter(
        invoice=permit_submitted(homeowner, "DCRP").invoice,
        method="check",
        receipt_number="R-2",
        recorded_by=clerk,
    )
    Payment.objects.filter(pk=yesterday.pk).update(
        succeeded_at=timezone.now() - datetime.timedelta(days=1)
    )
    day = timezone.localdate().isoformat()

    with django_assert_max_num_queries(12):
        page = finance.get("/admin/payments/payment/deposit-report/", {"day": day})
    download = finance.get("/admin/payments/payment/deposit-report/", {"day": day, "format": "csv"})

    assert page.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    by_method = {row["method"]: row for row in rows}
    assert by_method["card"] == {
        "day": day,
        "method": "card",
        "payments": "1",
        "received": "143.00",
        "refunded": "10.00",
        "net": "133.00",
    }
    assert (by_method["cash"]["payments"], by_method["cash"]["net"]) == ("1", "30.00")
    assert by_method["check"]["payments"] == "0"  # yesterday's check is not today's deposit
    assert download["Content-Disposition"] == f'attachment; filename="deposits-{day}.csv"'
    assert cash.amount == Decimal("30.00")


def test_a_bad_day_is_a_message_not_a_500(finance):
    page = finance.get("/admin/payments/payment/deposit-report/", {"day": "2026-13-40"})
    assert page.status_code == 200
    assert "Enter a valid date." in page.content.decode()
