"""The review of an application in the admin, written once for every kind the city
reviews (permits, business licenses); the workflow itself, its statuses, services and
messages, stays the app's.

An application's admin subclasses `ApplicationReviewAdmin` and configures it: its steps
(`review_steps`, `ReviewStep`s by slug: a button, the statuses it is offered in, the
service it runs, what staff are told once it ran), the error its services raise
(`action_error`), where the applicant reads a step's message (`review_message_help`), the
template of its action pages and the rows they read (`action_page_template`,
`action_related`), what else its page shows (`review_page_context`), and what its bulk
actions tell staff (`review_started_message`, `approved_message`). The steps both
workflows have, with the same words, are made by `start_review_step`, `approve_step` and
`deny_step`. In return it has a page for each step at `<id>/review/<step>/` (named
`<app>_<model>_review`), the buttons of the steps offered on the application's page
(admin/review_change_form.html), the bulk actions that start the review of and approve
each selected application through the same steps, the right to review they ask for, and
the helpers of `ActionPageAdminMixin` for its other buttons' pages. Taking the fees at
the counter is `payments.admin`'s `CounterPaymentAdminMixin`, on the same helpers: portal
knows no bills."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from portal.admin import (
    ActionPageAdminMixin,
    BulkChangeAdminMixin,
    ReadOnlyAdminMixin,
    RevertGuardedHistoryAdmin,
)
from portal.forms import form_data


@dataclass(frozen=True)
class ReviewStep:
    """A button on an application's page that moves it on through a service."""

    slug: str
    title: str
    button: str
    # The statuses it is offered in; the service decides what is allowed.
    offered_in: tuple[str, ...]
    # Called with the application, the reviewer and the message (empty if none is asked).
    run: Callable[[Model, AbstractBaseUser, str], Model]
    done: str
    # None: no message asked; otherwise whether the message is required.
    message_required: bool | None = None
    message_label: str = ""
    # Where the applicant reads the message, when not where the admin's other steps say.
    message_help: str = ""


def start_review_step(*, offered_in: tuple[str, ...], run: Callable) -> ReviewStep:
    """Taking an application for review: whoever presses the button is its reviewer."""
    return ReviewStep(
        slug="start-review",
        title=_("Start the review"),
        button=_("Start review"),
        offered_in=offered_in,
        run=run,
        done=_("The review has started; you are its reviewer."),
    )


def approve_step(*, offered_in: tuple[str, ...], run: Callable, **message) -> ReviewStep:
    """Approving an application, which bills its fees; `message` configures a message
    to the applicant, if the workflow asks one."""
    return ReviewStep(
        slug="approve",
        title=_("Approve"),
        button=_("Approve"),
        offered_in=offered_in,
        run=run,
        done=_("Approved; the fees are now due and the applicant has been emailed."),
        **message,
    )


def deny_step(*, offered_in: tuple[str, ...], run: Callable) -> ReviewStep:
    """Denying an application, for a reason the applicant is sent."""
    return ReviewStep(
        slug="deny",
        title=_("Deny"),
        button=_("Deny"),
        offered_in=offered_in,
        run=run,
        done=_("Denied; the applicant has been emailed the reason."),
        message_required=True,
        message_label=_("Reason for the denial"),
    )


class ReviewMessageForm(forms.Form):
    """The message a step sends the applicant."""

    message = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 6, "cols": 60}))

    def __init__(self, *args, required: bool, label: str, help_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["message"]
        field.required = required
        field.label = label
        field.help_text = help_text


class ConfirmForm(forms.Form):
    """Nothing to fill in: the confirmation is the button."""


class ApplicationReviewAdmin(
    ActionPageAdminMixin, BulkChangeAdminMixin, ReadOnlyAdminMixin, RevertGuardedHistoryAdmin
):
    """The admin of applications under review: rows that only their services change, kept
    with their history, moved on one by one through review steps or in bulk by actions
    (whose `permissions=["review"]` is the right to review); see the module's docstring."""

    change_form_template = "admin/review_change_form.html"
    # The workflow's steps by slug.
    review_steps: dict[str, ReviewStep]
    # Where the applicant reads a step's message.
    review_message_help: str
    # The start-review and approve steps, run on each application selected in the list.
    actions = ("start_review", "approve")
    # What those tell staff once they moved applications on: plurals of the `count`
    # moved, `ngettext_lazy(singular, plural, "count")`.
    review_started_message: str
    approved_message: str

    def has_review_permission(self, request) -> bool:
        # The right to change an application, which its admin's own form never uses.
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def review_page_context(self, request, application) -> dict:
        """What the application's page shows beside the buttons of its review steps."""
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        if application is not None:
            extra_context = {
                "review_steps": self._steps_offered(request, application),
                **self.review_page_context(request, application),
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def queue_label(self, application) -> str:
        """How a bulk action names an application it could not move on."""
        return str(application)

    @admin.action(description=_("Start review (I am the reviewer)"), permissions=["review"])
    def start_review(self, request, queryset):
        self._review_step_each(request, queryset, "start-review", self.review_started_message)

    @admin.action(description=_("Approve (the fees become due)"), permissions=["review"])
    def approve(self, request, queryset):
        self._review_step_each(request, queryset, "approve", self.approved_message)

    def _review_step_each(self, request, queryset, slug: str, done: str) -> None:
        step = self.review_steps[slug]
        self.apply_each(
            request,
            queryset,
            lambda application: step.run(application, request.user, ""),
            lambda count: done % {"count": count},
            refused=self.action_error,
            label=self.queue_label,
        )

    def _steps_offered(self, request, application) -> list[ReviewStep]:
        if not self.has_review_permission(request):
            return []
        return [
            step for step in self.review_steps.values() if application.status in step.offered_in
        ]

    def get_urls(self):
        return [
            self.admin_path("<int:object_id>/review/<slug:step>/", self.review_view, "review"),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id: int, step: str):
        review_step = self.review_steps.get(step)
        if review_step is None:
            raise Http404
        if not self.has_review_permission(request):
            raise PermissionDenied
        application = self.action_object(object_id)
        data = form_data(request)
        if review_step.message_required is None:
            form = ConfirmForm(data)
        else:
            form = ReviewMessageForm(
                data,
                required=review_step.message_required,
                label=review_step.message_label,
                help_text=review_step.message_help or self.review_message_help,
            )
        if data is not None and form.is_valid():
            try:
                review_step.run(application, request.user, form.cleaned_data.get("message", ""))
            except self.action_error as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, review_step.done, messages.SUCCESS)
            return self.back_to(application)
        return self.action_page(request, application, review_step.title, form, review_step.button)
