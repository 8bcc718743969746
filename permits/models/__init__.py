"""Permit types as city data (catalogue.py) and permits, from the first saved draft to
the final inspection (applications.py)."""

from permits.models.applications import (
    Permit,
    PermitDocument,
    PermitEvent,
    PermitNumberCounter,
    document_upload_to,
    number_compact,
)
from permits.models.catalogue import (
    VALUATION_BASIS,
    FeeRule,
    FeeTier,
    PermitCategory,
    PermitField,
    PermitType,
    RequiredDocument,
    fee_rule_reference_errors,
)

__all__ = [
    "VALUATION_BASIS",
    "FeeRule",
    "FeeTier",
    "Permit",
    "PermitCategory",
    "PermitDocument",
    "PermitEvent",
    "PermitField",
    "PermitNumberCounter",
    "PermitType",
    "RequiredDocument",
    "document_upload_to",
    "fee_rule_reference_errors",
    "number_compact",
]
