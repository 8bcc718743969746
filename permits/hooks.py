"""What apps above `permits` tell it about permits. `inspections` sits above `permits`
(DESIGN.md "Shape"), so it registers here from its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from permits.models import Permit, PermitType

_inspections_needed: list[Callable[[PermitType], list[str]]] = []


def inspections_needed_register(lister: Callable[[PermitType], list[str]]) -> None:
    _inspections_needed[:] = [lister]


def inspections_needed(permit_type: PermitType) -> list[str]:
    """The names of the inspections a permit of this type needs, in order."""
    return [name for lister in _inspections_needed for name in lister(permit_type)]


@dataclass(frozen=True)
class PermitSection:
    """A part of a permit's page that another app fills. Its context function returns
    None when it has nothing to show for this permit, and the page leaves it out."""

    key: str
    title: str
    template_name: str
    order: int
    context: Callable[[Permit, User | AnonymousUser], dict | None]


# The applicant's (and contractor's) own page, and the page anyone may read: a section
# on the public page must show nothing personal.
APPLICANT_PAGE = "applicant"
PUBLIC_PAGE = "public"
_sections: dict[str, dict[str, PermitSection]] = {APPLICANT_PAGE: {}, PUBLIC_PAGE: {}}


def permit_section_register(page: str, section: PermitSection) -> None:
    _sections[page][section.key] = section


def permit_sections(
    page: str, permit: Permit, user: User | AnonymousUser
) -> list[tuple[PermitSection, dict]]:
    """The sections of `page` with something to show for this permit, in order, each
    with its context."""
    shown = []
    for section in sorted(_sections[page].values(), key=lambda section: section.order):
        context = section.context(permit, user)
        if context is not None:
            shown.append((section, context))
    return shown
