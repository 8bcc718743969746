"""Keep the cached city profile in step with the admin's edits."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.models import City, Department
from portal.selectors import city_profile_forget


@receiver([post_save, post_delete], sender=City)
@receiver([post_save, post_delete], sender=Department)
def forget_city_profile(**kwargs) -> None:
    city_profile_forget()
