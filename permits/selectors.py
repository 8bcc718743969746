from django.db.models import Prefetch

from permits.models import PermitCategory, PermitType


def online_permit_categories() -> list[PermitCategory]:
    """Categories with at least one type offered online, each with those types."""
    online = PermitType.objects.filter(is_online=True)
    return list(
        PermitCategory.objects.filter(permit_types__is_online=True)
        .distinct()
        .prefetch_related(Prefetch("permit_types", queryset=online, to_attr="online_types"))
    )
