"""What inspections add to pages other apps own: the applicant's permit page, the public
permit page and the dashboard. Each context function reads a fixed number of queries,
however many inspections there are."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.models import User
from inspections.models import Inspection, InspectionType
from inspections.selectors import (
    inspection_choices,
    permit_inspections,
    permit_refusal,
    recent_results_of,
    upcoming_inspections_of,
)
from permits.models import Permit, PermitType
from portal.selectors import city_localdate

# A permit is inspected once issued; after that the record stays on its page.
INSPECTED_STATUSES = (Permit.Status.ISSUED, Permit.Status.FINALED, Permit.Status.EXPIRED)
# Inspections will not happen on these, so listing the ones required would mislead.
NO_INSPECTIONS = (Permit.Status.DENIED, Permit.Status.WITHDRAWN)
DASHBOARD_UPCOMING = 5
DASHBOARD_RESULTS = 5

Result = Inspection.Result
# Bootstrap badges whose text meets AA contrast on their background.
RESULT_BADGES = {
    Result.PASSED: "text-bg-success",
    Result.PARTIAL: "text-bg-info",
    Result.CORRECTIONS: "text-bg-warning",
    Result.FAILED: "text-bg-danger",
    Result.NO_ACCESS: "text-bg-warning",
}


def inspection_names(permit_type: PermitType) -> list[str]:
    return list(
        InspectionType.objects.filter(permit_type=permit_type).values_list("name", flat=True)
    )


def inspection_with_badge(inspection: Inspection) -> Inspection:
    """The inspection with the words and colour of where it stands, for the templates."""
    if inspection.is_completed:
        inspection.badge = RESULT_BADGES[inspection.result]
        inspection.state = inspection.get_result_display()
    elif inspection.is_scheduled:
        inspection.badge = "text-bg-info"
        inspection.state = inspection.get_status_display()
    else:
        inspection.badge = "text-bg-secondary"
        inspection.state = (
            _("Rescheduled") if inspection.rescheduled_as_id else inspection.get_status_display()
        )
    return inspection


def permit_section_context(permit: Permit, user: User | AnonymousUser) -> dict | None:
    """The permit's inspections for its applicant and contractor: what happened, what
    comes next in the sequence, and whether they can request it now."""
    if permit.status not in INSPECTED_STATUSES:
        return None
    choices = inspection_choices(permit)
    if not choices:
        return {"choices": []}
    refusal = permit_refusal(permit, city_localdate())
    can_request = not refusal and any(choice.is_open for choice in choices)
    return {
        "permit": permit,
        "inspections": [
            inspection_with_badge(inspection) for inspection in permit_inspections(permit)
        ],
        "choices": choices,
        "can_request": can_request,
        "refusal": refusal,
    }


def public_section_context(permit: Permit, user: User | AnonymousUser) -> dict | None:
    """The inspections the permit needs and how they went: dates, types and results,
    never who was there, how to get in, or what the inspector wrote."""
    if permit.status in NO_INSPECTIONS:
        return None
    names = inspection_names(permit.permit_type)
    if not names:
        return None
    return {
        "names": names,
        "inspections": [
            inspection_with_badge(inspection)
            for inspection in permit_inspections(permit)
            if inspection.status != Inspection.Status.CANCELLED
        ],
    }


def dashboard_section_context(user: User) -> dict:
    """The person's next inspections and the results of the last weeks. One more than
    is shown of each tells whether to point to the permits for the rest."""
    upcoming = list(upcoming_inspections_of(user, city_localdate())[: DASHBOARD_UPCOMING + 1])
    results = list(recent_results_of(user)[: DASHBOARD_RESULTS + 1])
    return {
        "upcoming": [
            inspection_with_badge(inspection) for inspection in upcoming[:DASHBOARD_UPCOMING]
        ],
        "results": [
            inspection_with_badge(inspection) for inspection in results[:DASHBOARD_RESULTS]
        ],
        "has_more": len(upcoming) > DASHBOARD_UPCOMING or len(results) > DASHBOARD_RESULTS,
    }
