"""Stripe's API faked at the HTTP transport: stripe-python builds and sends real requests,
and this client records them and answers with JSON shaped like Stripe's, keeping the
Checkout Sessions it opened the way Stripe's servers do. It can time out or answer 500.

    fake = StripeFake()
    monkeypatch.setattr("payments.providers.stripe.http_client", lambda: fake)
"""

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

SESSION_PATH = re.compile(r"^/v1/checkout/sessions/(?P<id>[A-Za-z0-9_]+)(?P<expire>/expire)?$")
WEBHOOK_SECRET = "whsec_test_portal"


@dataclass
class Request:
    method: str
    url: str
    path: str
    headers: dict[str, str]
    # Form fields (POST body or query string) as stripe-python encodes them:
    # {"line_items[0][price_data][unit_amount]": "14300", ...}
    form: dict[str, str] = field(default_factory=dict)

    def list_of(self, name: str) -> list[str]:
        """An encoded list such as expand[0], expand[1]."""
        pattern = re.compile(rf"^{re.escape(name)}\[(\d+)\]$")
        found = sorted(
            (int(match.group(1)), value)
            for key, value in self.form.items()
            if (match := pattern.match(key))
        )
        return [value for _index, value in found]


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class StripeFake(stripe.HTTPClient):
    """A sync stripe.HTTPClient: set `failure` to "timeout", "timeout_after" (Stripe did
    the work, the answer was lost) or "500" to make every following request fail."""

    name = "stripe-fake"

    def __init__(self):
        super().__init__()
        self.requests: list[Request] = []
        self.sessions: dict[str, dict] = {}
        self.failure: str | None = None
        self._by_idempotency_key: dict[str, tuple[str, int]] = {}

    # The transport --------------------------------------------------------------------

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0  # stripe-python's retries happen at once in the tests

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        encoded = body if method == "post" else parts.query
        form = {key: values[-1] for key, values in parse_qs(encoded).items()}
        request = Request(method.upper(), url, parts.path, dict(headers or {}), form)
        self.requests.append(request)
        if self.failure == "timeout":
            raise self._timeout()
        key = request.headers.get("Idempotency-Key")
        if key and key in self._by_idempotency_key:
            # Stripe replays the first answer to a request with the same key.
            body, status = self._by_idempotency_key[key]
            return body, status, {"request-id": "req_replayed", "idempotent-replayed": "true"}
        if self.failure == "500":
            payload, status = _error("api_error", "An unknown error occurred."), 500
        else:
            payload, status = self._route(request)
        body = json.dumps(payload)
        if key and method == "post" and status < 500:
            self._by_idempotency_key[key] = (body, status)
        if self.failure == "timeout_after":
            raise self._timeout()
        return body, status, {"request-id": _new_id("req"), "content-type": "application/json"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("the portal streams nothing from Stripe")

    def close(self):
        pass

    @staticmethod
    def _timeout() -> stripe.APIConnectionError:
        # What stripe-python's own clients raise for a read timeout: retryable.
        return stripe.APIConnectionError(
            "Unexpected error communicating with Stripe.\n\n(Network error: ReadTimeout)",
            should_retry=True,
        )

    # Stripe's API -----------------------------------------------------------------------

    def _route(self, request: Request) -> tuple[dict, int]:
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            return self._session_create(request), 200
        if request.method == "POST" and request.path == "/v1/refunds":
            return self._refund_create(request)
        match = SESSION_PATH.match(request.path)
        if not match:
            return _error(
                "invalid_request_error", f"Unrecognized request URL ({request.path})."
            ), 404
        session = self.sessions.get(match["id"])
        if session is None:
            return _error(
                "invalid_request_error",
                f"No such checkout.session: '{match['id']}'",
                code="resource_missing",
            ), 404
        if match["expire"] and request.method == "POST":
            if session["status"] != "open":
                return _error(
                    "invalid_request_error",
                    'Only Checkout Sessions with a status in ["open"] can be expired. This '
                    f"Checkout Session has a status of `{session['status']}`.",
                ), 400
            session["status"] = "expired"
            return self.session_json(session["id"]), 200
        if request.method == "GET" and not match["expire"]:
            return self.session_json(session["id"], expand=request.list_of("expand")), 200
        return _error("invalid_request_error", "Unrecognized request."), 404

    def _session_create(self, request: Request) -> dict:
        form = request.form
        lines = []
        index = 0
        while f"line_items[{index}][quantity]" in form:
            prefix = f"line_items[{index}]"
            lines.append(
                {
                    "description": form[f"{prefix}[price_data][product_data][name]"],
                    "unit_amount": int(form[f"{prefix}[price_data][unit_amount]"]),
                    "quantity": int(form[f"{prefix}[quantity]"]),
                    "currency": form[f"{prefix}[price_data][currency]"],
                }
            )
            index += 1
        session_id = _new_id("cs")
        metadata = {
            match.group(1): value
            for key, value in form.items()
            if (match := re.match(r"^metadata\[(\w+)\]$", key))
        }
        self.sessions[session_id] = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": sum(line["unit_amount"] * line["quantity"] for line in lines),
            "amount_total": sum(line["unit_amount"] * line["quantity"] for line in lines),
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": int(time.time()),
            "currency": form.get("currency"),
            "customer": None,
            "expires_at": int(form.get("expires_at") or time.time() + 86400),
            "livemode": False,
            "metadata": metadata,
            "mode": form.get("mode"),
            "payment_intent": None,
            "payment_method_types": request.list_of("payment_method_types"),
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
            "_lines": lines,
            "_charge": None,
            "_refunds": [],
        }
        return self.session_json(session_id)

    def _refund_create(self, request: Request) -> tuple[dict, int]:
        intent = request.form.get("payment_intent")
        session = next(
            (s for s in self.sessions.values() if s["payment_intent"] == intent and intent), None
        )
        if session is None or session["payment_status"] != "paid":
            return _error(
                "invalid_request_error",
                f"No such payment_intent: '{intent}'",
                code="resource_missing",
            ), 404
        amount = int(request.form.get("amount") or session["amount_total"])
        refunded = sum(refund["amount"] for refund in session["_refunds"])
        if amount > session["amount_total"] - refunded:
            return _error(
                "invalid_request_error",
                f"Refund amount (${amount / 100:.2f}) is greater than unrefunded amount on "
                f"charge (${(session['amount_total'] - refunded) / 100:.2f})",
                code="charge_already_refunded" if refunded else None,
            ), 400
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": session["currency"],
            "payment_intent": intent,
            "charge": session["_charge"]["id"],
            "status": "succeeded",
            "metadata": {
                match.group(1): value
                for key, value in request.form.items()
                if (match := re.match(r"^metadata\[(\w+)\]$", key))
            },
        }
        session["_refunds"].append(refund)
        return refund, 200

    # What happens on Stripe's side, as the tests tell it --------------------------------

    def session_pay(
        self,
        session_id: str,
        *,
        brand: str = "visa",
        last4: str = "4242",
        amount_total: int | None = None,
        currency: str | None = None,
    ) -> None:
        """The person paid on Stripe's page: what the session was opened for, unless the
        test says Stripe charged another amount (in cents) or currency."""
        session = self.sessions[session_id]
        if amount_total is not None:
            session["amount_total"] = session["amount_subtotal"] = amount_total
        if currency is not None:
            session["currency"] = currency
        session["status"] = "complete"
        session["payment_status"] = "paid"
        session["payment_intent"] = _new_id("pi")
        session["_charge"] = {"brand": brand, "last4": last4, "id": _new_id("ch")}
        session["_intent_status"] = "succeeded"

    def session_complete_unpaid(self, session_id: str) -> None:
        """Completed with a delayed payment method that has not settled yet."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        session["payment_status"] = "unpaid"
        session["payment_intent"] = _new_id("pi")
        session["_intent_status"] = "processing"

    def session_async_fail(self, session_id: str) -> None:
        session = self.sessions[session_id]
        session["_intent_status"] = "requires_payment_method"

    def session_expire(self, session_id: str) -> None:
        self.sessions[session_id]["status"] = "expired"

    def session_json(self, session_id: str, *, expand: list[str] = ()) -> dict:
        """The session as Stripe's API answers with it, the payment intent expanded only
        when asked for (as in `expand[]=payment_intent.latest_charge`)."""
        session = {key: value for key, value in self.sessions[session_id].items() if key[0] != "_"}
        stored = self.sessions[session_id]
        intent_id = session["payment_intent"]
        if intent_id and any(path.startswith("payment_intent") for path in expand):
            charge = stored["_charge"]
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": stored["_intent_status"],
                "last_payment_error": (
                    {"message": "Your card was declined.", "type": "card_error"}
                    if stored["_intent_status"] == "requires_payment_method"
                    else None
                ),
                "latest_charge": charge["id"] if charge else None,
                "payment_method": _new_id("pm") if charge else None,
            }
            if charge and "payment_intent.latest_charge" in expand:
                intent["latest_charge"] = {
                    "id": charge["id"],
                    "object": "charge",
                    "amount": session["amount_total"],
                    "paid": True,
                    "status": "succeeded",
                    "payment_method_details": {
                        "type": "card",
                        "card": {
                            "brand": charge["brand"],
                            "last4": charge["last4"],
                            "exp_month": 12,
                            "exp_year": 2034,
                            "funding": "credit",
                            "country": "US",
                        },
                    },
                }
            session["payment_intent"] = intent
        return session

    @property
    def posts_to_sessions(self) -> list[Request]:
        return [r for r in self.requests if (r.method, r.path) == ("POST", "/v1/checkout/sessions")]


def _error(kind: str, message: str, *, code: str | None = None) -> dict:
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


def stripe_event(event_type: str, session: dict, *, event_id: str | None = None) -> dict:
    """An event as Stripe posts it to the webhook."""
    return {
        "id": event_id or _new_id("evt"),
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "data": {"object": session},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


@pytest.fixture(name="stripe_fake")
def stripe_fake_fixture(settings, monkeypatch) -> StripeFake:
    """Stripe's keys set and its API answered by the fake."""
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = StripeFake()
    monkeypatch.setattr("payments.providers.stripe.http_client", lambda: fake)
    return fake
