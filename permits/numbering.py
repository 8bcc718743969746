"""Permit numbers: `<PREFIX><YEAR>-<SEQ>`, from a per-prefix, per-year counter."""

from permits.models import PermitNumberCounter
from portal.numbering import counter_next

SEQUENCE_DIGITS = 4


def permit_number_next(*, prefix: str, year: int) -> str:
    value = counter_next(PermitNumberCounter, prefix=prefix, year=year)
    return f"{prefix}{year}-{value:0{SEQUENCE_DIGITS}d}"
