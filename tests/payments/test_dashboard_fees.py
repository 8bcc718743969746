"""The dashboard's "Fees due": what the person owes now, and where to pay it."""

from decimal import Decimal

import pytest

from payments.models import Invoice
from payments.selectors import invoices_due
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


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", is_staff=True, account_type="staff")


def fees_due_section(page: str) -> str:
    start = page.index('id="fees-due"')
    return page[start : page.index("</section>", start)]


def test_nothing_due_says_so(client, rosa):
    permit_submitted(rosa, "DMPR")  # in review: its fees are not due yet
    client.force_login(rosa)

    section = fees_due_section(client.get("/dashboard/").content.decode())

    assert "Nothing to pay." in section
    assert "Total due" not in section


def test_due_invoices_are_listed_with_their_sum_and_how_to_pay(client, rosa, clerk):
    heater = permit_submitted(rosa, "WHTR")
    roof = permit_submitted(rosa, "RERF")
    fee_line_add(
        invoice=roof.invoice, description="Re-inspection", amount=Decimal("1000"), reason="Test"
    )
    paid = permit_submitted(rosa, "EPNL")
    payment_record_counter(
        invoice=paid.invoice, method="check", receipt_number="R-7", recorded_by=clerk
    )
    pending = permit_submitted(rosa, "DMPR")
    someone_elses = permit_submitted(UserFactory(username="neighbour", email_verified=True), "WHTR")
    client.force_login(rosa)

    section = fees_due_section(client.get("/dashboard/").content.decode())

    heater_total = Invoice.objects.get(pk=heater.invoice_id).total
    roof_total = Invoice.objects.get(pk=roof.invoice_id).total
    assert roof_total > Decimal(1000)
    for permit, total in ((heater, heater_total), (roof, roof_total)):
        assert f'<a href="/permits/applications/{permit.pk}/">{permit.number}</a>' in section
        assert f"${total:,}" in section
    assert f"${heater_total + roof_total:,}" in section
    assert "Water Heater" in section and "Reroof" in section
    for other in (paid, pending, someone_elses):
        assert other.number not in section
    assert "Pay at the Permit Center counter by cash or check" in section


def test_the_selector_sums_the_lines_in_the_database(rosa):
    permit = permit_submitted(rosa, "RERF")
    fee_line_add(invoice=permit.invoice, description="Credit", amount=Decimal("-10"), reason="Test")

    (invoice,) = invoices_due(rosa)

    assert invoice.amount_due == Invoice.objects.get(pk=permit.invoice_id).total


def test_the_section_costs_the_same_queries_for_one_invoice_or_many(
    client, rosa, django_assert_max_num_queries
):
    permit_submitted(rosa, "WHTR")
    client.force_login(rosa)
    with django_assert_max_num_queries(30) as one:
        client.get("/dashboard/")
    for _ in range(5):
        permit_submitted(rosa, "WHTR")

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/dashboard/").content.decode()

    assert fees_due_section(page).count("/permits/applications/") == 6
