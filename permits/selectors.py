"""Reads about permits that views, the admin and the PDF share."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import account_blockers
from payments.models import lines_total
from payments.services import FeeLineDraft
from permits.fees import FEES_OUT_OF_RANGE, FeeScheduleError, fee_lines_compute
from permits.models import (
    FeeRule,
    Permit,
    PermitCategory,
    PermitField,
    PermitType,
    number_compact,
)
from portal.selectors import groups_with_members


def online_permit_categories() -> list[PermitCategory]:
    """Categories with at least one type offered online, each with those types."""
    return groups_with_members(
        PermitCategory.objects.all(),
        "permit_types",
        PermitType.objects.filter(is_online=True),
        "online_types",
    )


def permit_type_refusal(user: User, permit_type: PermitType) -> str:
    """Why this person may not apply for this type online; empty when they may."""
    if not permit_type.is_online:
        return _("This permit is issued at the Permit Center only; apply in person.")
    applicants = PermitType.Applicants
    if permit_type.applicants == applicants.PUBLIC and user.is_contractor:
        return _(
            "Residents and businesses apply for this permit themselves, from a public account."
        )
    if permit_type.applicants == applicants.CONTRACTOR and not user.is_contractor:
        return _(
            "Only a licensed contractor may apply for this permit. Ask your contractor to "
            "apply with their contractor account."
        )
    return ""


def permit_types_for(user: User) -> list[PermitCategory]:
    """The online catalogue, each type carrying `refusal` for this person."""
    categories = online_permit_categories()
    for category in categories:
        for permit_type in category.online_types:
            permit_type.refusal = permit_type_refusal(user, permit_type)
    return categories


def contractor_for_license(license_number: str) -> User | None:
    license_number = license_number.strip()
    if not license_number.isdigit():
        return None
    return (
        User.objects.filter(account_type=User.AccountType.CONTRACTOR, username=license_number)
        .select_related("contractor_profile")
        .filter(contractor_profile__isnull=False)
        .first()
    )


@dataclass(frozen=True)
class MissingItem:
    """Something a draft lacks, and the application step that asks for it."""

    step: str
    label: str


def permit_missing_by_step(permit: Permit) -> list[MissingItem]:
    """What a draft still lacks before it can be submitted, in the words of the form."""
    permit_type = permit.permit_type
    missing = []
    if not (permit.site_address and permit.site_city and permit.site_postal_code):
        missing.append(MissingItem("site", _("the site address")))
    if not permit.description:
        missing.append(MissingItem("project", _("a description of the work")))
    if permit_type.is_construction and permit.valuation is None:
        missing.append(MissingItem("project", _("the valuation")))
    for field in permit_type.fields.all():
        if field.required and permit.field_values.get(field.name) in (None, ""):
            missing.append(MissingItem("details", field.label))
    if permit_type.is_construction and not permit.work_by:
        missing.append(MissingItem("work", _("who does the work")))
    # What was true when the work step was saved may have lapsed since.
    if permit.work_by == Permit.WorkBy.OWNER_BUILDER and not permit_type.owner_builder_allowed:
        missing.append(
            MissingItem("work", _("a licensed contractor (owner-builders may not apply)"))
        )
    if (
        permit.contractor_id
        and permit.contractor_id != permit.applicant_id
        and account_blockers(permit.contractor)
    ):
        missing.append(
            MissingItem(
                "work",
                _(
                    "a contractor whose City business license, state license and insurance "
                    "are current and verified"
                ),
            )
        )
    uploaded = {
        document.required_document_id
        for document in permit.documents.all()
        if document.replaced_by_id is None
    }
    for document in permit_type.documents.all():
        if document.required and document.pk not in uploaded:
            missing.append(MissingItem("documents", document.name))
    return missing


def permit_missing_items(permit: Permit) -> list[str]:
    """permit_missing_by_step's labels, for messages."""
    return [item.label for item in permit_missing_by_step(permit)]


