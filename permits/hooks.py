"""What apps above `permits` tell it about a permit type. `inspections` sits above
`permits` (DESIGN.md "Shape"), so it registers here from its AppConfig.ready()."""

from collections.abc import Callable

from permits.models import PermitType

_inspections_needed: list[Callable[[PermitType], list[str]]] = []


def inspections_needed_register(lister: Callable[[PermitType], list[str]]) -> None:
    _inspections_needed[:] = [lister]


def inspections_needed(permit_type: PermitType) -> list[str]:
    """The names of the inspections a permit of this type needs, in order."""
    return [name for lister in _inspections_needed for name in lister(permit_type)]
