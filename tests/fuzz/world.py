"""A small world for the fuzz test to request pages of: a homeowner with a permit in each
state that shows a different page (draft, submitted, in review, corrections requested,
approved with fees due, issued with inspections scheduled, resulted and cancelled, denied,
withdrawn), a verified contractor with a City business license and a permit of their own,
business licenses in every state, payments at the counter and by card, a staff user in
each staff group and a superuser. Built through the services, as the pages build them, on
the inspection tests' pinned clock."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from inspections import services as inspection_services
from inspections.models import INSPECTOR_GROUP, Inspection
from inspections.services import calendar_feed_ensure
from licensing import admin as license_admin
from licensing import services as license_services
from licensing.models import BusinessClassification, BusinessLicense, LicenseOwner
from payments import services as payment_services
from payments.models import Payment
from payments.providers import provider_active
from permits import admin as permit_admin
from permits import services as permit_services
from permits.models import Permit
from tests.factories import BusinessLicenseFactory, ContractorFactory, UserFactory
from tests.permits.issuing import permit_approved, permit_issued
from tests.permits.support import permit_draft_complete, permit_submitted

CITY = zoneinfo.ZoneInfo("America/Los_Angeles")
# The inspection tests' Monday morning: Tuesday is open for inspections.
MONDAY_MORNING = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=CITY)
TUESDAY = datetime.date(2026, 11, 17)

# Who makes the requests, in the order the test takes them.
ANONYMOUS = "anonymous"
PUBLIC = "public"
CONTRACTOR = "contractor"
PERMIT_CENTER = "permit-center"
INSPECTOR = "inspector"
FINANCE = "finance"
SUPERUSER = "superuser"
VISITORS = (ANONYMOUS, PUBLIC, CONTRACTOR, PERMIT_CENTER, INSPECTOR, FINANCE, SUPERUSER)
STAFF = (PERMIT_CENTER, INSPECTOR, FINANCE, SUPERUSER)


@dataclass
class World:
    users: dict[str, User | None]
    # Path parameters by (pattern name or namespace, parameter name): the values that open
    # real objects.
    values: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # Values of patterns with two parameters that belong together, by pattern name.
    pairs: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, where: str, name: str, *values) -> None:
        self.values.setdefault((where, name), []).extend(str(value) for value in values)


def _staff(username: str, group: str | None = None, **fields) -> User:
    user = UserFactory(
        username=username, is_staff=True, account_type="staff", email=f"{username}@city.example"
    )
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def _verified_contractor() -> User:
    contractor = ContractorFactory(username="1029384", email_verified=True)
    profile = contractor.contractor_profile
    profile.verified_at = timezone.now()
    profile.business_name = "Coastline Roofing"
    profile.save()
    return contractor


def _licenses(holder: User, clerk: User) -> list[BusinessLicense]:
    """A license in each state its pages show differently."""
    retail = BusinessClassification.objects.filter(is_contractor=False).order_by("pk").first()
    today = timezone.localdate()
    active = BusinessLicenseFactory(holder=holder, classification=retail)
    expired = BusinessLicenseFactory(
        holder=holder,
        classification=retail,
        status=BusinessLicense.Status.EXPIRED,
        starts_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=35),
    )

    def pending(**fields) -> BusinessLicense:
        draft = BusinessLicenseFactory(
            holder=holder,
            classification=retail,
            status=BusinessLicense.Status.DRAFT,
            number="",
            starts_on=None,
            expires_on=None,
            **fields,
        )
        return license_services.license_submit(license=draft, user=holder)

    submitted = pending()
    in_review = license_services.license_review_start(license=pending(), reviewer=clerk)
    info_requested = license_services.license_info_request(
        license=pending(), reviewer=clerk, message="Add the federal EIN."
    )
    approved = license_services.license_approve(license=pending(), reviewer=clerk)
    denied = license_services.license_deny(
        license=pending(), reviewer=clerk, reason="The business is outside the city."
    )
    draft = license_services.license_draft_start(holder=holder)
    draft = license_services.license_draft_update(
        license=draft,
        user=holder,
        values={"business_name": "Harbor Light Books", "classification": retail},
        owners=[LicenseOwner(name="Mei Tanaka", title="Owner")],
        step="business",
    )
    renewal = license_services.license_renewal_start(license=expired, user=holder)
    return [
        active,
        expired,
        submitted,
        in_review,
        info_requested,
        approved,
        denied,
        draft,
        renewal,
    ]


def _booked(permit: Permit, code: str, user: User) -> Inspection:
    return inspection_services.inspection_request(
        permit=permit,
        inspection_type=permit.permit_type.inspection_types.get(code=code),
        user=user,
        booking=inspection_services.Booking(
            scheduled_for=TUESDAY,
            window="am",
            contact_name="Rosa Delgado",
            contact_phone="310-544-5280",
            access_notes="Gate code 1234.",
        ),
    )


def world_build() -> World:
    """Call on the pinned clock (MONDAY_MORNING), inside the test's transaction."""
    homeowner = UserFactory(username="rosa", email_verified=True)
    contractor = _verified_contractor()
    clerk = _staff("clerk", "Permit Center")
    inspector = _staff("inspector", INSPECTOR_GROUP)
    finance = _staff("finance", "Finance")
    superuser = _staff("admin", is_superuser=True)

    draft = permit_draft_complete(homeowner, "RERF", contractor=contractor)
    submitted = permit_submitted(homeowner, "DMPR")
    in_review = permit_services.permit_review_start(
        permit=permit_submitted(homeowner, "HAUL"), reviewer=clerk
    )
    corrections = permit_services.permit_corrections_request(
        permit=permit_services.permit_review_start(
            permit=permit_submitted(homeowner, "FILM"), reviewer=clerk
        ),
        reviewer=clerk,
        message="Add the site plan with the street closure marked.",
    )
    approved = permit_approved(homeowner, "WHTR", clerk=clerk)
    issued = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
    by_contractor = permit_issued(contractor, "EPNL", clerk=clerk)
    scheduled = _booked(issued, "SHTH", homeowner)
    resulted = inspection_services.inspection_result_record(
        inspection=_booked(by_contractor, "ROUGH", contractor),
        actor=inspector,
        result=inspection_services.Result(
            result=Inspection.Result.CORRECTIONS,
            inspected_at=timezone.now(),
            corrections="Strap the panel.",
        ),
    )
    denied = permit_services.permit_deny(
        permit=permit_submitted(homeowner, "DMPR"), reviewer=clerk, reason="Outside the city."
    )
    withdrawn = permit_services.permit_withdraw(
        permit=permit_submitted(homeowner, "HAUL"), user=homeowner, reason="Plans changed."
    )
    cancelled = inspection_services.inspection_cancel(
        inspection=_booked(by_contractor, "ROUGH", contractor), user=contractor
    )
    permits = [
        draft,
        submitted,
        in_review,
        corrections,
        approved,
        issued,
        by_contractor,
        denied,
        withdrawn,
    ]

    licenses = _licenses(homeowner, finance)
    contractor_license = BusinessLicense.objects.filter(holder=contractor).first()

    card_payment, _url = payment_services.payment_checkout_start(
        payer=homeowner,
        invoice_ids=[approved.invoice_id],
        provider=provider_active(),
        success_url=lambda payment: f"http://testserver/payments/{payment.pk}/return/",
        cancel_url=lambda payment: f"http://testserver/payments/{payment.pk}/cancel/",
    )
    counter_payment = Payment.objects.filter(invoices=issued.invoice).first()

    world = World(
        users={
            ANONYMOUS: None,
            PUBLIC: homeowner,
            CONTRACTOR: contractor,
            PERMIT_CENTER: clerk,
            INSPECTOR: inspector,
            FINANCE: finance,
            SUPERUSER: superuser,
        }
    )
    permit_pks = [permit.pk for permit in permits]
    world.add("permits", "pk", *permit_pks)
    world.add("permits", "step", "site", "project", "details", "work", "documents", "review")
    world.add("permits", "prefix", "RERF", "WHTR", "film", "EPNL", "DMPR")
    world.add("permits", "number", *(permit.number for permit in permits[1:]), "rerf20260001")
    world.add("inspections", "permit_pk", issued.pk, by_contractor.pk, approved.pk)
    world.add("inspections", "pk", scheduled.pk, resulted.pk, cancelled.pk)
    world.add("inspections", "token", calendar_feed_ensure(user=homeowner).token)
    world.add("licensing", "pk", *(license.pk for license in licenses), contractor_license.pk)
    world.add("licensing", "step", "business", "location", "review")
    world.add("payments", "pk", card_payment.pk, counter_payment.pk)
    world.add("payments", "reference", card_payment.provider_reference)

    documents = [
        {"pk": str(permit.pk), "document_pk": str(document.pk)}
        for permit in (draft, issued, corrections)
        for document in permit.documents.all()[:1]
    ]
    world.pairs["permits:document-remove"] = documents
    world.pairs["permits:document"] = documents

    email = EmailAddress.objects.filter(user=homeowner).first()
    email.verified = False
    email.save()
    world.add("", "key", EmailConfirmationHMAC(email).key)
    world.pairs["account_reset_password_from_key"] = [
        {
            "uidb36": user_pk_to_url_str(homeowner),
            "key": default_token_generator.make_token(homeowner),
        }
    ]

    # The admin's own views.
    world.add("admin", "permit_id", *permit_pks)
    world.add("admin", "license_id", *(license.pk for license in licenses))
    world.add("admin", "inspection_id", scheduled.pk, resulted.pk, cancelled.pk)
    world.add("admin", "payment_id", counter_payment.pk, card_payment.pk)
    world.add("admin", "user_id", homeowner.pk, contractor.pk, clerk.pk)
    world.add("admin:permits_permit_review", "step", *permit_admin.REVIEW_STEPS)
    world.add("admin:licensing_businesslicense_review", "step", *license_admin.REVIEW_STEPS)
    # The review and counter-payment pages (portal.admin_review, payments.admin) name their
    # row `object_id`, as Django's own admin pages do.
    for page in ("review", "counter_payment"):
        world.add(f"admin:permits_permit_{page}", "object_id", *permit_pks)
        world.add(
            f"admin:licensing_businesslicense_{page}",
            "object_id",
            *(license.pk for license in licenses),
        )
    world.add("admin", "app_label", "permits", "inspections", "payments", "licensing")
    world.add("admin", "url", "permits/nothing-here/")
    world.add("city-media", "path", "logo.png")
    world.pairs["admin:permits_permit_fee_adjust"] = [
        {"permit_id": str(permit.pk), "line_id": str(line.pk)}
        for permit in (approved, issued)
        for line in permit.invoice.lines.all()[:1]
    ]
    world.pairs["admin:permits_permit_document"] = [
        {"permit_id": pair["pk"], "document_id": pair["document_pk"]} for pair in documents
    ]
    permit_type = ContentType.objects.get_for_model(Permit)
    world.pairs["admin:view_on_site"] = [
        {"content_type_id": str(permit_type.pk), "object_id": str(issued.pk)}
    ]
    return world
