"""The demo city's inspection sequences; dumpster, haul route, film and parking permits
need no inspection."""

from django.db import transaction

from inspections.models import InspectionType
from permits.models import PermitType

# permit type prefix: [(code, name, is_final), ...] in order; each must pass the one before.
SEQUENCES = {
    "EPNL": [("ROUGH", "Rough electrical", False), ("FINAL", "Final electrical", True)],
    "RERF": [("SHTH", "Sheathing and nailing", False), ("FINAL", "Final roof", True)],
    "WHTR": [("FINAL", "Final plumbing", True)],
}


@transaction.atomic
def load_demo_data() -> None:
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
