"""Card payment providers behind one interface (base.py): Stripe Checkout in production,
and the built-in test provider on the embedded defaults and in the demo."""

from django.conf import settings
from django.utils.module_loading import import_string

from payments.providers.base import PaymentProvider

# Each provider by the name a payment records. A provider's module loads only when it is
# asked for, so Stripe's library stays unloaded where the test provider serves.
CARD_PROVIDERS = {
    "test": "payments.providers.builtin.BuiltInTestProvider",
    "stripe": "payments.providers.stripe.StripeProvider",
}


def provider_of(name: str) -> PaymentProvider:
    """The provider a payment was made with; KeyError for a name the portal does not know."""
    return import_string(CARD_PROVIDERS[name])()


def provider_active() -> PaymentProvider:
    """Stripe once its keys are set; the test provider, which takes no money, until then."""
    return provider_of("stripe" if settings.STRIPE_SECRET_KEY else "test")
