"""What a business license costs (each fee rule at its edges, the State's fee, the late
penalty) and how long a term runs."""

import datetime
from decimal import Decimal

import pytest

from licensing.fees import (
    LicenseFeeError,
    late_penalty,
    license_fee_lines,
    license_tax,
    license_term,
)
from licensing.models import BusinessClassification, LicensingSettings, ReceiptsTier

D = Decimal
STATE_FEE = "State disability access fee (SB 1186)"
EXPIRED_ON = datetime.date(2026, 12, 31)


def tax_of(classification, *, employees=0, receipts="0") -> Decimal:
    return license_tax(classification, employees=employees, gross_receipts=D(receipts)).amount


def bill(classification, **kwargs) -> dict[str, Decimal]:
    lines = license_fee_lines(
        classification,
        employees=kwargs.pop("employees", 0),
        gross_receipts=D(kwargs.pop("receipts", "0")),
        rules=LicensingSettings.current(),
        **kwargs,
    )
    return {line.description: line.amount for line in lines}


def test_a_flat_fee_is_the_base_fee_whatever_the_size_of_the_business(contractor_class):
    line = license_tax(contractor_class, employees=40, gross_receipts=D("2500000"))

    assert line.amount == D("150.00")
    assert line.description == "Business license tax: Contractor"


@pytest.mark.parametrize(
    ("employees", "amount", "detail"),
    [
        (0, "50.00", "0 employees"),
        (1, "60.00", "1 employee"),
        (7, "120.00", "7 employees"),
        (250, "2550.00", "250 employees"),
    ],
)
def test_the_per_employee_fee_is_the_base_plus_each_employee(
    professional, employees, amount, detail
):
    line = license_tax(professional, employees=employees, gross_receipts=D(0))

    assert line.amount == D(amount)
    assert line.description == f"Business license tax: Professional services ({detail})"


@pytest.mark.parametrize(
    ("receipts", "amount"),
    [
        ("0", "150.00"),
        ("99999.99", "150.00"),
        # Exactly on a tier's bound is still that tier; a cent above is the next one.
        ("100000.00", "150.00"),
        ("100000.01", "300.00"),
        ("500000.00", "300.00"),
        # Above every bounded tier is the top tier, however large.
        ("500000.01", "550.00"),
        ("99999999.99", "550.00"),
    ],
)
def test_gross_receipts_pay_the_base_plus_their_tiers_fee(retail, receipts, amount):
    assert tax_of(retail, receipts=receipts) == D(amount)


def test_the_gross_receipts_line_says_the_receipts_it_was_priced_on(retail):
    line = license_tax(retail, employees=3, gross_receipts=D("100000.01"))

    assert line.description == "Business license tax: Retail (gross receipts of $100,000.01)"


def test_tiers_entered_in_any_order_are_read_from_the_lowest_bound(db):
    shuffled = BusinessClassification.objects.create(
        name="Shuffled", fee_kind=BusinessClassification.FeeKind.GROSS_RECEIPTS
    )
    for bound, fee in ((None, "900.00"), (D(50_000), "200.00"), (D(10_000), "100.00")):
        ReceiptsTier.objects.create(classification=shuffled, receipts_up_to=bound, fee=D(fee))

    amounts = [tax_of(shuffled, receipts=r) for r in ("10000", "10000.01", "50000.01")]

    assert amounts == [D("100.00"), D("200.00"), D("900.00")]


def test_receipts_above_a_schedule_without_a_top_tier_cannot_be_priced(retail):
    ReceiptsTier.objects.filter(classification=retail, receipts_up_to=None).delete()

    assert tax_of(retail, receipts="500000.00") == D("300.00")
    with pytest.raises(LicenseFeeError, match=r"no tier for gross receipts of \$500,000\.01"):
        tax_of(retail, receipts="500000.01")


def test_every_bill_carries_the_states_fee(home_occupation):
    assert bill(home_occupation) == {
        "Business license tax: Home occupation": D("75.00"),
        STATE_FEE: D("4.00"),
    }


def test_with_no_state_fee_the_bill_has_no_line_for_it(home_occupation):
    LicensingSettings.objects.filter(pk=LicensingSettings.current().pk).update(state_fee=0)

    assert bill(home_occupation) == {"Business license tax: Home occupation": D("75.00")}


def test_the_state_fee_is_what_the_city_set(home_occupation):
    LicensingSettings.objects.filter(pk=LicensingSettings.current().pk).update(state_fee=D("1.00"))

    assert bill(home_occupation)[STATE_FEE] == D("1.00")


def test_a_renewal_made_on_the_licenses_last_day_pays_no_penalty(contractor_class):
    assert bill(contractor_class, lapsed_since=EXPIRED_ON, today=EXPIRED_ON) == {
        "Business license tax: Contractor": D("150.00"),
        STATE_FEE: D("4.00"),
    }


