import logging
from pathlib import Path

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.views.static import serve

from portal.registry import home_page_sections
from portal.selectors import city_profile, faq_categories_with_entries

logger = logging.getLogger(__name__)


def minimal_server_error() -> str:
    """An error page that needs no template, database or cache."""
    title = escape(gettext("Something went wrong"))
    explanation = escape(
        gettext("The portal could not finish your request. Please try again in a few minutes.")
    )
    return (
        f"<!doctype html><html lang='{escape(get_language() or 'en')}'><head>"
        "<meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{explanation}</p></main></body></html>"
    )


def home(request):
    return render(request, "portal/home.html", {"sections": home_page_sections.shown()})


def help_page(request):
    return render(
        request,
        "portal/help.html",
        {
            "faq_categories": faq_categories_with_entries(),
            "departments": city_profile().departments,
        },
    )


def city_media(request, path: str):
    """The city's public images, such as its logo.

    Applicants' uploads never live under city/; views that check permissions serve them.
    """
    return serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "city")


def server_error(request):
    """The styled 500 page, or a bare one when the styled page itself cannot render."""
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:
        logger.exception("The styled error page failed to render")
        body = minimal_server_error()
    return HttpResponseServerError(body)
