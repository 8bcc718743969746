from accounts.models import User
from permits.models import Permit
from permits.selectors import permit_drafts_of, permits_of

DASHBOARD_PERMITS = 10
Status = Permit.Status
# Bootstrap badges whose text meets AA contrast on their background.
STATUS_BADGES = {
    Status.SUBMITTED: "text-bg-info",
    Status.IN_REVIEW: "text-bg-info",
    Status.RESUBMITTED: "text-bg-info",
    Status.CORRECTIONS_REQUESTED: "text-bg-warning",
    Status.APPROVED: "text-bg-warning",
    Status.ISSUED: "text-bg-success",
    Status.FINALED: "text-bg-success",
    Status.DENIED: "text-bg-danger",
}


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


def permits_dashboard_context(user: User) -> dict:
    """The person's drafts and their most recent permits, in two queries."""
    permits = permits_of(user).select_related("permit_type")
    # One more than is shown tells whether to link to the full list.
    recent = list(permits.exclude(status=Status.DRAFT)[: DASHBOARD_PERMITS + 1])
    has_more = len(recent) > DASHBOARD_PERMITS
    recent = recent[:DASHBOARD_PERMITS]
    for permit in recent:
        permit.status_badge = status_badge(permit.status)
    return {
        "drafts": list(permit_drafts_of(user)),
        "permits": recent,
        "has_more": has_more,
    }