def permit_field_answers(permit: Permit) -> list[tuple[str, str]]:
    """The answers to the type's own questions as people read them, in the type's order:
    (label, value), with yes or no and dates written out; unanswered questions left out."""
    answers = []
    for field in permit.permit_type.fields.all():
        value = permit.field_values.get(field.name)
        if value in (None, ""):
            continue
        if field.kind == PermitField.Kind.BOOLEAN:
            value = _("Yes") if value else _("No")
        elif field.kind == PermitField.Kind.DATE:
            try:
                value = date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT")
            except ValueError:
                value = str(value)
        answers.append((field.label, str(value)))
    return answers


def permits_of(user: User) -> QuerySet[Permit]:
    """The permits a person may open: theirs, and those they are the contractor of."""
    return Permit.objects.filter(Q(applicant=user) | Q(contractor=user))


def permit_drafts_of(user: User) -> QuerySet[Permit]:
    """The person's unfinished applications, the most recently saved first."""
    return (
        Permit.objects.filter(applicant=user, status=Permit.Status.DRAFT)
        .select_related("permit_type")
        .order_by("-updated_at")
    )


def permit_for_owner(user: User, pk: int) -> Permit | None:
    """The permit if this person may open it: theirs, or one they are the contractor of.
    A draft is its applicant's alone until it is submitted."""
    permit = (
        permits_of(user)
        .select_related("permit_type__category", "invoice", "contractor", "applicant")
        .filter(pk=pk)
        .first()
    )
    if permit is None or (permit.is_draft and permit.applicant_id != user.pk):
        return None
    return permit


@dataclass(frozen=True)
class PermitSearch:
    query: str = ""
    permit_type: PermitType | None = None
    status: str = ""
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.query.strip()
            or self.permit_type
            or self.status
            or self.issued_from
            or self.issued_to
        )


# What a search result shows; the rest of a permit (and its applicant) is not read at all.
PUBLIC_LIST_FIELDS = (
    "number",
    "permit_type__name",
    "status",
    "site_address",
    "site_unit",
    "site_city",
    "site_postal_code",
    "issued_on",
    "submitted_at",
    "work_by",
    "contractor_business_name",
    "contractor_license_number",
)
HOUSE_NUMBER = re.compile(r"^\s*(\d+[A-Za-z]?)\s+(.+)$")
# The start of a permit number, as compacted: RERF2026 or RERF202600 lists the matches.
NUMBER_PREFIX = re.compile(r"^[A-Z]{2,6}[0-9]{4}")


def _public_permits() -> QuerySet[Permit]:
    return Permit.objects.exclude(status=Permit.Status.DRAFT).exclude(number=None)


def permit_types_searchable() -> QuerySet[PermitType]:
    """The types a visitor may filter on: those offered online and any with permits."""
    has_permits = Exists(_public_permits().filter(permit_type=OuterRef("pk")))
    return PermitType.objects.filter(Q(is_online=True) | has_permits)


def permit_search(search: PermitSearch) -> QuerySet[Permit]:
    """Public search, newest first. A query that is a permit number, however it is typed,
    finds exactly that permit; otherwise it is matched against the start of permit numbers,
    addresses, and contractors' license numbers and business names."""
    permits = _public_permits().select_related("permit_type").only(*PUBLIC_LIST_FIELDS)
    if search.permit_type is not None:
        permits = permits.filter(permit_type=search.permit_type)
    if search.status:
        permits = permits.filter(status=search.status)
    if search.issued_from:
        permits = permits.filter(issued_on__gte=search.issued_from)
    if search.issued_to:
        permits = permits.filter(issued_on__lte=search.issued_to)
    permits = permits.order_by("-submitted_at", "-pk")
    query = " ".join(search.query.split())
    if not query:
        return permits
    compact = number_compact(query)
    if compact:
        exact = permits.filter(number_compact=compact)
        if exact.exists():
            return exact
    return permits.filter(_text_match(query, compact))


