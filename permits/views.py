"""Entry points for permits. Applications and the permit records themselves arrive with
the permits module (issue 4); until then these pages say so and point to the counter."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.selectors import account_blockers
from permits.forms import PermitSearchForm
from permits.selectors import online_permit_categories


def permit_search(request):
    form = PermitSearchForm(request.GET or None)
    return render(
        request,
        "permits/search.html",
        {"form": form, "query": form.cleaned_data["q"] if form.is_valid() else ""},
    )


@login_required
def permit_apply(request):
    return render(
        request,
        "permits/apply.html",
        {
            "permit_categories": online_permit_categories(),
            "blockers": account_blockers(request.user),
        },
    )
