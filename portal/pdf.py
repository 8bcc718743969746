"""PDFs the portal hands out: tagged and accessible (PDF/UA-1), made by WeasyPrint from a
template, which is imported only when a PDF is made."""

import base64
import io
import logging
import os

import segno
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from portal.links import absolute_url
from portal.models import City

logger = logging.getLogger(__name__)

LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}

# Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps each
# subset with the current second unless this reproducible-builds variable fixes it; the
# same permit must render to the same bytes whenever it is rendered.
FONT_TIMESTAMP_EPOCH = "0"


def pdf_from_html(html: str, *, identifier: str) -> bytes:
    """Everything a document shows is inlined as data: URIs; nothing is fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_TIMESTAMP_EPOCH)
    return HTML(
        string=html,
        base_url=absolute_url("/"),
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    ).write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=identifier.encode(),
        finisher=_table_header_scopes,
    )


def _table_header_scopes(document, pdf) -> None:
    """Give each table header cell the /Scope its <th scope> asks for: /Row for "row",
    /Column otherwise, as WeasyPrint ties the data cells to it in their /Headers. A
    screen reader moving through a fee table by row and column reads /Scope, which
    WeasyPrint (up to 70 at least, its issue #2508) does not write. The tagged cell is
    reachable only through the layout: WeasyPrint keeps it on the cell's box as `mark`."""
    for page in document.pages:
        for box in page._page_box.descendants():
            cell = getattr(box, "mark", None)
            if cell is not None and box.element_tag == "th":
                scope = "/Row" if box.element.get("scope") == "row" else "/Column"
                cell["A"]["Scope"] = scope


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def logo_data_uri(city: City) -> str:
    """The city's logo inlined, so rendering fetches nothing; empty when the file is
    missing or not an image, and the document prints without it."""
    if not city.logo:
        return ""
    try:
        with city.logo.open("rb") as logo:
            content = logo.read()
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            mime_type = LOGO_TYPES.get(image.format or "")
    except (OSError, ValueError, UnidentifiedImageError):
        logger.warning("The city logo %s cannot be read; the document prints without it", city.logo)
        return ""
    if mime_type is None:
        return ""
    return f"data:{mime_type};base64," + base64.b64encode(content).decode()


def pdf_store(file: FieldFile, filename: str, pdf: bytes) -> None:
    """Keep `pdf` as the row's file under `filename`, replacing the row's earlier file, so
    rendering again leaves one file; the row is saved with the new name."""
    name = file.field.generate_filename(file.instance, filename)
    if file and file.name != name:
        file.delete(save=False)
    # A run that died between writing the file and saving the row left it behind.
    file.storage.delete(name)
    file.save(name.rsplit("/", 1)[-1], ContentFile(pdf), save=False)
    file.instance.save(update_fields=[file.field.name])
