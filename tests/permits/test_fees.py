"""Fee schedules: every demo type's fees, and the rule kinds at their edges."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from payments.models import FeeLine
from permits.fees import FeeScheduleError, fee_lines_compute
from permits.forms import permit_field_form_field
from permits.models import FeeRule, FeeTier, PermitField, PermitType
from tests.factories import PermitTypeFactory
from tests.permits.support import DEMO_ANSWERS, permit_submitted

D = Decimal


def demo_fees(prefix: str, **answers) -> dict[str, Decimal]:
    permit_type = PermitType.objects.get(code_prefix=prefix)
    lines = fee_lines_compute(
        permit_type.fee_rules.prefetch_related("tiers"),
        valuation=D("12000"),
        field_values={**DEMO_ANSWERS[prefix], **answers},
    )
    return {line.description: line.amount for line in lines}


BUILDING = {
    "Permit issuance": D("45.00"),
    "State building standards fee (SB 1473)": D("1.00"),
    "Technology fee": D("12.00"),
}


@pytest.mark.parametrize(
    ("prefix", "answers", "expected"),
    [
        ("EPNL", {}, {**BUILDING, "Electrical service": D("150.00")}),
        ("EPNL", {"amperage": "400"}, {**BUILDING, "Electrical service": D("260.00")}),
        (
            "RERF",
            {},
            {**BUILDING, "Reroof, per square": D("159.25"), "Sheathing inspection": D("95.00")},
        ),
        # 10 squares at $6.50 is $65: the line's minimum applies, and no tear-off, no fee.
        (
            "RERF",
            {"roof_squares": "10", "tear_off": False},
            {**BUILDING, "Reroof, per square": D("150.00")},
        ),
        ("WHTR", {}, {**BUILDING, "Water heater": D("85.00")}),
        (
            "DMPR",
            {},
            {"Encroachment permit": D("75.00"), "Street placement, per day": D("70.00")},
        ),
        ("HAUL", {}, {"Haul route review": D("310.00"), "Road impact, per truckload": D("170.00")}),
        (
            "FILM",
            {},
            {
                "Film permit application": D("250.00"),
                "Filming, per day": D("700.00"),
                "Drone operations review": D("150.00"),
            },
        ),
        (
            "FILM",
            {"uses_drone": False, "street_closure": True, "filming_days": 1},
            {
                "Film permit application": D("250.00"),
                "Filming, per day": D("350.00"),
                "Traffic control review": D("200.00"),
            },
        ),
        ("RPRK", {}, {"Residential parking permit, one year": D("30.00")}),
        (
            "DCRP",
            {},
            {
                "Recreational parking permit, one year": D("25.00"),
                "Non-resident surcharge": D("50.00"),
            },
        ),
        ("DCRP", {"non_resident": False}, {"Recreational parking permit, one year": D("25.00")}),
        ("OVPK", {}, {"Oversized vehicle parking, per night": D("20.00")}),
    ],
)
def test_demo_type_fees(demo_city, prefix, answers, expected):
    assert demo_fees(prefix, **answers) == expected


def test_every_demo_type_has_fees_and_a_fee_test(demo_city):
    tested = {"EPNL", "RERF", "WHTR", "DMPR", "HAUL", "FILM", "RPRK", "DCRP", "OVPK"}
    assert set(PermitType.objects.values_list("code_prefix", flat=True)) == tested
    for prefix in tested:
        assert sum(demo_fees(prefix).values()) > 0


def test_submission_stores_the_fee_lines_on_the_invoice(homeowner):
    permit = permit_submitted(homeowner, "RERF")
    lines = list(permit.invoice.lines.values_list("description", "amount"))
    assert lines == [
        ("Permit issuance", D("45.00")),
        ("State building standards fee (SB 1473)", D("1.00")),
        ("Technology fee", D("12.00")),
        ("Reroof, per square", D("159.25")),
        ("Sheathing inspection", D("95.00")),
    ]
    assert permit.invoice.total == D("312.25")
    assert permit.invoice.payer == homeowner
    # Computed lines are in the history from the start, so a later adjustment shows the change.
    assert FeeLine.history.filter(invoice=permit.invoice, history_type="+").count() == 5


@pytest.fixture
def valuation_table(db):
    """A building-valuation table as the model codes write it."""
    rule = FeeRule.objects.create(
        permit_type=PermitTypeFactory(),
        description="Building permit",
        kind=FeeRule.Kind.TIERED,
        basis="valuation",
    )
    FeeTier.objects.create(rule=rule, up_to=D(500), amount=D("23.50"))
    FeeTier.objects.create(rule=rule, up_to=D(2000), amount=D("23.50"), rate=D("3.05"), per=100)
    FeeTier.objects.create(rule=rule, up_to=None, amount=D("69.25"), rate=D("14.00"), per=1000)
    return rule


@pytest.mark.parametrize(
    ("valuation", "expected"),
    [
        ("0", "23.50"),
        ("500", "23.50"),
        ("500.01", "26.55"),  # a part of a step counts as a whole step
        ("1500", "54.00"),
        ("2000", "69.25"),
        ("2001", "83.25"),
        ("10000", "181.25"),
    ],
)
def test_tiers_charge_the_band_plus_each_step_above_the_band_below(
    valuation_table, valuation, expected
):
    lines = fee_lines_compute([valuation_table], valuation=D(valuation), field_values={})
    assert lines[0].amount == D(expected)


def test_a_rate_on_a_missing_or_garbled_number_charges_only_its_minimum(db):
    rule = FeeRule(
        description="Per square",
        kind=FeeRule.Kind.RATE,
        amount=D("6.50"),
        basis="squares",
        minimum=D("150"),
    )
    for value in (None, "", "lots"):
        lines = fee_lines_compute([rule], valuation=None, field_values={"squares": value})
        assert lines[0].amount == D("150.00")


def test_rates_round_half_a_cent_up(db):
    rule = FeeRule(description="Per unit", kind=FeeRule.Kind.RATE, amount=D("0.25"), basis="n")
    assert fee_lines_compute([rule], valuation=None, field_values={"n": "0.1"})[0].amount == D(
        "0.03"
    )


def test_a_fee_rule_must_name_a_number_field_of_its_type(db):
    permit_type = PermitTypeFactory()
    PermitField.objects.create(permit_type=permit_type, name="material", label="Material")
    PermitField.objects.create(
        permit_type=permit_type, name="tear_off", label="Tear-off", kind=PermitField.Kind.BOOLEAN
    )
    rate = FeeRule(
        permit_type=permit_type, description="x", kind=FeeRule.Kind.RATE, basis="material"
    )
    with pytest.raises(ValidationError) as error:
        rate.full_clean()
    assert "basis" in error.value.message_dict
    rate.basis = ""
    with pytest.raises(ValidationError) as error:
        rate.full_clean()
    assert "basis" in error.value.message_dict
    surcharge = FeeRule(permit_type=permit_type, description="x", applies_when="material")
    with pytest.raises(ValidationError) as error:
        surcharge.full_clean()
    assert "applies_when" in error.value.message_dict
    surcharge.applies_when = "tear_off"
    surcharge.full_clean()


def test_a_field_checks_its_own_settings(db):
    permit_type = PermitTypeFactory()
    for field, error_key in (
        (
            PermitField(permit_type=permit_type, name="valuation", label="V"),
            "name",
        ),
        (
            PermitField(permit_type=permit_type, name="size", label="S", kind="choice"),
            "choices",
        ),
        (
            PermitField(
                permit_type=permit_type,
                name="n",
                label="N",
                kind="integer",
                min_value=5,
                max_value=1,
            ),
            "max_value",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            field.full_clean()
        assert error_key in error.value.message_dict


@pytest.mark.parametrize(
    "value", ["-1000", "9" * 40], ids=["negative total", "more digits than money has"]
)
def test_fees_no_invoice_can_hold_are_refused(db, value):
    rule = FeeRule(description="Per kW", kind=FeeRule.Kind.RATE, amount=D("10"), basis="kw")
    with pytest.raises(FeeScheduleError):
        fee_lines_compute([rule], valuation=None, field_values={"kw": value})


def test_a_number_without_limits_of_its_own_is_never_negative_nor_endless(db):
    field = PermitField(name="kw", label="Kilowatts", kind=PermitField.Kind.DECIMAL)
    form_field = permit_field_form_field(field)
    assert form_field.clean("12.5") == D("12.5")
    for value in ("-1", "1000000000"):
        with pytest.raises(ValidationError):
            form_field.clean(value)
