from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.importing import ImportRejected, accounts_import, import_upload_read
from accounts.lockout import locked_usernames
from accounts.models import (
    CONTACT_FIELDS,
    ContractorProfile,
    LicenseClassification,
    SecurityQuestion,
    User,
)
from portal.admin import PortalModelAdmin, RequestCheckedAdminMixin, RevertGuardedHistoryAdmin


@admin.register(SecurityQuestion)
class SecurityQuestionAdmin(PortalModelAdmin):
    list_display = ("text", "is_active", "order")
    list_editable = ("is_active", "order")


@admin.register(LicenseClassification)
class LicenseClassificationAdmin(PortalModelAdmin):
    list_display = ("code", "name", "is_active")
    list_editable = ("is_active",)
    search_fields = ("code", "name")


STAFF_ONLY_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class YesNoFilter(admin.SimpleListFilter):
    """Yes or No on a boolean the admin's queryset annotates (`annotation`)."""

    annotation = ""

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{self.annotation: self.value() == "yes"})
        return queryset


class EmailVerifiedFilter(YesNoFilter):
    title = _("email verified")
    parameter_name = "email_verified"
    annotation = "email_is_verified"


class ContractorVerifiedFilter(YesNoFilter):
    title = _("contractor verified")
    parameter_name = "contractor_verified"

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        if queryset.model is User:
            return queryset.filter(
                account_type=User.AccountType.CONTRACTOR,
                contractor_profile__verified_at__isnull=self.value() == "no",
            )
        return queryset.filter(verified_at__isnull=self.value() == "no")


class LockedFilter(YesNoFilter):
    title = _("locked out")
    parameter_name = "locked"
    annotation = "is_locked"


def _verify_contractors(modeladmin, request, profiles) -> None:
    verified = 0
    for profile in profiles:
        try:
            verified += services.contractor_verify(profile=profile, verified_by=request.user)
        except services.AccountError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
    if verified:
        modeladmin.message_user(
            request,
            ngettext(
                "Verified %(count)d contractor; they have been emailed.",
                "Verified %(count)d contractors; they have been emailed.",
                verified,
            )
            % {"count": verified},
            messages.SUCCESS,
        )


class ContractorProfileInline(admin.StackedInline):
    model = ContractorProfile
    fk_name = "user"
    can_delete = False
    extra = 0
    max_num = 1
    filter_horizontal = ("classifications",)
    readonly_fields = ("verified_at", "verified_by")


