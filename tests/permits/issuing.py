"""Permits taken through approval and a counter payment, as staff issue them."""

import itertools

from accounts.models import User
from payments.models import Payment
from payments.services import payment_record_counter
from permits import services
from permits.models import Permit
from tests.permits.support import permit_submitted

_receipts = itertools.count(1)


def permit_approved(user: User, prefix: str, *, clerk: User, **kwargs) -> Permit:
    """Submitted and approved: at once for an over-the-counter type, else after review."""
    permit = permit_submitted(user, prefix, **kwargs)
    if permit.status != Permit.Status.APPROVED:
        permit = services.permit_review_start(permit=permit, reviewer=clerk)
        permit = services.permit_approve(permit=permit, reviewer=clerk)
    return permit


def fees_paid_at_counter(permit: Permit, *, clerk: User) -> Permit:
    payment_record_counter(
        invoice=permit.invoice,
        method=Payment.Method.CASH,
        receipt_number=f"R-{next(_receipts):05d}",
        recorded_by=clerk,
    )
    return Permit.objects.get(pk=permit.pk)


def permit_issued(user: User, prefix: str, *, clerk: User, **kwargs) -> Permit:
    """An issued permit; its PDF is rendered when the caller's transaction commits."""
    return fees_paid_at_counter(permit_approved(user, prefix, clerk=clerk, **kwargs), clerk=clerk)
