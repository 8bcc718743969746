from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import forms, services
from accounts.models import ContractorProfile
from accounts.registry import dashboard_sections
from accounts.selectors import (
    account_blockers,
    contractor_credentials,
    contractor_profile_of,
    email_is_verified,
)
from portal.captcha import captcha_configured


def signup_choice(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return render(request, "account/signup_choice.html")


class AccountTypeFormMixin:
    """Pages whose form is for a Public or a Contractor account and may carry the CAPTCHA."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account_type"] = context["form"].account_type
        context["captcha_missing"] = not captcha_configured()
        return context


class AccountSignupView(AccountTypeFormMixin, allauth_views.SignupView):
    """One view per account type; the form class decides which."""

    template_name = "account/signup.html"

    def get_form_class(self):
        return self.form_class

    def form_valid(self, form):
        # The account, its profile and its email address are made together or not at all.
        with transaction.atomic():
            return super().form_valid(form)


public_signup = AccountSignupView.as_view(form_class=forms.PublicSignupForm)
contractor_signup = AccountSignupView.as_view(form_class=forms.ContractorSignupForm)


class PortalLoginView(AccountTypeFormMixin, allauth_views.LoginView):
    pass


login = PortalLoginView.as_view()


class PortalPasswordResetView(AccountTypeFormMixin, allauth_views.PasswordResetView):
    def get_form_class(self):
        return forms.PortalResetPasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        typed = form.cleaned_data.get("email") or form.cleaned_data.get("license_number", "")
        too_many = ratelimit.consume_or_429(
            self.request, action="reset_password", key=typed.lower()
        )
        if too_many:
            return too_many
        form.save(self.request)
        return redirect(self.get_success_url())


password_reset = PortalPasswordResetView.as_view()


def lockout(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """What django-axes shows once an account has had too many failed logins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "account_type": forms.chosen_account_type(request, request.POST),
    }
    return HttpResponse(
        render_to_string("account/lockout.html", context, request=request), status=429
    )


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """The confirmation after signing up, with the Continue button the guides describe."""
    return render(
        request, "account/welcome.html", {"email_verified": email_is_verified(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.needs_account_setup:
        return redirect("accounts:dashboard")
    form = forms.AccountSetupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_account_setup(
                user=user,
                password=form.cleaned_data.get("password1"),
                security_question=form.cleaned_data["security_question"],
                security_answer=form.cleaned_data["security_answer"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your account is ready."))
            return redirect("accounts:dashboard")
    return render(request, "account/setup.html", {"form": form})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = contractor_profile_of(user)
    sections = dashboard_sections.shown(user)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "profile": profile,
            "credentials": contractor_credentials(profile) if profile else [],
            "blockers": account_blockers(user, profile),
            "sections": sections,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your contact details are saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "profile": contractor_profile_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contractor_profile(request: HttpRequest) -> HttpResponse:
    if not request.user.is_contractor:
        raise Http404
    # A contractor added by staff may have no profile yet: this page makes the first one.
    profile = contractor_profile_of(request.user) or ContractorProfile(user=request.user)
    form = forms.ContractorProfileForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        profile = services.contractor_profile_update(
            profile=profile, details=form.contractor_details()
        )
        if profile.is_verified:
            messages.success(request, _("No changes to verify."))
        else:
            messages.success(
                request,
                _(
                    "Saved. The Permit Center will verify the new details; until then you "
                    "cannot apply for permits."
                ),
            )
        return redirect("accounts:dashboard")
    return render(request, "accounts/contractor_profile.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def security_question(request: HttpRequest) -> HttpResponse:
    form = forms.SecurityQuestionChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_security_question_change(
            user=request.user,
            security_question=form.cleaned_data["security_question"],
            security_answer=form.cleaned_data["security_answer"],
        )
        messages.success(request, _("Your security question is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/security_question.html", {"form": form})
