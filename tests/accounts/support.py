STRONG_PASSWORD = "Sunset-Harbor-42"


def field_errors(response, field: str) -> list[str]:
    """The messages shown beside one field of the form on the page."""
    return [str(error) for error in response.context["form"].errors.get(field, [])]
