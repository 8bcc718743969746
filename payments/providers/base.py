"""What the portal asks of a card payment provider. Card data never reaches the portal:
the person pays on the provider's page and comes back."""

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from payments.models import Payment

# The portal bills in US dollars; Stripe names a currency by its ISO code in lower case.
CURRENCY = "usd"


def cents(amount: Decimal) -> int:
    """Dollars to integer cents, exactly: a fraction of a cent is a bug, not a rounding."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(value)


@dataclass(frozen=True)
class CheckoutLine:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class CheckoutStarted:
    reference: str  # the provider's id of the checkout, unique per provider
    redirect_url: str  # where the person pays


class Outcome(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CheckoutResult:
    """How a checkout stands, from a webhook event or from asking the provider."""

    reference: str
    outcome: Outcome
    card_brand: str = ""
    card_last4: str = ""
    message: str = ""
    # What the checkout charged, as the provider reports it: in the currency's smallest
    # unit (cents), so it compares exactly with the payment. A succeeded checkout that
    # does not say settles nothing.
    amount_cents: int | None = None
    currency: str = ""


class ProviderUnavailable(Exception):
    """The provider did not answer or answered with an error; trying later may work."""


class PaymentProvider(ABC):
    name: str
    label: str

    @abstractmethod
    def checkout_start(
        self,
        *,
        payment: Payment,
        lines: list[CheckoutLine],
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStarted: ...

    @abstractmethod
    def checkout_fetch(self, *, reference: str) -> CheckoutResult: ...

    @abstractmethod
    def checkout_expire(self, *, reference: str) -> None: ...

    @abstractmethod
    def refund_create(self, *, reference: str, amount: Decimal, idempotency_key: str) -> str:
        """Give back `amount` of the checkout's payment; returns the provider's refund id."""
