"""Applicants' documents are checked by what the bytes are, never by the file's name."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
SIGNATURES = ((PDF, b"%PDF-"), (JPEG, b"\xff\xd8\xff"), (PNG, b"\x89PNG\r\n\x1a\n"))
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class UploadRejected(Exception):
    """A file we will not keep, with a message a person can read."""


def upload_max_bytes() -> int:
    return settings.PERMIT_DOCUMENT_MAX_MB * 1024 * 1024


def upload_content_type(upload: UploadedFile) -> str:
    """The file's real type, or UploadRejected with why it cannot be used."""
    if upload.size > upload_max_bytes():
        raise UploadRejected(
            _("%(name)s is %(size)s; files may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(upload_max_bytes()),
            }
        )
    if upload.size == 0:
        raise UploadRejected(_("%(name)s is empty.") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(16)
    content_type = next((kind for kind, magic in SIGNATURES if head.startswith(magic)), None)
    not_usable = _(
        "%(name)s is not a PDF, JPEG or PNG file. Save or scan the document as one of "
        "those and upload it again."
    ) % {"name": upload.name}
    if content_type is None:
        raise UploadRejected(not_usable)
    if content_type == PDF:
        upload.seek(max(upload.size - 2048, 0))
        if b"%%EOF" not in upload.read():
            raise UploadRejected(not_usable)
    else:
        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
        ):
            raise UploadRejected(not_usable) from None
    upload.seek(0)
    return content_type
