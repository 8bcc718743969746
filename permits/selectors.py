from permits.models import PermitCategory, PermitType
from portal.selectors import groups_with_members


def online_permit_categories() -> list[PermitCategory]:
    """Categories with at least one type offered online, each with those types."""
    return groups_with_members(
        PermitCategory.objects.all(),
        "permit_types",
        PermitType.objects.filter(is_online=True),
        "online_types",
    )
