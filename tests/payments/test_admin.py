"""Invoices, fee lines and payments in the admin: to read and search, with history;
never edited there."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import services
from payments.models import FeeLine, Invoice, Payment
from payments.providers import provider_of
from payments.providers.base import CheckoutResult, Outcome
from payments.services import fee_line_add, payment_record_counter
from tests.factories import UserFactory
from tests.permits.support import permit_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rosa(demo_city):
    return UserFactory(username="rosa", email_verified=True)


def staff_member(group: str):
    user = UserFactory(username=group.lower().replace(" ", ""), is_staff=True, account_type="staff")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def clerk(db):
    return staff_member("Permit Center")


@pytest.fixture(params=["superuser", "Permit Center", "Finance"])
def any_staff(request, client, django_user_model):
    """Each of: a superuser, a Permit Center clerk, a Finance cashier."""
    if request.param == "superuser":
        user = django_user_model.objects.create_superuser("boss", "boss@city.example", "x")
    else:
        user = staff_member(request.param)
    client.force_login(user)
    return client


def paid_permit(applicant, receipt: str, recorded_by):
    """An over-the-counter permit, paid at the counter."""
    permit = permit_submitted(applicant, "WHTR")
    payment_record_counter(
        invoice=permit.invoice, method="cash", receipt_number=receipt, recorded_by=recorded_by
    )
    return permit


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_every_payments_page_opens_for_superuser_clerk_and_finance(any_staff, rosa, clerk):
    paid = paid_permit(rosa, "R-100", clerk)
    due = permit_submitted(rosa, "RERF")
    line = fee_line_add(
        invoice=due.invoice, description="Re-inspection", amount=Decimal("95"), reason="Visit."
    )
    payment = Payment.objects.get()

    for page in (
        "/admin/payments/",
        "/admin/payments/invoice/",
        "/admin/payments/invoice/?status__exact=due&kind=permit",
        "/admin/payments/invoice/?q=WHTR",
        f"/admin/payments/invoice/{paid.invoice.pk}/change/",
        f"/admin/payments/invoice/{paid.invoice.pk}/history/",
        "/admin/payments/feeline/",
        f"/admin/payments/feeline/{line.pk}/change/",
        f"/admin/payments/feeline/{line.pk}/history/",
        "/admin/payments/payment/",
        "/admin/payments/payment/?method__exact=cash&status__exact=succeeded",
        f"/admin/payments/payment/{payment.pk}/change/",
        f"/admin/payments/payment/{payment.pk}/history/",
    ):
        assert any_staff.get(page).status_code == 200, page


def test_the_invoice_page_shows_its_lines_and_total_read_only(client, rosa, clerk):
    permit = permit_submitted(rosa, "RERF")
    client.force_login(clerk)

    response = client.get(f"/admin/payments/invoice/{permit.invoice.pk}/change/")

    page = response.content.decode()
    for line in permit.invoice.lines.all():
        assert line.description in page
    assert str(permit.invoice.total) in page
    assert 'name="status"' not in page and 'name="lines-0-amount"' not in page


def test_invoices_filter_by_status_and_search_by_reference(client, rosa, clerk):
    paid = paid_permit(rosa, "R-1", clerk)
    due = permit_submitted(rosa, "RERF")
    client.force_login(clerk)

    assert listed(client.get("/admin/payments/invoice/", {"status__exact": "paid"})) == [
        paid.invoice
    ]
    assert listed(client.get("/admin/payments/invoice/", {"status__exact": "due"})) == [due.invoice]
    assert listed(client.get("/admin/payments/invoice/", {"q": due.number})) == [due.invoice]


@pytest.mark.parametrize("by", ["receipt", "invoice"])
def test_payments_are_found_by_receipt_number_or_invoice_reference(client, rosa, clerk, by):
    first = paid_permit(rosa, "R-111", clerk)
    paid_permit(rosa, "R-222", clerk)
    client.force_login(clerk)

    query = "R-111" if by == "receipt" else first.number
    found = listed(client.get("/admin/payments/payment/", {"q": query}))

    assert [payment.receipt_number for payment in found] == ["R-111"]


def test_payments_filter_by_method(client, rosa, clerk):
    paid_permit(rosa, "R-1", clerk)
    client.force_login(clerk)

    assert len(listed(client.get("/admin/payments/payment/", {"method__exact": "cash"}))) == 1
    assert listed(client.get("/admin/payments/payment/", {"method__exact": "check"})) == []


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own: another test run sharing Redis may empty it mid-count,
    and the city profile read from the database would then add a query."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_the_lists_take_the_same_queries_however_many_rows(
    client, rosa, clerk, django_assert_max_num_queries, private_cache
):
    paid_permit(rosa, "R-0", clerk)
    client.force_login(clerk)
    pages = ("/admin/payments/invoice/", "/admin/payments/payment/", "/admin/payments/feeline/")
    few = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        few[page] = len(queries.captured_queries)

    for n in range(1, 8):
        paid_permit(UserFactory(email_verified=True), f"R-{n}", clerk)

    for page in pages:
        with django_assert_max_num_queries(few[page]):
            response = client.get(page)
        assert len(listed(response)) >= 8


def test_nobody_adds_changes_or_deletes_invoices_payments_or_fee_lines_here(
    client, rosa, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss", "boss@city.example", "x")
    permit = paid_permit(rosa, "R-1", boss)
    invoice = permit.invoice
    line = invoice.lines.first()
    payment = Payment.objects.get()
    client.force_login(boss)

    for url, data in (
        ("/admin/payments/invoice/add/", {}),
        (f"/admin/payments/invoice/{invoice.pk}/change/", {"status": "due"}),
        (f"/admin/payments/invoice/{invoice.pk}/delete/", {"post": "yes"}),
        (f"/admin/payments/feeline/{line.pk}/change/", {"amount": "0.01"}),
        (f"/admin/payments/payment/{payment.pk}/change/", {"status": "refunded"}),
        (f"/admin/payments/payment/{payment.pk}/delete/", {"post": "yes"}),
    ):
        assert client.post(url, data).status_code == 403, url

    version = invoice.history.earliest()
    revert = client.post(f"/admin/payments/invoice/{invoice.pk}/history/{version.history_id}/")
    assert revert.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert FeeLine.objects.get(pk=line.pk).amount == line.amount
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED


def test_staff_outside_the_groups_cannot_open_payments(client, rosa, clerk):
    paid_permit(rosa, "R-1", clerk)
    client.force_login(UserFactory(username="temp", is_staff=True, account_type="staff"))

    assert client.get("/admin/payments/invoice/").status_code == 403
    assert client.get("/admin/payments/payment/").status_code == 403


def card_payment_charged(payer, *, amount_cents: int | None, currency: str = "usd") -> Payment:
    """A card checkout for a water heater's $143.00 that the provider reports paid with
    `amount_cents` in `currency`."""
    permit = permit_submitted(payer, "WHTR")
    payment, _url = services.payment_checkout_start(
        payer=payer,
        invoice_ids=[permit.invoice.pk],
        provider=provider_of("test"),
        success_url=lambda payment: f"http://testserver/payments/{payment.pk}/return/",
        cancel_url=lambda payment: f"http://testserver/payments/{payment.pk}/cancel/",
    )
    return services.payment_checkout_settle(
        provider_name="test",
        result=CheckoutResult(
            reference=payment.provider_reference,
            outcome=Outcome.SUCCEEDED,
            amount_cents=amount_cents,
            currency=currency,
        ),
    )


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_finance_finds_the_charges_that_do_not_match_what_was_owed(client, rosa, clerk):
    short = card_payment_charged(rosa, amount_cents=100)
    foreign = card_payment_charged(rosa, amount_cents=14300, currency="eur")
    as_owed = card_payment_charged(rosa, amount_cents=14300)
    paid_permit(rosa, "R-1", clerk)
    client.force_login(staff_member("Finance"))

    everything = client.get("/admin/payments/payment/")
    assert "By needs attention" in page_text(everything)
    flagged = listed(client.get("/admin/payments/payment/", {"needs_attention__exact": "1"}))
    assert set(flagged) == {short, foreign}
    assert as_owed not in flagged and as_owed.status == Payment.Status.SUCCEEDED


@pytest.mark.parametrize(
    ("amount_cents", "currency", "reported"),
    [(100, "usd", "1.00 USD"), (14300, "eur", "143.00 EUR"), (None, "", "an unreported amount")],
    ids=["another amount", "another currency", "nothing reported"],
)
def test_the_payment_page_says_what_the_provider_charged_against_what_was_owed(
    client, rosa, amount_cents, currency, reported
):
    payment = card_payment_charged(rosa, amount_cents=amount_cents, currency=currency)
    client.force_login(staff_member("Finance"))

    page = client.get(f"/admin/payments/payment/{payment.pk}/change/")

    assert "<strong>Does not match:" in page.content.decode()
    text = page_text(page)
    assert "Needs attention" in text
    assert (
        f"Does not match: the card company charged {reported}; 143.00 USD was owed. "
        "The fees were not marked paid: refund the charge or look into it." in text
    )


def test_the_payment_page_says_when_a_charge_matches(client, rosa):
    payment = card_payment_charged(rosa, amount_cents=14300)
    client.force_login(staff_member("Finance"))

    text = page_text(client.get(f"/admin/payments/payment/{payment.pk}/change/"))

    assert "Matches: the card company charged 143.00 USD." in text
    assert "Does not match" not in text
