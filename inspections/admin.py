from django.contrib import admin

from inspections.models import InspectionType


@admin.register(InspectionType)
class InspectionTypeAdmin(admin.ModelAdmin):
    list_display = ("permit_type", "order", "code", "name", "is_final")
    list_display_links = ("code", "name")
    list_filter = ("permit_type", "is_final")
    list_select_related = ("permit_type",)
    search_fields = ("name", "code", "permit_type__name")
    filter_horizontal = ("requires",)
