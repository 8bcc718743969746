import factory
from django.contrib.auth import get_user_model

from permits.models import PermitCategory, PermitType
from portal.models import Department, FaqCategory, FaqEntry


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"resident{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Rosa"
    last_name = "Delgado"
    password = factory.django.Password("correct-horse-battery")


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
