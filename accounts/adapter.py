from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from accounts import services
from portal.email import email_send
from portal.links import own_site_path


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with the portal's mail templates and delivery through Celery."""

    def is_safe_url(self, url: str) -> bool:
        """Only a path on this site: allauth would follow a bare word ("NaN") to a 404."""
        return bool(url) and own_site_path(allauth_context.request, url) == url

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth names its mails "account/email/<name>"; ours live in templates/email/.
        own_prefix = "email/" + template_prefix.rsplit("/", 1)[-1]
        try:
            get_template(f"{own_prefix}_subject.txt")
        except TemplateDoesNotExist:
            own_prefix = template_prefix
        email_send(
            template_prefix=own_prefix,
            to=[email],
            context={"request": self.request, "email": email, **context},
        )

    def save_user(self, request, user, form, commit: bool = True):
        """allauth fills username, email, names and password; the service does the rest."""
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        return services.user_register(
            user=user,
            account_type=form.account_type,
            contact=form.contact_details(),
            security_question=form.cleaned_data["security_question"],
            security_answer=form.cleaned_data["security_answer"],
            contractor=form.contractor_details(),
        )

    def set_password(self, user, password: str) -> None:
        """Reset links and password changes: a password the person chose ends any
        temporary one."""
        services.user_password_set(user=user, password=password)
