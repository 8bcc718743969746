from django.contrib import admin

from permits.models import PermitCategory, PermitType


@admin.register(PermitCategory)
class PermitCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code_prefix", "category", "is_online", "order")
    list_editable = ("is_online", "order")
    list_filter = ("category", "is_online")
    list_select_related = ("category",)
    search_fields = ("name", "code_prefix")
