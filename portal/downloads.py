"""Files the portal hands one person or its staff: permit documents and PDFs, license
certificates."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control


def private_download(file: FieldFile, filename: str, content_type: str) -> FileResponse:
    """The file as a download, never rendered by the browser nor kept in a cache; a file
    gone from storage is a 404."""
    try:
        handle = file.storage.open(file.name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


def pdf_download(file: FieldFile, number: str) -> FileResponse:
    """A PDF the portal made (a permit, a license certificate), named after the number it
    is for; a 404 while none is made."""
    if not file:
        raise Http404
    return private_download(file, f"{number}.pdf", "application/pdf")
