"""Questions about a model's status that pages and code ask by name (DESIGN.md: a template
asks `permit.is_issued`, never compares a status string)."""


class status_is:
    """A read-only attribute: whether the instance's status is one of `statuses`.
    `is_issued = status_is(Status.ISSUED)` in a model's body makes `permit.is_issued`."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = frozenset(statuses)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.status in self.statuses
