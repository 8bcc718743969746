import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from accounts.models import ContractorProfile, LicenseClassification, SecurityQuestion
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
