"""Numbers people quote (RERF2026-0001, BL2026-00001), from counter rows."""

from django.db import models, transaction


@transaction.atomic
def counter_next(counter_model: type[models.Model], **key) -> int:
    """The next value of the counter row `key` names, never given twice: the row stays
    locked until the caller's transaction commits, so concurrent callers queue on it.
    The model has a `last_value` field and a unique constraint over the key's fields."""
    # Creating the row can itself race; ignore_conflicts lets the loser use the winner's.
    counter_model.objects.bulk_create([counter_model(**key)], ignore_conflicts=True)
    counter = counter_model.objects.select_for_update().get(**key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value
