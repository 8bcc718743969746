"""The demo city's business-license classifications and license rules. The amounts are
plausible for a small California city, not the seed city's business license tax."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from licensing.models import BusinessClassification, LicensingSettings, ReceiptsTier
from portal.models import Department

Fee = BusinessClassification.FeeKind
Period = BusinessClassification.Period
D = Decimal

LICENSE_OFFICE = "Finance: Business Licenses and Cashier"


@dataclass(frozen=True)
class Classification:
    name: str
    description: str
    fee_kind: str = Fee.FLAT
    base_fee: Decimal = Decimal(0)
    per_employee_fee: Decimal = Decimal(0)
    # (gross receipts up to, fee); None bounds the top tier.
    tiers: tuple[tuple[Decimal | None, Decimal], ...] = ()
    period: str = Period.CALENDAR_YEAR
    is_contractor: bool = False


# Shops and restaurants pay by the size of their trade; the smallest pay least.
RETAIL_TIERS = (
    (D(25_000), D("40.00")),
    (D(100_000), D("90.00")),
    (D(250_000), D("160.00")),
    (D(500_000), D("240.00")),
    (D(1_000_000), D("380.00")),
    (None, D("560.00")),
)
FOOD_TIERS = (
    (D(50_000), D("60.00")),
    (D(250_000), D("150.00")),
    (D(750_000), D("300.00")),
    (D(2_000_000), D("475.00")),
    (None, D("700.00")),
)

CLASSIFICATIONS = [
    Classification(
        "Construction contractor",
        "General, specialty and subcontractors who work on jobs in the city, wherever "
        "their office is. You need this license, with your California State contractor "
        "license number, before you can apply for building permits.",
        base_fee=D("175.00"),
        is_contractor=True,
    ),
    Classification(
        "Retail sales",
        "Stores, boutiques, galleries and online shops based in the city that sell goods "
        "to the public. The fee depends on your estimated annual gross receipts.",
        fee_kind=Fee.GROSS_RECEIPTS,
        base_fee=D("35.00"),
        tiers=RETAIL_TIERS,
    ),
    Classification(
        "Restaurant and food service",
        "Restaurants, cafés, bakeries, caterers and markets preparing food. The fee "
        "depends on your estimated annual gross receipts; the County health permit is "
        "separate.",
        fee_kind=Fee.GROSS_RECEIPTS,
        base_fee=D("50.00"),
        tiers=FOOD_TIERS,
    ),
    Classification(
        "Home-based business",
        "A business run from a home in the city, with no sign, no customers visiting and "
        "no employees working at the home: tutors, bookkeepers, online sellers, "
        "designers.",
        base_fee=D("65.00"),
    ),
    Classification(
        "Professional and consulting services",
        "Offices of accountants, architects, attorneys, engineers, consultants, real "
        "estate and insurance agents. A base fee plus an amount for each employee, "
        "owners who work in the business included.",
        fee_kind=Fee.PER_EMPLOYEE,
        base_fee=D("85.00"),
        per_employee_fee=D("12.00"),
    ),
    Classification(
        "Personal services",
        "Hair and nail salons, barbers, fitness studios, pet groomers, tailors and dry "
        "cleaners. A base fee plus an amount for each employee.",
        fee_kind=Fee.PER_EMPLOYEE,
        base_fee=D("70.00"),
        per_employee_fee=D("10.00"),
    ),
    Classification(
        "Residential rental property",
        "Renting out a house, condominium or apartment building in the city for 30 days "
        "or more. One license for each property.",
        base_fee=D("95.00"),
    ),
    Classification(
        "Mobile vendor",
        "Food trucks, mobile detailers, gardeners and other businesses that come to "
        "their customers in the city from a vehicle. Valid for twelve months from "
        "approval.",
        base_fee=D("120.00"),
        period=Period.TWELVE_MONTHS,
    ),
]

LICENSE_RULES = {
    "late_penalty_percent": D(25),
    "late_renewal_days": 180,
    "state_fee": D("4.00"),
}


def _tiers_load(classification: BusinessClassification, spec: Classification) -> None:
    kept = []
    for bound, fee in spec.tiers:
        tier, _created = ReceiptsTier.objects.update_or_create(
            classification=classification, receipts_up_to=bound, defaults={"fee": fee}
        )
        kept.append(tier.pk)
    ReceiptsTier.objects.filter(classification=classification).exclude(pk__in=kept).delete()


@transaction.atomic
def load_demo_data() -> None:
    for order, spec in enumerate(CLASSIFICATIONS):
        classification, _created = BusinessClassification.objects.update_or_create(
            name=spec.name,
            defaults={
                "description": spec.description,
                "is_contractor": spec.is_contractor,
                "fee_kind": spec.fee_kind,
                "base_fee": spec.base_fee,
                "per_employee_fee": spec.per_employee_fee,
                "period": spec.period,
                "is_active": True,
                "order": order,
            },
        )
        _tiers_load(classification, spec)
    LicensingSettings.objects.update_or_create(
        pk=1,
        defaults={
            **LICENSE_RULES,
            "department": Department.objects.get(name=LICENSE_OFFICE),
        },
    )