@admin.register(User)
class PortalUserAdmin(RequestCheckedAdminMixin, UserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "account_type",
        "email_verified",
        "contractor_verified",
        "locked",
        "is_active",
    )
    list_filter = (
        "account_type",
        EmailVerifiedFilter,
        ContractorVerifiedFilter,
        LockedFilter,
        "is_active",
        "is_staff",
        "groups",
    )
    search_fields = (
        "username",
        "email",
        "first_name",
        "last_name",
        "contractor_profile__business_name",
    )
    list_select_related = ("contractor_profile",)
    actions = ("unlock_accounts", "verify_contractors")
    readonly_fields = ("last_login", "date_joined", "must_change_password")
    inlines = (ContractorProfileInline,)
    change_form_template = "admin/accounts/user/change_form.html"
    change_list_template = "admin/accounts/user/change_list.html"
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("Portal"),
            {
                "fields": (
                    "account_type",
                    *CONTACT_FIELDS,
                    "security_question",
                    "must_change_password",
                )
            },
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ("account_type", "email")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                email_is_verified=Exists(
                    EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
                ),
                is_locked=Exists(locked_usernames().filter(username=Lower(OuterRef("username")))),
            )
        )

    def changelist_view(self, request, extra_context=None):
        lockout_note = _(
            "Accounts lock after %(limit)d failed logins and unlock by themselves after "
            "%(minutes)d minutes."
        ) % {
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        }
        return super().changelist_view(
            request, {"lockout_note": lockout_note, **(extra_context or {})}
        )

    def get_fieldsets(self, request, obj=None):
        """Only superusers grant staff status, groups or permissions; anyone else with
        the right to change users could otherwise make themselves a superuser."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f not in STAFF_ONLY_FIELDS]},
            )
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # A password staff type in for someone is a temporary one, like any other.
        if not change and not obj.is_staff:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and obj.is_contractor else ()

    @admin.display(boolean=True, description=_("email verified"), ordering="email_is_verified")
    def email_verified(self, user):
        return user.email_is_verified

    @admin.display(boolean=True, description=_("contractor verified"))
    def contractor_verified(self, user):
        if not user.is_contractor:
            return None
        profile = getattr(user, "contractor_profile", None)
        return bool(profile and profile.is_verified)

    @admin.display(boolean=True, description=_("locked out"), ordering="is_locked")
    def locked(self, user):
        return user.is_locked

    @admin.action(description=_("Unlock the selected accounts now"), permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        services.accounts_unlock(usernames=list(queryset.values_list("username", flat=True)))
        self.message_user(request, _("The selected accounts can log in again."), messages.SUCCESS)

    @admin.action(
        description=_("Verify license and insurance of the selected contractors"),
        permissions=["verify"],
    )
    def verify_contractors(self, request, queryset):
        profiles = ContractorProfile.objects.filter(user__in=queryset)
        without_profile = queryset.exclude(pk__in=profiles.values("user")).count()
        if without_profile:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected account has no contractor license details to verify.",
                    "%(count)d selected accounts have no contractor license details to verify.",
                    without_profile,
                )
                % {"count": without_profile},
                messages.WARNING,
            )
        _verify_contractors(self, request, profiles)

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_user")

    def has_verify_permission(self, request):
        return request.user.has_perm("accounts.verify_contractorprofile")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_user_import",
            ),
            path(
                "<int:user_id>/temporary-password/",
                self.admin_site.admin_view(self.temporary_password_view),
                name="accounts_user_temporary_password",
            ),
            *super().get_urls(),
        ]

    def temporary_password_view(self, request, user_id: int):
        """Confirm, then show the new temporary password once; it is not kept anywhere
        (admin_view already marks the page never to be cached)."""
        if not request.user.has_perm("accounts.issue_temporary_password"):
            raise PermissionDenied
        user = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": _("Issue a temporary password"),
            "password": None,
        }
        if request.method == "POST":
            try:
                context["password"] = services.temporary_password_issue(user=user)
            except services.AccountError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
            self.log_change(request, user, "Issued a temporary password.")
        return TemplateResponse(request, "admin/accounts/user/temporary_password.html", context)

    def import_view(self, request):
        """The admin's upload for `manage.py import_accounts`: same checks, same result."""
        if not request.user.has_perm("accounts.import_users"):
            raise PermissionDenied
        form = AccountImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = accounts_import(
                    csv_file=import_upload_read(uploaded_file=form.cleaned_data["csv_file"])
                )
            except ImportRejected as rejection:
                errors = rejection.errors
            else:
                self.message_user(
                    request,
                    _(
                        "Imported: %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged."
                    )
                    % vars(result),
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import accounts"),
            "form": form,
            "import_errors": errors,
        }
        return TemplateResponse(request, "admin/accounts/user/import.html", context)


class AccountImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One account per row, with a header row: account_type, username, email, and any "
            "of first_name, last_name, phone, address_line1, address_line2, city, state, "
            "postal_code, business_name, classifications, license_expires_on, "
            "workers_comp_exempt, workers_comp_carrier, workers_comp_policy_number, "
            "workers_comp_expires_on."
        ),
    )


@admin.register(ContractorProfile)
class ContractorProfileAdmin(RevertGuardedHistoryAdmin):
    list_display = (
        "business_name",
        "license_number",
        "license_expires_on",
        "workers_comp_expires_on",
        "workers_comp_exempt",
        "is_verified",
    )
    list_filter = (ContractorVerifiedFilter, "workers_comp_exempt", "classifications")
    search_fields = ("user__username", "business_name", "user__email")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    filter_horizontal = ("classifications",)
    readonly_fields = ("verified_at", "verified_by")
    actions = ("verify_contractors",)

    @admin.display(description=_("CSLB license number"), ordering="user__username")
    def license_number(self, profile):
        return profile.license_number

    @admin.display(boolean=True, description=_("verified"), ordering="verified_at")
    def is_verified(self, profile):
        return profile.is_verified

    @admin.action(
        description=_("Verify license and insurance of the selected contractors"),
        permissions=["verify"],
    )
    def verify_contractors(self, request, queryset):
        _verify_contractors(self, request, queryset)

    def has_verify_permission(self, request):
        return request.user.has_perm("accounts.verify_contractorprofile")
