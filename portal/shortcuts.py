"""What views share beside Django's own shortcuts."""

from typing import TypeVar

from django.http import Http404

Found = TypeVar("Found")


def found_or_404(found: Found | None) -> Found:
    """What a selector found for the person asking, or a 404: a row they may not see
    answers as one that does not exist (DESIGN.md)."""
    if found is None:
        raise Http404
    return found
