import zoneinfo
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection
from django.db.models import Q
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.models import City, Department, FaqCategory, FaqEntry, PendingTask
from portal.outbox import pending_task_send

# The longest login anyone types: an email address (RFC 5321's 254 characters).
LOGIN_MAX_LENGTH = 254


def is_key(field, value) -> bool:
    """Whether `value`, as a request sends it, can be looked up as a value of `field`: of
    the field's type and, for a number, within what the database stores. A lookup of
    anything else fails in the database, or before it."""
    try:
        key = field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(key, int):
        target = field.target_field if field.is_relation else field
        try:
            low, high = connection.ops.integer_field_range(target.get_internal_type())
        except KeyError:  # a number field of no range the database knows
            return True
        return (low is None or low <= key) and (high is None or key <= high)
    return "\x00" not in str(key)


class _KeysCheckedAutocomplete:
    """An autocomplete shows again the choice a form was sent, looked up as sent: a choice
    that is no key of the related model's is shown as no choice, beside the form's error."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        options = remote.model._meta
        to_field = options.get_field(getattr(remote, "field_name", None) or options.pk.attname)
        return super().optgroups(name, [item for item in value if is_key(to_field, item)], attr)


class KeysCheckedAutocompleteSelect(_KeysCheckedAutocomplete, AutocompleteSelect):
    """It starts with an empty choice, labelled as a plain select's is, required or not:
    HTML asks a required select for one, and an option for text (Django's leaves the
    choice out of a required select and writes it empty in another). The autocomplete
    shows its placeholder for it all the same."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        options[:] = [
            self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0),
            *(option for option in options if option["value"] != ""),
        ]
        return groups


class KeysCheckedAutocompleteSelectMultiple(_KeysCheckedAutocomplete, AutocompleteSelectMultiple):
    pass


class RequestCheckedAdminMixin:
    """Every admin page of the site takes what a request sends as Django's admin should.

    Django's admin takes three things as sent: `?_to_field=` with no field, which it looks
    up as a field named ""; the rows an action is for; and the choice an autocomplete field
    was sent, both of which it filters on as sent, so a key that is no key fails the query.
    Here no field means the primary key, an action for rows that are no rows changes
    nothing, and an autocomplete's choice that is no key is shown as no choice."""

    def get_object(self, request, object_id, from_field=None):
        return super().get_object(request, object_id, from_field or None)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if all(is_key(self.opts.pk, key) for key in selected):
            return super().response_action(request, queryset)
        self.message_user(
            request, gettext("Those are no rows of this list; nothing was changed."), messages.ERROR
        )
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysCheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysCheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PortalModelAdmin(RequestCheckedAdminMixin, admin.ModelAdmin):
    """The base of every admin of the portal's own models."""


# Django's and the other apps' admins, registered before any of ours, check the same.
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, RequestCheckedAdminMixin):
        admin.site.unregister(_model)
        admin.site.register(
            _model,
            type(type(_model_admin).__name__, (RequestCheckedAdminMixin, type(_model_admin)), {}),
        )


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login, with the username's length checked: Django's form only sets a
    maximum on the field, so text of any length went on to be looked up (and SQLite
    refuses to match a pattern over 50,000 bytes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))


admin.site.login_form = AdminLoginForm


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


class ActionPageAdminMixin:
    """Pages that each do one thing to one row of the admin's model, such as a button's
    form: the row, looked up with the rows its pages read (`action_related`); its page,
    drawn from `action_page_template` (which extends admin/action_page.html), with its
    form run through a service by `action_form_page`; and back to the row's own page once
    done. An error its services raise (`action_error`) is shown to staff as worded."""

    action_page_template: str
    action_related: tuple[str, ...] = ()
    action_error: type[Exception]

    def admin_path(self, route: str, view: Callable, name: str) -> URLPattern:
        """A page of the admin's own, behind the admin's login, named as Django names its
        pages: `<app>_<model>_<name>`."""
        return path(
            route,
            self.admin_site.admin_view(view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
        )

    def action_object(self, object_id: int):
        return get_object_or_404(
            self.model.objects.select_related(*self.action_related), pk=object_id
        )

    def back_to(self, obj):
        return redirect(admin_urlname(self.opts, "change"), obj.pk)

    def action_page(self, request, obj, title: str, form, button: str, **context):
        return admin_object_page(
            self,
            request,
            self.action_page_template,
            obj,
            title=title,
            form=form,
            button=button,
            **context,
        )

    def action_form_page(
        self,
        request,
        obj,
        form,
        run: Callable[[], object],
        done: Callable[[object], str],
        *,
        refused: type[Exception] | tuple[type[Exception], ...],
        title: str,
        button: str,
        **context,
    ):
        """The action page of `form`, which, once sent and valid, `run`s its service and
        goes back to the row telling staff what was `done` (given what the service
        returned); what the service `refused` stays on the form."""
        if request.method == "POST" and form.is_valid():
            try:
                result = run()
            except refused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, done(result), messages.SUCCESS)
                return self.back_to(obj)
        return self.action_page(request, obj, title, form, button, **context)


