"""What each kind of invoice is for. A permit or license registers its kind from its
AppConfig.ready(), so `payments` never imports the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass

from payments.models import Invoice


@dataclass(frozen=True)
class Payable:
    kind: str
    # Called as on_paid(invoice=...) inside the transaction that marks the invoice paid.
    on_paid: Callable[..., None]
    # Where the payer reads about what the invoice is for.
    url: Callable[[Invoice], str]


_payables: dict[str, Payable] = {}


def payable_register(payable: Payable) -> None:
    _payables[payable.kind] = payable


def payable_of(kind: str) -> Payable:
    return _payables[kind]
