"""PDFs the portal hands out: tagged and accessible (PDF/UA-1), made by WeasyPrint from a
template, which is imported only when a PDF is made."""

import os

from portal.links import absolute_url

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
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode())
