"""The demo city's inspection sequences, scheduling rules and holidays; dumpster, haul
route, film and parking permits need no inspection."""

import datetime

from django.db import transaction

from inspections.models import Holiday, InspectionType, SchedulingRules
from permits.models import PermitType
from portal.models import Department

# permit type prefix: [(code, name, is_final), ...] in order; each must pass the one before.
SEQUENCES = {
    "EPNL": [("ROUGH", "Rough electrical", False), ("FINAL", "Final electrical", True)],
    "RERF": [("SHTH", "Sheathing and nailing", False), ("FINAL", "Final roof", True)],
    "WHTR": [("FINAL", "Final plumbing", True)],
}


# The city's observed holidays (dates as observed when one falls on a weekend).
HOLIDAYS = [
    ("2026-01-01", "New Year's Day"),
    ("2026-01-19", "Martin Luther King Jr. Day"),
    ("2026-02-16", "Presidents' Day"),
    ("2026-05-25", "Memorial Day"),
    ("2026-07-03", "Independence Day (observed)"),
    ("2026-09-07", "Labor Day"),
    ("2026-11-11", "Veterans Day"),
    ("2026-11-26", "Thanksgiving Day"),
    ("2026-11-27", "Day after Thanksgiving"),
    ("2026-12-24", "Christmas Eve"),
    ("2026-12-25", "Christmas Day"),
    ("2027-01-01", "New Year's Day"),
    ("2027-01-18", "Martin Luther King Jr. Day"),
    ("2027-02-15", "Presidents' Day"),
    ("2027-05-31", "Memorial Day"),
    ("2027-07-05", "Independence Day (observed)"),
    ("2027-09-06", "Labor Day"),
    ("2027-11-11", "Veterans Day"),
    ("2027-11-25", "Thanksgiving Day"),
    ("2027-11-26", "Day after Thanksgiving"),
    ("2027-12-24", "Christmas Day (observed)"),
    ("2027-12-31", "New Year's Day (observed)"),
]

INSPECTION_LINE = "Building and Safety"


@transaction.atomic
def load_demo_data() -> None:
    SchedulingRules.objects.update_or_create(
        pk=SchedulingRules.SINGLETON_ID,
        defaults={"inspection_line": Department.objects.filter(name=INSPECTION_LINE).first()},
    )
    for date, name in HOLIDAYS:
        Holiday.objects.update_or_create(
            date=datetime.date.fromisoformat(date), defaults={"name": name}
        )
    for prefix, sequence in SEQUENCES.items():
        permit_type = PermitType.objects.get(code_prefix=prefix)
        previous = None
        for order, (code, name, is_final) in enumerate(sequence):
            inspection_type, _ = InspectionType.objects.update_or_create(
                permit_type=permit_type,
                code=code,
                defaults={"name": name, "order": order, "is_final": is_final},
            )
            inspection_type.requires.set([previous] if previous else [])
            previous = inspection_type
