"""The permit workflow: every transition, its guards, its history and its timeline."""

import datetime
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from payments import registry
from payments.models import Invoice
from payments.services import PaymentError, payment_record_counter
from permits import services
from permits.models import Permit, PermitType
from permits.services import PermitError
from tests.factories import ContractorFactory, UserFactory
from tests.permits.support import DEMO_ANSWERS, SITE, permit_draft_complete, permit_submitted

S = Permit.Status


def reviewed(homeowner) -> Permit:
    """A dumpster permit: reviewed by Public Works, not approved on submission."""
    return permit_submitted(homeowner, "DMPR")


def in_review(homeowner, clerk) -> Permit:
    return services.permit_review_start(permit=reviewed(homeowner), reviewer=clerk)


def test_a_reviewed_type_waits_for_review_with_its_fees_not_yet_due(homeowner):
    permit = reviewed(homeowner)
    assert permit.status == S.SUBMITTED
    assert permit.invoice.status == Invoice.Status.PENDING
    assert list(permit.events.values_list("status", flat=True)) == [S.SUBMITTED]


def test_an_over_the_counter_type_is_approved_at_once_with_its_fees_due(homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    assert permit.status == S.APPROVED
    assert permit.invoice.status == Invoice.Status.DUE
    assert list(permit.events.values_list("status", flat=True)) == [S.SUBMITTED, S.APPROVED]


def test_the_full_review_path_to_issue(homeowner, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        permit = in_review(homeowner, clerk)
        permit = services.permit_corrections_request(
            permit=permit, reviewer=clerk, message="Show the bin on the site sketch."
        )
        permit = services.permit_resubmit(permit=permit, user=homeowner, message="Done.")
        permit = services.permit_review_start(permit=permit, reviewer=clerk)
        permit = services.permit_approve(permit=permit, reviewer=clerk)
        payment_record_counter(
            invoice=permit.invoice, method="check", receipt_number="R-100", recorded_by=clerk
        )
    permit.refresh_from_db()
    assert permit.status == S.ISSUED
    assert permit.reviewer == clerk
    assert permit.issued_on is not None
    assert (permit.expires_on - permit.issued_on).days == 30  # the dumpster's validity
    assert list(permit.events.values_list("status", flat=True)) == [
        S.SUBMITTED,
        S.IN_REVIEW,
        S.CORRECTIONS_REQUESTED,
        S.RESUBMITTED,
        S.IN_REVIEW,
        S.APPROVED,
        S.ISSUED,
    ]
    assert permit.events.get(status=S.CORRECTIONS_REQUESTED).message == (
        "Show the bin on the site sketch."
    )
    assert permit.pdf.name.endswith(".pdf")
    # Who did what is in the history.
    history = {record.status: record.history_user for record in permit.history.all()}
    assert history[S.CORRECTIONS_REQUESTED] == clerk
    assert history[S.RESUBMITTED] == homeowner
    # The staff heard about the resubmission.
    assert any(clerk.email in message.to for message in mail.outbox)


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (services.permit_review_start, {}),
        (services.permit_corrections_request, {"message": "x"}),
        (services.permit_approve, {}),
    ],
)
def test_staff_transitions_refuse_from_a_wrong_status(homeowner, clerk, service, kwargs):
    permit = permit_submitted(homeowner, "WHTR")  # approved already
    with pytest.raises(PermitError, match="Approved, fees due"):
        service(permit=permit, reviewer=clerk, **kwargs)
    permit.refresh_from_db()
    assert permit.status == S.APPROVED


def test_corrections_and_denial_need_a_message(homeowner, clerk):
    permit = in_review(homeowner, clerk)
    with pytest.raises(PermitError, match="what to correct"):
        services.permit_corrections_request(permit=permit, reviewer=clerk, message="  ")
    with pytest.raises(PermitError, match="reason"):
        services.permit_deny(permit=permit, reviewer=clerk, reason="")
    permit.refresh_from_db()
    assert permit.status == S.IN_REVIEW


def test_denial_cancels_the_fees(homeowner, clerk):
    permit = services.permit_deny(
        permit=in_review(homeowner, clerk), reviewer=clerk, reason="The street is too narrow."
    )
    assert permit.status == S.DENIED
    assert permit.invoice.status == Invoice.Status.VOID
    with pytest.raises(PaymentError):
        payment_record_counter(
            invoice=permit.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
        )


def test_only_the_applicant_resubmits_and_only_after_corrections(homeowner, clerk):
    permit = in_review(homeowner, clerk)
    with pytest.raises(PermitError):
        services.permit_resubmit(permit=permit, user=homeowner)
    permit = services.permit_corrections_request(permit=permit, reviewer=clerk, message="Fix.")
    with pytest.raises(PermitError, match="Only the applicant"):
        services.permit_resubmit(permit=permit, user=UserFactory())


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED])
def test_the_applicant_withdraws_before_issue(homeowner, status):
    permit = reviewed(homeowner) if status == S.SUBMITTED else permit_submitted(homeowner, "WHTR")
    permit = services.permit_withdraw(permit=permit, user=homeowner, reason="Changed my mind.")
    assert permit.status == S.WITHDRAWN
    assert permit.invoice.status == Invoice.Status.VOID


