"""Card payment providers behind one interface (base.py): Stripe Checkout in production,
and the built-in test provider on the embedded defaults and in the demo."""

from django.conf import settings

from payments.providers.base import PaymentProvider


def provider_of(name: str) -> PaymentProvider:
    """The provider a payment was made with. Stripe's module loads only when asked for."""
    if name == "test":
        from payments.providers.builtin import BuiltInTestProvider

        return BuiltInTestProvider()
    if name == "stripe":
        from payments.providers.stripe import StripeProvider

        return StripeProvider()
    raise KeyError(name)


def provider_active() -> PaymentProvider:
    """Stripe once its keys are set; the test provider, which takes no money, until then."""
    return provider_of("stripe" if settings.STRIPE_SECRET_KEY else "test")
