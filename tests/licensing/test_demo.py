"""The demo city's business-license classifications and rules: loading them again
duplicates nothing, and every classification can price a license."""

from decimal import Decimal

import pytest

from licensing.demo import load_demo_data
from licensing.fees import license_fee_lines
from licensing.models import BusinessClassification, LicensingSettings, ReceiptsTier

Fee = BusinessClassification.FeeKind


def rows() -> dict[str, list]:
    return {
        "classifications": list(
            BusinessClassification.objects.values_list(
                "pk", "name", "fee_kind", "base_fee", "per_employee_fee", "period"
            )
        ),
        "tiers": list(
            ReceiptsTier.objects.values_list("pk", "classification", "receipts_up_to", "fee")
        ),
        "settings": list(LicensingSettings.objects.values_list("pk", "department", "state_fee")),
    }


def test_loading_twice_duplicates_nothing(demo_city):
    first = rows()

    load_demo_data()

    assert rows() == first
    assert len(first["classifications"]) == 8
    assert len(first["settings"]) == 1


def test_reloading_restores_edited_demo_rows(demo_city):
    retail = BusinessClassification.objects.get(name="Retail sales")
    BusinessClassification.objects.filter(pk=retail.pk).update(base_fee=0, is_active=False)
    ReceiptsTier.objects.filter(classification=retail, receipts_up_to=None).update(fee=1)
    ReceiptsTier.objects.create(classification=retail, receipts_up_to=Decimal(7), fee=1)

    load_demo_data()

    retail.refresh_from_db()
    assert (retail.base_fee, retail.is_active) == (Decimal("35.00"), True)
    assert retail.receipts_tiers.get(receipts_up_to=None).fee == Decimal("560.00")
    assert not retail.receipts_tiers.filter(receipts_up_to=Decimal(7)).exists()


def test_the_license_office_is_the_finance_department(demo_city):
    rules = LicensingSettings.current()

    assert rules.department.name == "Finance: Business Licenses and Cashier"
    assert rules.department.phone and rules.department.email
    assert (rules.late_penalty_percent, rules.late_renewal_days, rules.state_fee) == (
        Decimal(25),
        180,
        Decimal("4.00"),
    )


def test_the_catalogue_has_one_contractor_classification_and_every_fee_rule(demo_city):
    classifications = BusinessClassification.objects.filter(is_active=True)

    assert [c.name for c in classifications if c.is_contractor] == ["Construction contractor"]
    assert {c.fee_kind for c in classifications} == set(Fee.values)
    assert all(c.description for c in classifications)


def test_each_gross_receipts_schedule_has_one_top_tier_and_rising_fees(demo_city):
    for classification in BusinessClassification.objects.filter(fee_kind=Fee.GROSS_RECEIPTS):
        tiers = list(classification.receipts_tiers.all())
        assert [tier.receipts_up_to for tier in tiers].count(None) == 1, classification
        fees = [tier.fee for tier in tiers]
        assert fees == sorted(fees), classification


@pytest.mark.parametrize(
    ("employees", "receipts"),
    [(0, "0"), (1, "25000.00"), (12, "250000.01"), (500, "99999999.99")],
)
def test_every_demo_classification_prices_a_license(demo_city, employees, receipts):
    rules = LicensingSettings.current()
    for classification in BusinessClassification.objects.prefetch_related("receipts_tiers"):
        lines = license_fee_lines(
            classification, employees=employees, gross_receipts=Decimal(receipts), rules=rules
        )
        tax, state_fee = lines
        assert tax.amount >= classification.base_fee > 0, classification
        assert state_fee.amount == Decimal("4.00")
