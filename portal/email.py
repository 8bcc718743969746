"""Mail from templates in `templates/email/`, delivered by a Celery task after commit.

Every message has a text part and, when `<prefix>_message.html` exists, an HTML part.
Rendering happens in the request, where the context objects live; the task only gets
strings, so a retry sends exactly the message the request rendered, under the
Message-ID the request gave it (which is how the task knows it sent it already).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import DNS_NAME, EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from portal.selectors import city_profile


@dataclass(frozen=True)
class EmailAttachment:
    """A small text file sent with a message, such as a calendar invitation."""

    filename: str
    content: str
    mimetype: str


def email_render(*, template_prefix: str, to: list[str], context: dict) -> EmailMultiAlternatives:
    context = {"city": city_profile().city, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_message.txt", context).strip()
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    try:
        html = render_to_string(f"{template_prefix}_message.html", context).strip()
    except TemplateDoesNotExist:
        pass
    else:
        message.attach_alternative(html, "text/html")
    return message


def email_send(
    *,
    template_prefix: str,
    to: list[str],
    context: dict,
    attachments: tuple[EmailAttachment, ...] = (),
) -> None:
    """Render now and hand the message to the mail task once the transaction commits."""
    from portal.tasks import email_deliver

    message = email_render(template_prefix=template_prefix, to=to, context=context)
    html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    email_deliver.delay_on_commit(
        subject=message.subject,
        body=message.body,
        html=html,
        from_email=message.from_email,
        to=list(message.to),
        message_id=make_msgid(domain=DNS_NAME),
        attachments=[
            [attachment.filename, attachment.content, attachment.mimetype]
            for attachment in attachments
        ],
    )
