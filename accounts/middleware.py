from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class AccountSetupRequiredMiddleware:
    """Until an imported account or a temporary password is replaced, and a security
    question chosen, the setup page is the only page that opens (besides logging out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.needs_account_setup:
            setup_url = reverse("accounts:setup")
            open_paths = (
                setup_url,
                reverse("account_logout"),
                "/" + settings.STATIC_URL,
                "/" + settings.MEDIA_URL,
            )
            if not request.path.startswith(open_paths):
                return redirect(setup_url)
        return self.get_response(request)
