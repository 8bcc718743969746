"""Every phone field is a telephone input, so a phone shows its number pad."""

import re

import pytest

from accounts.forms import contact_form_fields
from inspections.forms import BookingForm
from licensing.forms import LicenseLocationForm


@pytest.mark.parametrize(
    "field",
    [
        contact_form_fields()["phone"],
        BookingForm.base_fields["contact_phone"],
        LicenseLocationForm.base_fields["phone"],
    ],
    ids=["account", "inspection booking", "business license"],
)
def test_a_phone_field_is_one_input_of_type_tel(field):
    html = field.widget.render("phone", "")

    # Browsers keep the first of two type attributes: "text" would hide the number pad.
    assert re.findall(r'\btype="([^"]*)"', html) == ["tel"]
    assert 'autocomplete="tel"' in html


def test_the_sign_up_page_asks_for_the_phone_with_a_number_pad(client, db):
    page = client.get("/accounts/signup/public/").content.decode()

    (phone,) = re.findall(r'<input[^>]*name="phone"[^>]*>', page)
    assert re.findall(r'\btype="([^"]*)"', phone) == ["tel"]
    assert 'maxlength="30"' in phone
