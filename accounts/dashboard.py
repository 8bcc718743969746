"""The dashboard's sections, each contributed by the app that owns its records.

`accounts` sits below permits, inspections, licensing and payments, so it cannot
import them; each registers its section from its AppConfig.ready() instead.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import User


@dataclass(frozen=True)
class DashboardSection:
    key: str
    title: str
    template_name: str
    order: int
    context: Callable[[User], dict] = field(default=lambda user: {})


_sections: dict[str, DashboardSection] = {}


def dashboard_section_register(section: DashboardSection) -> None:
    _sections[section.key] = section


def dashboard_sections() -> list[DashboardSection]:
    return sorted(_sections.values(), key=lambda section: section.order)
