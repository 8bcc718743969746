"""Extension points. Dependencies point one way (DESIGN.md "Shape"): an app lower in the
house declares a registry, and the apps above it register with it from their
AppConfig.ready(), so the lower app never imports them. Every app's extension points
live in its `registry.py`; this one holds the pages' sections, the shape they share."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageSection:
    """A part of a page that an app above the page's own fills. Its context function is
    called with the page's subject (a user, a permit and user, or nothing) and returns
    None when it has nothing to show, and the page leaves it out."""

    key: str
    title: str
    template_name: str
    order: int
    context: Callable[..., dict | None]


class PageSections:
    """The sections registered for one page."""

    def __init__(self) -> None:
        self._sections: dict[str, PageSection] = {}

    def register(self, section: PageSection) -> None:
        self._sections[section.key] = section

    def shown(self, *subject) -> list[tuple[PageSection, dict]]:
        """The sections with something to show for `subject`, in order, each with its
        context."""
        shown = []
        for section in sorted(self._sections.values(), key=lambda section: section.order):
            context = section.context(*subject)
            if context is not None:
                shown.append((section, context))
        return shown


home_page_sections = PageSections()