def test_no_withdrawal_after_issue_or_by_someone_else(homeowner, clerk):
    permit = permit_submitted(homeowner, "WHTR")
    with pytest.raises(PermitError, match="Only the applicant"):
        services.permit_withdraw(permit=permit, user=UserFactory())
    payment_record_counter(
        invoice=permit.invoice, method="cash", receipt_number="R-2", recorded_by=clerk
    )
    with pytest.raises(PermitError):
        services.permit_withdraw(permit=permit, user=homeowner)
    permit.refresh_from_db()
    assert permit.status == S.ISSUED


def test_fees_are_not_paid_before_approval_nor_twice(homeowner, clerk):
    permit = reviewed(homeowner)
    with pytest.raises(PaymentError, match="not due yet"):
        payment_record_counter(
            invoice=permit.invoice, method="cash", receipt_number="R-3", recorded_by=clerk
        )
    approved = permit_submitted(homeowner, "WHTR")
    payment_record_counter(
        invoice=approved.invoice, method="cash", receipt_number="R-4", recorded_by=clerk
    )
    with pytest.raises(PaymentError, match="already paid"):
        payment_record_counter(
            invoice=approved.invoice, method="cash", receipt_number="R-5", recorded_by=clerk
        )
    with pytest.raises(PermitError, match="Issued"):
        services.permit_issue(permit=approved)


def test_a_permit_with_no_fees_issues_on_approval(homeowner):
    permit_type = PermitType.objects.get(code_prefix="OVPK")
    permit_type.fee_rules.all().delete()
    permit = permit_submitted(homeowner, "OVPK")
    assert permit.status == S.ISSUED
    assert permit.invoice.status == Invoice.Status.PAID


def test_submission_refuses_an_unconfirmed_email_and_saves_nothing(demo_city):
    unconfirmed = UserFactory()
    draft = permit_draft_complete(unconfirmed, "WHTR")
    with pytest.raises(PermitError, match="Confirm your email"):
        services.permit_submit(permit=draft, user=unconfirmed)
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.invoice) == (S.DRAFT, None, None)


def test_submission_lists_what_is_missing(homeowner):
    permit_type = PermitType.objects.get(code_prefix="RERF")
    draft = services.permit_draft_start(applicant=homeowner, permit_type=permit_type, site=SITE)
    with pytest.raises(PermitError) as error:
        services.permit_submit(permit=draft, user=homeowner)
    for missing in (
        "a description of the work",
        "the valuation",
        "Roof area in squares",
        "who does the work",
        "Roofing material specification",
    ):
        assert missing in str(error.value)


def test_someone_elses_draft_cannot_be_changed_or_submitted(homeowner):
    draft = permit_draft_complete(homeowner, "WHTR")
    stranger = UserFactory(email_verified=True)
    with pytest.raises(PermitError, match="Only the applicant"):
        services.permit_submit(permit=draft, user=stranger)
    with pytest.raises(PermitError, match="Only the applicant"):
        services.permit_draft_delete(permit=draft, user=stranger)
    assert Permit.objects.filter(pk=draft.pk).exists()


def test_who_may_apply(homeowner, contractor):
    film = PermitType.objects.get(code_prefix="FILM")
    with pytest.raises(PermitError, match="public account"):
        services.permit_draft_start(applicant=contractor, permit_type=film, site=SITE)
    film.applicants = PermitType.Applicants.CONTRACTOR
    film.save()
    with pytest.raises(PermitError, match="licensed contractor"):
        services.permit_draft_start(applicant=homeowner, permit_type=film, site=SITE)
    film.is_online = False
    film.save()
    with pytest.raises(PermitError, match="Permit Center only"):
        services.permit_draft_start(applicant=contractor, permit_type=film, site=SITE)
    assert not Permit.objects.exists()


def test_a_contractor_applying_is_the_contractor(contractor):
    permit = permit_submitted(contractor, "RERF")
    assert permit.work_by == Permit.WorkBy.CONTRACTOR
    assert permit.contractor == contractor
    assert permit.contractor_license_number == "1029384"
    assert permit.contractor_business_name == "Coastline Roofing"


def test_a_homeowner_names_a_verified_contractor(homeowner, contractor):
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    assert permit.contractor == contractor
    assert permit.owner_builder_declared_at is None
    draft = permit_draft_complete(homeowner, "EPNL")
    unverified = ContractorFactory(username="5550001", email_verified=True)
    for number, message in (("5550001", "not yet verified"), ("999", "No contractor")):
        with pytest.raises(PermitError, match=message):
            services.permit_work_update(
                permit=draft,
                user=homeowner,
                work_by=Permit.WorkBy.CONTRACTOR,
                contractor_license_number=number,
            )
    assert unverified.contracted_permits.count() == 0


