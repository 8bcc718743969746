import zoneinfo
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.models import City, Department, FaqCategory, FaqEntry, PendingTask
from portal.outbox import pending_task_send


def admin_object_page(
    model_admin: admin.ModelAdmin, request, template_name: str, original, **context
) -> TemplateResponse:
    """A page of the admin's own about one row, such as a button's form, in the admin's
    frame: its header, breadcrumbs to `original`, and `context`."""
    return TemplateResponse(
        request,
        template_name,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "original": original,
            **context,
        },
    )


class ReadOnlyAdminMixin:
    """Rows only services write: nobody adds, changes or deletes them in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BulkChangeAdminMixin:
    """Bulk actions that run a service on each selected row: a row the service refuses
    is reported by its label and the message it gave, the rest in one success message."""

    def apply_each(
        self,
        request,
        objects: Iterable,
        change: Callable,
        done: Callable[[int], str],
        *,
        refused: type[Exception],
        label: Callable[[object], str] = str,
    ) -> None:
        changed = 0
        for obj in objects:
            try:
                change(obj)
            except refused as error:
                self.message_user(
                    request,
                    gettext("%(item)s: %(error)s") % {"item": label(obj), "error": error},
                    messages.ERROR,
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)


class RevertGuardedHistoryAdmin(SimpleHistoryAdmin):
    """History for staff who may view; reverting only for those who may change.

    django-simple-history saves a POST to a past version for anyone who may view the
    object, even when it hides the Revert button from them."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class CityForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=lambda: [(name, name) for name in sorted(zoneinfo.available_timezones())],
    )
    website = forms.URLField(label=_("city website"), required=False, assume_scheme="https")

    class Meta:
        model = City
        fields = ("name", "logo", "time_zone", "website", "address")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    form = CityForm
    list_display = ("name", "time_zone", "website")

    def has_add_permission(self, request) -> bool:
        return not City.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "order", "in_footer")
    list_editable = ("order", "in_footer")
    search_fields = ("name", "handles")


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    extra = 0
    prepopulated_fields = {"slug": ("question",)}


@admin.register(FaqCategory)
class FaqCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FaqEntryInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "order", "is_published")
    list_editable = ("order", "is_published")
    list_filter = ("category", "is_published")
    list_select_related = ("category",)
    search_fields = ("question", "answer")
    prepopulated_fields = {"slug": ("question",)}


@admin.register(PendingTask)
class PendingTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the broker has not taken yet: empty but for a broker outage, which beat's
    flush catches up on within a minute of the broker's return."""

    list_display = ("task_name", "created_at", "attempts", "last_error")
    list_filter = ("task_name",)
    fields = ("task_name", "args", "kwargs", "created_at", "attempts", "last_error")
    actions = ("send_now",)

    @admin.action(description=_("Send the selected tasks to the broker now"))
    def send_now(self, request, queryset) -> None:
        pending_ids = list(queryset.values_list("pk", flat=True))
        sent = sum(pending_task_send(pending_id=pending_id) for pending_id in pending_ids)
        if sent < len(pending_ids):
            self.message_user(
                request,
                gettext("%(failed)d could not be sent; the broker may still be down.")
                % {"failed": len(pending_ids) - sent},
                messages.ERROR,
            )
        if sent:
            self.message_user(request, gettext("%(sent)d sent.") % {"sent": sent}, messages.SUCCESS)
