"""What the apps above `accounts` add to it (portal/registry.py says why it is done so):
the dashboard's sections, each contributed by the app that owns its records, and the
requirements of the gate to permits (a contractor's city business license)."""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User
from portal.registry import PageSections


@dataclass(frozen=True)
class Blocker:
    """Something a person must do before they may apply or pay, and where to do it."""

    message: str
    action_url: str = ""
    action_label: str = ""


# Each section's context is called with the person whose dashboard it is.
dashboard_sections = PageSections()

_requirements: list[Callable[[User], list[Blocker]]] = []


def account_requirement_register(check: Callable[[User], list[Blocker]]) -> None:
    """`check` returns what stops the person from applying for permits, each with its fix."""
    if check not in _requirements:
        _requirements.append(check)


def account_requirements() -> list[Callable[[User], list[Blocker]]]:
    return list(_requirements)
