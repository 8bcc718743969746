"""The city itself as data: its name and logo, its departments, and its FAQ; and the
Celery tasks changes have asked for that the broker has not taken yet."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_time_zone() -> str:
    # A callable, so the server's TIME_ZONE is read when a city is created and never
    # frozen into a migration.
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as America/Los_Angeles."),
            params={"value": value},
        )


class Application(models.Model):
    """What every application the city reviews (a permit, a business license) keeps of
    its course: the wizard step its draft was last saved at, and when it was started,
    last saved and submitted."""

    draft_step = models.CharField(max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        abstract = True


class SingleRowSettings(models.Model):
    """Settings kept in one row, id 1, which the app's data migration makes with the
    defaults. Reading them never writes: a page or an email reads while it answers, and
    a read that made the row would turn every read into a possible write. Should the row
    have been deleted (the admin never deletes it), the defaults are read, unsaved, until
    staff save the settings again in the admin."""

    SINGLETON_ID = 1

    class Meta:
        abstract = True

    @classmethod
    def current(cls, *related: str) -> "SingleRowSettings":
        row = cls.objects.select_related(*related).filter(pk=cls.SINGLETON_ID).first()
        return row or cls(pk=cls.SINGLETON_ID)


class City(models.Model):
    """The one city this installation serves (a single row, id 1)."""

    SINGLETON_ID = 1

    name = models.CharField(
        _("name"), max_length=120, help_text=_("As residents know it, e.g. City of Springfield.")
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="city/",
        blank=True,
        help_text=_("Shown beside the city's name in the header: PNG or JPEG, about 96 px tall."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Dates and times, business days and cut-offs are in this zone."),
    )
    website = models.URLField(_("city website"), blank=True)
    address = models.TextField(_("city hall address"), blank=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("city")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="city_is_a_single_row"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department people can contact, listed in the footer and on the help page."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    handles = models.TextField(
        _("what it handles"),
        help_text=_("One sentence residents read to know whom to call, e.g. building permits."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    in_footer = models.BooleanField(
        _("show in the page footer"),
        default=True,
        help_text=_("Every department is listed on the help page; the footer lists these."),
    )

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("department contact")
        verbose_name_plural = _("department contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_uri(self) -> str:
        return "tel:+1" + "".join(c for c in self.phone if c.isdigit())[-10:]


# Ids the help page and the layout use themselves; an FAQ anchor must not take one.
RESERVED_HELP_ANCHORS = frozenset({"main", "contacts", "help-contents", "page-title"})


def validate_help_anchor(value: str) -> None:
    if value in RESERVED_HELP_ANCHORS:
        raise ValidationError(
            _("“%(value)s” is used by the help page itself; choose another anchor."),
            params={"value": value},
        )


class HelpAnchorMixin:
    """Categories and answers share the help page's anchors, so a slug is unique across both."""

    def clean(self) -> None:
        super().clean()
        for model in (FaqCategory, FaqEntry):
            others = model.objects.filter(slug=self.slug)
            if model is type(self):
                others = others.exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"slug": _("Another FAQ category or answer already uses this anchor.")}
                )


class FaqCategory(HelpAnchorMixin, models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(
        _("anchor"), max_length=80, unique=True, validators=[validate_help_anchor]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")

    def __str__(self) -> str:
        return self.name


class FaqEntry(HelpAnchorMixin, models.Model):
    category = models.ForeignKey(
        FaqCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category")
    )
    question = models.CharField(_("question"), max_length=255)
    answer = models.TextField(
        _("answer"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    slug = models.SlugField(
        _("anchor"),
        max_length=80,
        unique=True,
        validators=[validate_help_anchor],
        help_text=_("Links to this answer are /help/# followed by the anchor."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ("category__order", "order", "question")
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question


class PendingTask(models.Model):
    """A Celery task a change asked for, written in the change's own transaction and
    deleted once the broker has taken it (portal/outbox.py): a broker that cannot be
    reached when the change commits delays the work, never loses it."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("failed attempts to send"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")
        indexes = [
            models.Index(fields=["created_at", "id"], name="pending_task_oldest_first"),
            models.Index(fields=["attempts", "created_at", "id"], name="pending_task_flush_order"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.created_at:%Y-%m-%d %H:%M})"
