from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "account_type", "is_active")
    list_filter = ("account_type", "is_staff", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Portal"), {"fields": ("account_type",)}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ("account_type",)}),
    )
