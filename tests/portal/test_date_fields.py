"""Date and time fields are the browser's pickers, holding only what HTML allows them."""

import datetime
import re

import pytest

from portal.forms import DateInput, TimeInput


def test_a_date_field_is_a_date_input_holding_the_date_as_html_writes_it():
    html = DateInput().render("day", datetime.date(2026, 11, 17))

    assert re.findall(r'\btype="([^"]*)"', html) == ["date"]
    assert 'value="2026-11-17"' in html


@pytest.mark.parametrize("typed", ["2026-11-17", "2024-02-29"])
def test_a_date_sent_back_as_text_is_shown_again(typed):
    assert f'value="{typed}"' in DateInput().render("day", typed)


@pytest.mark.parametrize(
    "typed", ["not-a-date", "2026-02-30", "11/17/2026", "20261117", "2026-W47-2", " 2026-11-17"]
)
def test_text_that_is_no_date_leaves_the_field_empty(typed):
    assert "value=" not in DateInput().render("day", typed)


def test_the_permit_search_says_a_date_is_wrong_beside_an_empty_date_field(client, db):
    page = client.get("/permits/search/", {"q": "Hawthorne", "issued_from": "not-a-date"})

    html = page.content.decode()
    (field,) = re.findall(r'<input[^>]*name="issued_from"[^>]*>', html)
    assert "value=" not in field and 'aria-invalid="true"' in field
    assert "Enter a valid date." in html


def test_a_time_field_is_a_time_input_holding_the_time_as_html_writes_it():
    html = TimeInput().render("at", datetime.time(14, 30))

    assert re.findall(r'\btype="([^"]*)"', html) == ["time"]
    assert 'value="14:30"' in html


@pytest.mark.parametrize("typed", ["14:30", "09:05:59", "23:59:59.5"])
def test_a_time_sent_back_as_text_is_shown_again(typed):
    assert f'value="{typed}"' in TimeInput().render("at", typed)


@pytest.mark.parametrize("typed", ["2pm", "25:00", "14:61", "1430", " 14:30", "14:30:00.1234"])
def test_text_that_is_no_time_leaves_the_field_empty(typed):
    assert "value=" not in TimeInput().render("at", typed)