def test_a_renewal_made_the_day_after_pays_the_penalty_on_the_tax_alone(contractor_class):
    next_day = EXPIRED_ON + datetime.timedelta(days=1)

    assert bill(contractor_class, lapsed_since=EXPIRED_ON, today=next_day) == {
        "Business license tax: Contractor": D("150.00"),
        "Late renewal penalty (25% of the license tax)": D("37.50"),
        STATE_FEE: D("4.00"),
    }


def test_the_penalty_is_rounded_to_the_cent_half_up(home_occupation):
    rules = LicensingSettings.current()
    rules.late_penalty_percent = D("12.5")
    tax = license_tax(home_occupation, employees=0, gross_receipts=D(0))

    penalty = late_penalty(
        tax, expired_on=EXPIRED_ON, today=EXPIRED_ON + datetime.timedelta(days=1), rules=rules
    )

    # 12.5% of $75.00 is $9.375.
    assert penalty.amount == D("9.38")
    assert penalty.description == "Late renewal penalty (12.5% of the license tax)"


def test_a_city_without_a_penalty_adds_no_line(contractor_class):
    LicensingSettings.objects.filter(pk=LicensingSettings.current().pk).update(
        late_penalty_percent=0
    )

    lines = bill(contractor_class, lapsed_since=EXPIRED_ON, today=datetime.date(2027, 3, 1))

    assert list(lines) == ["Business license tax: Contractor", STATE_FEE]


def test_a_penalty_on_a_free_license_adds_no_line_of_nothing(db):
    free = BusinessClassification.objects.create(name="Nonprofit", base_fee=D(0))

    lines = bill(free, lapsed_since=EXPIRED_ON, today=datetime.date(2027, 3, 1))

    assert lines == {"Business license tax: Nonprofit": D("0.00"), STATE_FEE: D("4.00")}


@pytest.mark.parametrize(
    ("starts_on", "expires_on"),
    [
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2026, 3, 2), datetime.date(2026, 12, 31)),
        # A license approved on New Year's Eve is valid for that one day.
        (datetime.date(2026, 12, 31), datetime.date(2026, 12, 31)),
        (datetime.date(2028, 2, 29), datetime.date(2028, 12, 31)),
    ],
)
def test_a_calendar_year_term_runs_to_december_31(contractor_class, starts_on, expires_on):
    assert license_term(contractor_class, starts_on) == (starts_on, expires_on)


@pytest.mark.parametrize(
    ("starts_on", "expires_on"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2027, 1, 14)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 12, 30)),
        # Across a leap day: the term is a day longer, and ends the day before the date.
        (datetime.date(2027, 3, 1), datetime.date(2028, 2, 29)),
        (datetime.date(2028, 3, 1), datetime.date(2029, 2, 28)),
        (datetime.date(2028, 2, 28), datetime.date(2029, 2, 27)),
    ],
)
def test_a_twelve_month_term_ends_the_day_before_the_same_date_a_year_on(
    professional, starts_on, expires_on
):
    assert license_term(professional, starts_on) == (starts_on, expires_on)


def test_a_twelve_month_term_from_february_29_runs_through_february_28(professional):
    """February 29 has no twin the next year: the term runs to the day before March 1,
    not a day short of it, and the renewal after it starts on March 1, not a day early."""
    _starts_on, expires_on = license_term(professional, datetime.date(2028, 2, 29))

    assert expires_on == datetime.date(2029, 2, 28)
    renewal_starts, renewal_expires = license_term(
        professional, expires_on + datetime.timedelta(days=1)
    )
    assert (renewal_starts, renewal_expires) == (
        datetime.date(2029, 3, 1),
        datetime.date(2030, 2, 28),
    )


def test_a_fee_larger_than_an_invoice_can_hold_is_refused_with_a_message(professional):
    professional.per_employee_fee = D("1000.00")

    with pytest.raises(LicenseFeeError, match="more than the portal can bill"):
        license_tax(professional, employees=100_000, gross_receipts=D(0))


def assert_the_default_rules(rules: LicensingSettings) -> None:
    assert rules.pk == LicensingSettings.SINGLETON_ID
    assert rules.late_penalty_percent == D(25)
    assert rules.late_renewal_days == 180
    assert rules.state_fee == D("4.00")
    assert rules.department is None


def test_the_migrations_make_the_settings_row_with_the_defaults(db):
    assert_the_default_rules(LicensingSettings.objects.get())
    assert LicensingSettings.current() == LicensingSettings.objects.get()


def test_a_deleted_settings_row_reads_as_the_defaults_and_is_not_made_by_reading(
    home_occupation,
):
    LicensingSettings.objects.all().delete()
    rules = LicensingSettings.current()
    assert_the_default_rules(rules)
    assert rules._state.adding
    assert bill(home_occupation)[STATE_FEE] == D("4.00")
    assert not LicensingSettings.objects.exists()
