"""What the project's forms share."""

from django.http import HttpRequest, QueryDict


def form_data(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (no file chosen, no box ticked), so the
    form is bound and says what is missing; None on a GET, so the form starts unbound."""
    return request.POST if request.method == "POST" else None
