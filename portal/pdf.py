"""PDFs the portal hands out: tagged and accessible (PDF/UA-1), made by WeasyPrint from a
template, which is imported only when a PDF is made."""

from portal.links import absolute_url


def pdf_from_html(html: str, *, identifier: str) -> bytes:
    """Everything a document shows is inlined as data: URIs; nothing is fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(
        string=html,
        base_url=absolute_url("/"),
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode())