def _text_match(query: str, compact: str) -> Q:
    # Every lookup here has an index on Postgres: icontains and istartswith compare
    # UPPER(column::text), the expression migration 0003 builds its trigram indexes on;
    # the license and number_compact lookups use the model's b-tree indexes.
    match = Q(contractor_business_name__icontains=query)
    if NUMBER_PREFIX.match(compact):
        match |= Q(number_compact__startswith=compact)
    house = HOUSE_NUMBER.match(query)
    if query.isdigit():
        # A license number, or a house number: only at the start of the street address.
        match |= Q(contractor_license_number=query) | Q(site_address__istartswith=query + " ")
    elif house:
        number, street = house.groups()
        match |= Q(site_address__istartswith=number + " ") & Q(site_address__icontains=street)
    else:
        match |= Q(site_address__icontains=query)
    return match


def permit_public(number: str) -> Permit | None:
    return (
        _public_permits()
        .select_related("permit_type__category")
        .filter(number_compact=number_compact(number))
        .first()
    )


def permit_final_refusal(permit: Permit, inspected_on: datetime.date) -> str:
    """Why a final inspection passed on that day can't final the permit; empty when it
    can. A permit that expired overnight is still finaled by an inspection made while it
    was valid and entered the next morning."""
    if permit.status == Permit.Status.ISSUED or (
        permit.status == Permit.Status.EXPIRED
        and permit.expires_on is not None
        and inspected_on <= permit.expires_on
    ):
        return ""
    return _("The permit is “%(status)s”, so a passed final can't final it.") % {
        "status": permit.get_status_display()
    }


# Fees ------------------------------------------------------------------------------------


def permit_fee_lines(permit: Permit) -> list[FeeLineDraft]:
    """The fees the application's answers come to under its type's schedule: what the
    review page shows and what submitting bills. FeeScheduleError when no invoice can
    hold them."""
    return fee_lines_compute(
        permit.permit_type.fee_rules.prefetch_related("tiers"),
        valuation=permit.valuation,
        field_values=permit.field_values,
    )


@dataclass(frozen=True)
class FeeQuote:
    """The fees an application would be billed, or why the portal cannot say."""

    lines: list[FeeLineDraft]
    total: Decimal
    error: str = ""


def permit_fee_quote(permit: Permit) -> FeeQuote:
    try:
        lines = permit_fee_lines(permit)
    except FeeScheduleError:
        return FeeQuote(lines=[], total=Decimal(0), error=FEES_OUT_OF_RANGE)
    return FeeQuote(lines=lines, total=lines_total(lines))


@dataclass(frozen=True)
class FeeHint:
    amount: Decimal
    exact: bool


def permit_type_fee_hint(permit_type: PermitType) -> FeeHint | None:
    """The fee with no options chosen, for the list of types: exact when the schedule is
    only fixed amounts, else the least it can be. Prefetch `fee_rules` and their `tiers`."""
    rules = list(permit_type.fee_rules.all())
    exact = all(rule.kind == FeeRule.Kind.FIXED and not rule.applies_when for rule in rules)
    try:
        lines = fee_lines_compute(rules, valuation=None, field_values={})
    except FeeScheduleError:
        return None
    amount = lines_total(lines)
    if not exact and not amount:
        return None
    return FeeHint(amount=amount, exact=exact)


# The application wizard ------------------------------------------------------------------

APPLICATION_STEPS = ("site", "project", "details", "work", "documents", "review")


def permit_application_steps(permit_type: PermitType, user: User) -> list[str]:
    """The steps this application goes through, in order; a type without questions or
    documents, and a contractor (who does the work), skip theirs."""
    skipped = set()
    if not permit_type.fields.exists():
        skipped.add("details")
    if not permit_type.is_construction or user.is_contractor:
        skipped.add("work")
    if not permit_type.documents.exists():
        skipped.add("documents")
    return [step for step in APPLICATION_STEPS if step not in skipped]