class ReadOnlyAdminMixin:
    """Rows only services write: nobody adds, changes or deletes them in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SingleRowAdminMixin:
    """Settings kept in one row, the one the model names by its `SINGLETON_ID` and reads
    alone: never a second row, never deleted, and opened straight from the admin's index."""

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        # A list of one row is a detour: go straight to the row.
        row = self.model.objects.filter(pk=self.model.SINGLETON_ID).first()
        if row is not None and self.has_view_or_change_permission(request):
            return redirect(admin_urlname(self.opts, "change"), row.pk)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # The first row added is the one the app reads, whatever id it would have got.
        obj.pk = self.model.SINGLETON_ID
        super().save_model(request, obj, form, change)


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


class TypedNumberSearchAdminMixin:
    """The list's search also finds rows by a number typed loosely, as people read one
    out (any case, a space for a dash): `typed_number_filter` reads the term as the
    numbers it may be, and is empty when it is none."""

    def typed_number_filter(self, search_term: str) -> Q:
        return Q()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        found = self.typed_number_filter(search_term)
        if found:
            results |= queryset.filter(found)
        return results, may_have_duplicates


class AssigneeFilter(admin.SimpleListFilter):
    """Rows by the staff member assigned to them: me, nobody, or one of `assignees()`,
    by name. An id that is none of a user's, or beyond what the database holds, lists
    nobody's rows rather than failing in the database."""

    parameter_name: str  # also the assignee's field

    def assignees(self) -> Iterable:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return (
            ("me", _("Assigned to me")),
            ("none", _("Unassigned")),
            *((str(user.pk), user.get_full_name() or user.username) for user in self.assignees()),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(**{self.parameter_name: request.user})
        if value == "none":
            return queryset.filter(**{self.parameter_name: None})
        if value:
            assignee = queryset.model._meta.get_field(self.parameter_name)
            if not is_key(assignee, value):
                return queryset.none()
            return queryset.filter(**{f"{self.parameter_name}_id": assignee.to_python(value)})
        return queryset


class RevertGuardedHistoryAdmin(RequestCheckedAdminMixin, SimpleHistoryAdmin):
    """History for staff who may view; reverting only for those who may change.

    django-simple-history saves a POST to a past version for anyone who may view the
    object, even when it hides the Revert button from them. Its URLs take any text for the
    row's and the version's keys and look them up as given; a key that is no key of the
    model's is a 404 here, as the admin's own pages answer it."""

    def history_view(self, request, object_id, extra_context=None):
        if not is_key(self.opts.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        versions = getattr(self.model, self.opts.simple_history_manager_attribute).model
        if not (
            is_key(self.opts.pk, object_id)
            and is_key(versions._meta.get_field("history_id"), version_id)
        ):
            raise Http404
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
class CityAdmin(PortalModelAdmin):
    form = CityForm
    list_display = ("name", "time_zone", "website")

    def has_add_permission(self, request) -> bool:
        return not City.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(PortalModelAdmin):
    list_display = ("name", "phone", "email", "order", "in_footer")
    list_editable = ("order", "in_footer")
    search_fields = ("name", "handles")


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    extra = 0
    prepopulated_fields = {"slug": ("question",)}


@admin.register(FaqCategory)
class FaqCategoryAdmin(PortalModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FaqEntryInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(PortalModelAdmin):
    list_display = ("question", "category", "order", "is_published")
    list_editable = ("order", "is_published")
    list_filter = ("category", "is_published")
    list_select_related = ("category",)
    search_fields = ("question", "answer")
    prepopulated_fields = {"slug": ("question",)}


@admin.register(PendingTask)
class PendingTaskAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """What the broker has not taken yet: empty but for a broker outage, which beat's
    flush catches up on within a minute of the broker's return. The keyword arguments
    are not shown: an email's carry its whole text, a password-reset link included. A
    superuser may delete a task that can never run (one a release removed)."""

    list_display = ("task_name", "created_at", "attempts", "last_error")
    list_filter = ("task_name",)
    fields = ("task_name", "args", "created_at", "attempts", "last_error")
    actions = ("send_now",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

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
