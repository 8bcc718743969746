"""Lockout keys and queries for django-axes: one key per account, whatever was typed."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

# The longest login anyone can type: an email address (RFC 5321's 254 characters).
LOGIN_MAX_LENGTH = 254


def lockout_key(request: HttpRequest, credentials: dict | None) -> str:
    """The account a login attempt is aimed at: its username, or the typed text if none.

    A person may type a username or an email address; both must count against the
    same account, or switching between them would double the allowed guesses. An
    unknown login is keyed by what was typed, so a lockout says nothing about
    whether an account exists.
    """
    credentials = credentials or {}
    typed = (
        credentials.get("login")
        or credentials.get("username")
        or credentials.get("email")
        or request.POST.get("login", "")
    )
    # Fit axes' 255-character column; NUL is not text a database will store.
    typed = str(typed).replace("\x00", "").strip()[:LOGIN_MAX_LENGTH]
    if not typed:
        return ""
    user = (
        get_user_model()
        .objects.filter(
            Q(username__iexact=typed)
            | Q(email__iexact=typed)
            | Q(emailaddress__email__iexact=typed)
        )
        .order_by("pk")
        .only("username")
        .first()
    )
    return (user.username if user else typed).lower()


def lockout_threshold() -> datetime.datetime:
    """Failures older than this no longer count: their cool-off has passed."""
    return timezone.now() - settings.AXES_COOLOFF_TIME


def locked_usernames() -> QuerySet:
    """The lockout keys that are locked right now (values of AccessAttempt.username)."""
    from axes.models import AccessAttempt

    return (
        AccessAttempt.objects.filter(
            attempt_time__gte=lockout_threshold(),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        )
        .values_list("username", flat=True)
        .distinct()
    )
