"""Phone numbers as people type them are written one way, 310-544-5280; anything that
is not a North American number with its area code is refused with one message."""

import pytest
from django.core.exceptions import ValidationError

from portal.phones import phone_normalize

MESSAGE = "Enter a 10-digit phone number with its area code, such as 310-544-5280."


@pytest.mark.parametrize(
    "typed",
    [
        "(310) 544-5280",
        "310.544.5280",
        "+1 310 544 5280",
        "3105445280",
        "1-310-544-5280",
        "  310 544 5280  ",
    ],
)
def test_the_usual_spellings_are_written_one_way(typed):
    assert phone_normalize(typed) == "310-544-5280"


@pytest.mark.parametrize(
    "typed",
    [
        "555-12",
        "abc",
        "",
        "011 44 20 7946 0958",
        "310-544-52801",
        "(110) 544-5280",
        "(310) 144-5280",
        "2-310-544-5280",
        "310-544-5280 ext 12",
        "310/544/5280",
    ],
)
def test_anything_else_is_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as refused:
        phone_normalize(typed)
    assert refused.value.messages == [MESSAGE]
    assert refused.value.code == "phone"