def test_owner_builders_sign_the_declaration_where_the_type_allows_them(homeowner):
    draft = permit_draft_complete(homeowner, "EPNL")
    with pytest.raises(PermitError, match="declaration"):
        services.permit_work_update(
            permit=draft, user=homeowner, work_by=Permit.WorkBy.OWNER_BUILDER
        )
    PermitType.objects.filter(code_prefix="EPNL").update(owner_builder_allowed=False)
    with pytest.raises(PermitError, match="licensed contractor must"):
        services.permit_work_update(
            permit=draft,
            user=homeowner,
            work_by=Permit.WorkBy.OWNER_BUILDER,
            owner_builder_declared=True,
        )


def test_deleting_a_draft_removes_its_files_once_committed(
    homeowner, django_capture_on_commit_callbacks
):
    draft = permit_draft_complete(homeowner, "RERF")
    path = Path(draft.documents.get().file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.permit_draft_delete(permit=draft, user=homeowner)
        assert path.exists()  # until the deletion commits
    assert not Permit.objects.filter(pk=draft.pk).exists()
    assert not path.exists()


def test_fees_too_large_to_store_are_refused_with_a_message(homeowner):
    draft = permit_draft_complete(
        homeowner, "HAUL", answers={**DEMO_ANSWERS["HAUL"], "truck_loads": 10**8}
    )
    with pytest.raises(PermitError, match="beyond what the portal can take"):
        services.permit_submit(permit=draft, user=homeowner)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_each_status_change_emails_the_applicant_and_the_contractor(
    homeowner, contractor, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    # Over the counter: one message, approved with the fees due, to each of them.
    assert [message.to for message in mail.outbox] == [[homeowner.email], [contractor.email]]
    assert permit.number in mail.outbox[0].subject


def test_a_contractor_with_the_longest_business_name_applies(contractor, homeowner):
    contractor.contractor_profile.business_name = "B" * 200
    contractor.contractor_profile.save()
    own = permit_submitted(contractor, "RERF")
    named = permit_submitted(homeowner, "EPNL", contractor=contractor)
    assert own.contractor_business_name == named.contractor_business_name == "B" * 200


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
def test_a_counter_payment_and_a_withdrawal_at_the_same_moment_never_deadlock(
    demo_city, settings, tmp_path, monkeypatch
):
    """Paying locks the invoice, then the permit; withdrawing must take them in that
    order too, or each waits on the other and Postgres kills one with a 500."""
    settings.MEDIA_ROOT = tmp_path
    homeowner = UserFactory(email_verified=True)
    clerk = UserFactory(is_staff=True)
    permit = permit_submitted(homeowner, "RERF")
    paid = registry.payable_of("permit")

    def pay_slowly(*, invoice):
        time.sleep(1)  # the withdrawal arrives while the payment holds the invoice
        paid.on_paid(invoice=invoice)

    monkeypatch.setitem(
        registry._payables, "permit", registry.Payable("permit", pay_slowly, paid.url)
    )
    outcomes = {}

    def run(name, action, delay):
        time.sleep(delay)
        try:
            action()
            outcomes[name] = "done"
        except (PermitError, PaymentError) as error:
            outcomes[name] = str(error)
        except Exception as error:  # reported by the assertion below
            outcomes[name] = repr(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=run,
            args=(
                "pay",
                lambda: payment_record_counter(
                    invoice=permit.invoice, method="cash", receipt_number="R-9", recorded_by=clerk
                ),
                0,
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "withdraw",
                lambda: services.permit_withdraw(permit=permit, user=homeowner),
                0.3,
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes["pay"] == "done"
    assert "Issued" in outcomes["withdraw"]
    permit.refresh_from_db()
    assert permit.status == S.ISSUED


def test_a_contractor_whose_insurance_lapsed_since_the_draft_cannot_be_submitted(
    homeowner, contractor
):
    draft = permit_draft_complete(homeowner, "RERF", contractor=contractor)
    contractor.contractor_profile.workers_comp_expires_on = datetime.date(2020, 1, 1)
    contractor.contractor_profile.save()
    with pytest.raises(PermitError, match="license and insurance are current"):
        services.permit_submit(permit=draft, user=homeowner)


def test_an_owner_builder_draft_of_a_type_closed_to_them_since_cannot_be_submitted(homeowner):
    draft = permit_draft_complete(homeowner, "EPNL")
    PermitType.objects.filter(code_prefix="EPNL").update(owner_builder_allowed=False)
    with pytest.raises(PermitError, match="owner-builders may not apply"):
        services.permit_submit(permit=Permit.objects.get(pk=draft.pk), user=homeowner)
