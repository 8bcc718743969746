"""What anyone may read without an account: the permit search and a permit's public page."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from permits import selectors
from permits.forms import PermitSearchForm
from permits.registry import public_page_sections
from portal.shortcuts import found_or_404

RESULTS_PER_PAGE = 25


@require_GET
def permit_search(request):
    """A GET form, so a search can be bookmarked and works without JavaScript. A permit
    number that matches exactly is shown as the single result, not redirected to, so the
    visitor sees what was found and keeps the search form."""
    form = PermitSearchForm(request.GET or None)
    results = page_range = None
    if form.is_valid():
        search = form.search()
        if not search.is_empty:
            paginator = Paginator(selectors.permit_search(search), RESULTS_PER_PAGE)
            results = paginator.get_page(request.GET.get("page"))
            page_range = paginator.get_elided_page_range(results.number, on_each_side=1)
    return render(
        request,
        "permits/search.html",
        {"form": form, "results": results, "page_range": page_range},
    )


@require_GET
def permit_public(request, number: str):
    permit = found_or_404(selectors.permit_public(number))
    if number != permit.number:
        return redirect("permits:public", number=permit.number, permanent=True)
    user = request.user
    return render(
        request,
        "permits/public.html",
        {
            "permit": permit,
            "sections": public_page_sections.shown(permit, user),
            "is_own": user.is_authenticated
            and user.pk in (permit.applicant_id, permit.contractor_id),
        },
    )
