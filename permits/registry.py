"""What apps above `permits` add to it (portal/registry.py says why it is done so).
`inspections` sits above `permits` (DESIGN.md "Shape"): it names the inspections a
permit type needs and fills sections of the permit's pages."""

from collections.abc import Callable

from permits.models import PermitType
from portal.registry import PageSections

_inspections_needed: list[Callable[[PermitType], list[str]]] = []


def inspections_needed_register(lister: Callable[[PermitType], list[str]]) -> None:
    _inspections_needed[:] = [lister]


def inspections_needed(permit_type: PermitType) -> list[str]:
    """The names of the inspections a permit of this type needs, in order."""
    return [name for lister in _inspections_needed for name in lister(permit_type)]


# Each section's context is called with the permit and the person reading the page.
# The applicant's (and contractor's) own page:
applicant_page_sections = PageSections()
# The page anyone may read; a section there must show nothing personal:
public_page_sections = PageSections()
