"""Permit numbers: `<PREFIX><YEAR>-<SEQ>`, from a per-prefix, per-year counter."""

from django.db import transaction

from permits.models import PermitNumberCounter

SEQUENCE_DIGITS = 4


@transaction.atomic
def permit_number_next(*, prefix: str, year: int) -> str:
    """The next number, never given twice: the counter row is locked until the caller's
    transaction commits, so concurrent submissions queue on it."""
    # Creating the row can itself race; ignore_conflicts lets the loser use the winner's.
    PermitNumberCounter.objects.bulk_create(
        [PermitNumberCounter(prefix=prefix, year=year)], ignore_conflicts=True
    )
    counter = PermitNumberCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}{year}-{counter.last_value:0{SEQUENCE_DIGITS}d}"
