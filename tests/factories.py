import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from accounts.models import ContractorProfile, LicenseClassification, SecurityQuestion
from licensing.models import BusinessClassification, BusinessLicense, LicenseOwner
from permits.models import PermitCategory, PermitType
from portal.models import Department, FaqCategory, FaqEntry


class SecurityQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityQuestion
        django_get_or_create = ("text",)

    text = "What high school did you attend?"


class LicenseClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenseClassification
        django_get_or_create = ("code",)

    code = "B"
    name = "General Building Contractor"


class UserFactory(factory.django.DjangoModelFactory):
    """A finished account: password, security question and contact details set."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"resident{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Rosa"
    last_name = "Delgado"
    password = factory.django.Password("correct-horse-battery")
    phone = "310-555-0142"
    address_line1 = "30940 Hawthorne Blvd"
    address_city = "Rancho Palos Verdes"
    address_state = "CA"
    address_postal_code = "90275"
    security_question = factory.SubFactory(SecurityQuestionFactory)
    security_answer_hash = factory.LazyFunction(lambda: make_password("palos verdes high"))

    @factory.post_generation
    def email_verified(user, create, extracted, **kwargs):
        """`UserFactory(email_verified=True)`: the address is confirmed, as after the link."""
        if create and extracted:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class ContractorFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"{1000000 + n}")
    account_type = "contractor"
    email = factory.Sequence(lambda n: f"contractor{n}@example.org")
    profile = factory.RelatedFactory(
        "tests.factories.ContractorProfileFactory", factory_related_name="user"
    )
    # A contractor needs a current City business license to apply for permits;
    # `ContractorFactory(business_license=None)` makes one without.
    business_license = factory.RelatedFactory(
        "tests.factories.BusinessLicenseFactory", factory_related_name="holder"
    )


class ContractorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractorProfile

    user = factory.SubFactory(ContractorFactory, profile=None)
    business_name = factory.Sequence(lambda n: f"Coastline Builders {n}")
    license_expires_on = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=365)
    )
    workers_comp_carrier = "State Compensation Insurance Fund"
    workers_comp_policy_number = "WC-1234567"
    workers_comp_expires_on = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=200)
    )


class BusinessClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessClassification
        django_get_or_create = ("name",)

    name = "Contractor"
    is_contractor = True
    fee_kind = BusinessClassification.FeeKind.FLAT
    base_fee = Decimal("150.00")


class BusinessLicenseFactory(factory.django.DjangoModelFactory):
    """An active license, current for 200 days more, with one owner."""

    class Meta:
        model = BusinessLicense
        skip_postgeneration_save = True

    holder = factory.SubFactory(UserFactory)
    status = BusinessLicense.Status.ACTIVE
    number = factory.Sequence(lambda n: f"BL2020-{n + 1:05d}")
    classification = factory.LazyAttribute(
        lambda license: BusinessClassificationFactory(
            **({} if license.holder.is_contractor else {"name": "Retail", "is_contractor": False})
        )
    )
    business_name = factory.LazyAttribute(
        lambda license: (
            getattr(getattr(license.holder, "contractor_profile", None), "business_name", "")
            or f"{license.holder.last_name} Enterprises"
        )
    )
    ownership = BusinessLicense.Ownership.SOLE_PROPRIETOR
    business_in_city = True
    business_address_line1 = "30940 Hawthorne Blvd"
    business_city = "Rancho Palos Verdes"
    business_state = "CA"
    business_postal_code = "90275"
    phone = "310-555-0142"
    email = factory.LazyAttribute(lambda license: license.holder.email)
    starts_business_on = datetime.date(2020, 1, 1)
    employees = 2
    gross_receipts = Decimal("100000.00")
    state_license_number = factory.LazyAttribute(
        lambda license: license.holder.username if license.holder.is_contractor else ""
    )
    # From a month ago, so the term covers today in the city's zone whatever the server's.
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=200))

    @factory.post_generation
    def owners(license, create, extracted, **kwargs):
        if create:
            LicenseOwner.objects.create(
                license=license,
                name=f"{license.holder.first_name} {license.holder.last_name}",
                title="Owner",
            )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    handles = "Questions about permits."
    phone = "310-555-0100"
    email = factory.Sequence(lambda n: f"department{n}@example.org")


class FaqCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqCategory

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    category = factory.SubFactory(FaqCategoryFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "An answer.\n\nA second paragraph."
    slug = factory.Sequence(lambda n: f"question-{n}")


class PermitCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitCategory

    name = factory.Sequence(lambda n: f"Permit category {n}")
    slug = factory.Sequence(lambda n: f"permit-category-{n}")


class PermitTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermitType

    category = factory.SubFactory(PermitCategoryFactory)
    name = factory.Sequence(lambda n: f"Permit type {n}")
    code_prefix = factory.Sequence(lambda n: "P" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    description = "What this permit covers."
