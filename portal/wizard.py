"""An application a person fills in over several pages, one step a page, each saving the
draft: permits and business licenses each configure a `Wizard`. Which steps an
application has is its app's rule (a selector); the wizard only walks the steps it is given,
and each app's forms, services and messages stay its own."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.contrib import messages
from django.db.models import Model
from django.forms import BaseFormSet, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

# The name of the button that saves a step and leaves the application for later.
SAVE_LATER = "save_later"
# Where a person who leaves an application for later finds their drafts again.
DRAFTS_PAGE = "accounts:dashboard"


class MissingItem(Protocol):
    label: str
    step: str


@dataclass(frozen=True, kw_only=True)
class Wizard:
    # Every step an application may have, in order; one application may skip some.
    steps: Sequence[str]
    titles: Mapping[str, str]
    # A step's page, reversed with the draft's pk and the step's name.
    url_name: str
    # Holds one template a step, named after the step.
    template_dir: str
    # What the step templates call the draft.
    draft_name: str
    # The draft's field that names the last step it saved, or is empty.
    saved_step_field: str
    save_later_label: str
    # Where "Back" leads from the first step, and what it is called; the draft is None on
    # a first step that comes before there is one.
    before_first_step: Callable[[Model | None], tuple[str, str]]
    # What a person reads once a step is saved for later.
    save_later_message: Callable[[Model], str]
    # What the app's services raise when they refuse to save a step.
    refused: type[Exception]

    def step_url(self, draft: Model, step: str) -> str:
        return reverse(self.url_name, args=[draft.pk, step])

    def step_after(self, steps: Sequence[str], step: str) -> str:
        """The first of `steps` after `step` in the wizard's order; `step` may be one this
        application skips, or empty for a draft that has saved nothing yet."""
        position = self.steps.index(step) if step in self.steps else -1
        return next((later for later in steps if self.steps.index(later) > position), steps[-1])

    def url_after(self, draft: Model, steps: Sequence[str], step: str) -> str:
        return self.step_url(draft, self.step_after(steps, step))

    def resume_url(self, draft: Model, steps: Sequence[str]) -> str:
        """Where a draft opens again: the step after the last one it saved."""
        return self.url_after(draft, steps, getattr(draft, self.saved_step_field))

    def step_urls(self, draft: Model, steps: Sequence[str]) -> dict[str, str]:
        return {step: self.step_url(draft, step) for step in steps}

    def missing_links(self, draft: Model, missing: Iterable[MissingItem]) -> list[dict]:
        """What the review step lists as still missing, each with the step to add it in."""
        return [
            {
                "label": item.label,
                "url": self.step_url(draft, item.step),
                "step": self.titles[item.step],
            }
            for item in missing
        ]

    def step_context(self, draft: Model | None, step: str, steps: Sequence[str]) -> dict:
        """What every step's page shows around its form: the draft, the progress list, the
        step's number and title, and the way back."""
        position = steps.index(step)
        progress = [
            {
                "title": self.titles[item],
                "number": number,
                "current": item == step,
                "url": self.step_url(draft, item) if draft is not None and item != step else "",
            }
            for number, item in enumerate(steps, start=1)
        ]
        if position == 0:
            back_url, back_title = self.before_first_step(draft)
        else:
            back_url = self.step_url(draft, steps[position - 1])
            back_title = self.titles[steps[position - 1]]
        return {
            self.draft_name: draft,
            "step": step,
            "steps": progress,
            "step_number": position + 1,
            "step_count": len(steps),
            "step_title": self.titles[step],
            "back_url": back_url,
            "back_title": back_title,
            "save_later": SAVE_LATER,
            "save_later_label": self.save_later_label,
        }

    def render_step(
        self,
        request: HttpRequest,
        draft: Model | None,
        step: str,
        steps: Sequence[str],
        **context,
    ) -> HttpResponse:
        context.update(self.step_context(draft, step, steps))
        return render(request, f"{self.template_dir}/{step}.html", context)

    def saved(
        self, request: HttpRequest, draft: Model, steps: Sequence[str], step: str
    ) -> HttpResponse:
        """Where a step goes once its form is saved: on to the next step, or to the
        person's drafts when they chose to finish later."""
        if SAVE_LATER in request.POST:
            messages.success(request, self.save_later_message(draft))
            return redirect(DRAFTS_PAGE)
        return redirect(self.url_after(draft, steps, step))

    def step_save(
        self,
        request: HttpRequest,
        draft: Model,
        steps: Sequence[str],
        step: str,
        save: Callable[[], object],
        form: Form,
        *other_forms: Form | BaseFormSet,
    ) -> HttpResponse | None:
        """Once the step's form and `other_forms` are sent and valid, `save` them and go on
        (`saved`); None when the step is to be shown again, with what the service refused
        as the form's error."""
        if request.method == "POST" and all(each.is_valid() for each in (form, *other_forms)):
            try:
                save()
            except self.refused as error:
                form.add_error(None, str(error))
            else:
                return self.saved(request, draft, steps, step)
        return None
