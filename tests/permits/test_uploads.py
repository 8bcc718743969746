"""Documents are judged by their bytes: type, completeness and size."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from permits.uploads import UploadRejected, upload_content_type
from tests.permits.support import PDF_BYTES, pdf_upload, png_upload


def jpeg_upload(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (pdf_upload(), "application/pdf"),
        (png_upload(), "image/png"),
        (jpeg_upload(), "image/jpeg"),
        # The name does not matter, only the content: a PNG called .pdf is a PNG.
        (png_upload("scan.pdf"), "image/png"),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_by_content(settings, upload, content_type):
    settings.PERMIT_DOCUMENT_MAX_MB = 10
    assert upload_content_type(upload) == content_type
    assert upload.tell() == 0  # ready to be saved from the start


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200),  # a Windows program
        SimpleUploadedFile("notes.pdf", b"just some text"),
        SimpleUploadedFile("cut.pdf", PDF_BYTES[:60]),  # a PDF cut short
        SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
        SimpleUploadedFile("empty.pdf", b""),
    ],
    ids=["exe", "text", "truncated-pdf", "broken-png", "empty"],
)
def test_anything_else_is_refused_with_its_name(settings, upload):
    settings.PERMIT_DOCUMENT_MAX_MB = 10
    with pytest.raises(UploadRejected, match=upload.name.replace(".", r"\.")):
        upload_content_type(upload)


def png_claiming(width: int, height: int) -> SimpleUploadedFile:
    """A PNG header that claims a size far beyond its few bytes: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return SimpleUploadedFile("huge.png", b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00" * 40)


def test_an_image_claiming_billions_of_pixels_is_refused(settings):
    settings.PERMIT_DOCUMENT_MAX_MB = 10
    with pytest.raises(UploadRejected, match=r"huge\.png"):
        upload_content_type(png_claiming(60_000, 60_000))


def test_a_file_over_the_limit_is_refused_before_it_is_read(settings):
    settings.PERMIT_DOCUMENT_MAX_MB = 1
    big = pdf_upload(content=PDF_BYTES + b"0" * (1024 * 1024))
    with pytest.raises(UploadRejected, match=r"at most 1\.0"):
        upload_content_type(big)
