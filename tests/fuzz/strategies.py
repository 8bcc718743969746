"""Hypothesis strategies for what a person (or a script) may send: values that look right
mixed with odd ones, fields missing or given twice, files of every wrong kind, and query
strings with the parameters the views read."""

import csv
import io
from dataclasses import dataclass

from hypothesis import strategies as st

from accounts.importing import COLUMNS as IMPORT_COLUMNS
from accounts.importing import REQUIRED_COLUMNS as REQUIRED_IMPORT_COLUMNS
from tests.fuzz.site import Field, Form, matches
from tests.permits.support import PDF_BYTES

# Odd unicode that a browser can send (lone surrogates cannot be encoded, so none here).
ODD_UNICODE = [
    "\u202eRTL override",
    "a\u200db\u200cc",  # zero-width joiner and non-joiner
    "\ufeffBOM",
    "👩\u200d👩\u200d👧 🏠",
    "e\u0301\u0301\u0301",  # combining accents
    "Z̸̢̛͖̈́a̴͚̓l̷̡̛g̵o̶",
    "\U0001d54f\U0001d550\u2124",  # double-struck letters
    "\uff11\uff12\uff13",  # full-width digits, which int() accepts
    "٣٤٥",  # Arabic-Indic digits
    "²³",
    "ß" * 20,
    "İstanbul",
    "\u2028line\u2029paragraph",
    "\x7f\x1b[31m",
    "\t\r\n",
]
SQLISH = [
    "' OR 1=1--",
    '"; DROP TABLE permits_permit; --',
    "1; SELECT pg_sleep(0)",
    "%",
    "_",
    "\\",
    "%' AND '%'='",
    "') OR ('1'='1",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${7*7}",
    "%(name)s %s %d",
    "../../../../etc/passwd",
]
NUMBERISH = [
    "-1",
    "0",
    "-0",
    "1",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "-99999999999999999999",
    "1e309",
    "-1e309",
    "1e-400",
    "1e5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "0.001",
    "1.5",
    "12.345",
    "1,000",
    "1_000",
    "0x10",
    " 5 ",
    "+7",
    "9" * 40 + ".99",
    "0." + "0" * 40 + "1",
]
DATEISH = [
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "1900-01-01",
    "10000-01-01",
    "2026-11-17",
    "12/31/9999",
    "31/12/2026",
    "2026-11-17T25:61",
    "25:61",
    "23:59:60",
    "-1-01-01",
    "2026-W47",
]
WORDISH = ["", " ", "true", "false", "on", "None", "null", "[]", "{}", "undefined", "\x00"]
NULS = ["\x00", "abc\x00def", "1\x00", "\x00" * 100]
HUGE = [
    "A" * 100_000,
    "é" * 50_000,
    "a " * 25_000,
    "9" * 100_000,
]
ODD = [*ODD_UNICODE, *SQLISH, *NUMBERISH, *DATEISH, *WORDISH, *NULS]

# Text any browser can send: every character but surrogates.
sendable_characters = st.characters(exclude_categories=("Cs",))
sendable_text = st.text(sendable_characters, max_size=40)

odd_value = st.one_of(
    st.sampled_from(ODD),
    st.sampled_from(HUGE),
    sendable_text,
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.dates().map(str),
)

# The parameters the views and the admin read from query strings.
QUERY_KEYS = [
    "q",
    "page",
    "date",
    "day",
    "next",
    "number",
    "as",
    "o",
    "p",
    "e",
    "all",
    "type",
    "status",
    "status__exact",
    "inspector",
    "inspector__id__exact",
    "scheduled_for",
    "_changelist_filters",
    "_popup",
    "_to_field",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "year",
    "month",
    "permit",
    "license",
    "invoice",
]


@dataclass(frozen=True)
class Upload:
    """A file to send; made into a fresh SimpleUploadedFile for each request."""

    name: str
    content: bytes
    content_type: str


UPLOADS = [
    Upload("plan.pdf", PDF_BYTES, "application/pdf"),
    Upload("empty.pdf", b"", "application/pdf"),
    Upload("notes.pdf", b"MZ\x90\x00 this is no PDF at all", "application/pdf"),
    Upload("a" * 3000 + ".pdf", PDF_BYTES, "application/pdf"),
    Upload("../../etc/passwd.pdf", PDF_BYTES, "application/pdf"),
    Upload("évier 👩.pdf", PDF_BYTES, "application/pdf"),
    Upload("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    Upload("script.exe", b"MZ\x90\x00", "application/x-msdownload"),
    Upload("no-extension", PDF_BYTES, "application/octet-stream"),
    Upload(".pdf", PDF_BYTES, "application/pdf"),
]
# Cells of an accounts import (the admin's CSV upload), plausible ones first.
IMPORT_CELLS = [
    "public",
    "contractor",
    "staff",
    "1029384",
    "rosa",
    "new.person",
    "new@example.org",
    "rosa@example.org",
    "2030-01-01",
    "B",
    "B, C-39",
    "yes",
    "no",
    "",
]


@st.composite
def csv_upload(draw) -> Upload:
    """A CSV file as the accounts import reads it: its columns (some unknown, missing or
    twice), rows of plausible and odd cells, in one encoding or another."""
    columns = draw(st.lists(st.sampled_from(IMPORT_COLUMNS) | sendable_text, max_size=8))
    if draw(st.booleans()):
        columns = [*REQUIRED_IMPORT_COLUMNS, *columns]
    cell = st.sampled_from(IMPORT_CELLS) | odd_value
    rows = draw(st.lists(st.lists(cell, max_size=len(columns) + 2), max_size=4))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerows([columns, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return Upload("accounts.csv", buffer.getvalue().encode(encoding, "replace"), "text/csv")


upload = st.sampled_from(UPLOADS) | csv_upload()


def _plausible(item: Field) -> list[str]:
    """Values a person filling the form in might give, the page's own first."""
    if item.tag == "select":
        chosen = [value for value, selected in item.options if selected]
        others = [value for value, selected in item.options if not selected and value]
        blank = [value for value, selected in item.options if not selected and not value]
        return chosen + others + blank or [""]
    values = [item.value] if item.value else []
    kind, name, css = item.kind, item.name.lower(), item.css_class
    if kind == "date" or "vDateField" in css or name.endswith(("_on", "date", "_0")):
        values += ["2026-11-17", "2026-12-01"]
    elif kind == "time" or "vTimeField" in css or name.endswith("_1"):
        values += ["10:00"]
    elif kind == "number" or "vIntegerField" in css:
        values += ["3", "250"]
    elif kind == "email" or "email" in name:
        values += ["fuzz@example.org"]
    elif kind == "tel" or "phone" in name:
        values += ["310-555-0100"]
    elif kind == "password" or "password" in name:
        values += ["correct-horse-battery-9"]
    elif kind == "url":
        values += ["https://example.org/"]
    else:
        values += ["Fuzz value"]
    return values


def _valid(item: Field):
    """A plausible value of a field (or a list for a multiple select), or None to leave it
    out, as a browser leaves out an unticked box."""
    if item.kind in ("checkbox", "radio"):
        return st.sampled_from([item.checked, not item.checked]).map(
            lambda on: item.value if on else None
        )
    if item.kind == "file":
        return upload
    if item.kind == "select-multiple":
        options = [value for value, _selected in item.options] or [""]
        chosen = [value for value, selected in item.options if selected]
        return st.one_of(st.just(chosen), st.lists(st.sampled_from(options), max_size=3))
    return st.sampled_from(_plausible(item))


# What can be wrong with one field.
MUTATIONS = ("odd", "missing", "twice", "file", "huge", "nul", "id")


def _mutated(item: Field, how: str):
    if how == "missing":
        return st.none()
    if how == "twice":
        return st.lists(st.one_of(_valid(item), odd_value), min_size=2, max_size=3).map(
            lambda values: [value for value in values if value is not None] or ["", ""]
        )
    if how == "file":
        return upload
    if how == "huge":
        return st.sampled_from(HUGE)
    if how == "nul":
        return st.sampled_from(NULS)
    if how == "id":
        # Another object's key: the world's are small numbers.
        return st.integers(-1, 80).map(str)
    return odd_value


@dataclass(frozen=True)
class PostData:
    data: dict  # name -> str | list | Upload
    urlencoded: bool


def _button_groups(form: Form) -> tuple[list[Field], list[Field]]:
    buttons = [item for item in form.fields if item.kind in ("submit", "image")]
    others = [item for item in form.fields if item.kind not in ("submit", "image", "reset")]
    return buttons, others


@st.composite
def post_data(draw, form: Form) -> PostData:
    """Every field plausible but a few, which are odd, missing, given twice or a file;
    one submit button pressed, or none; now and then a field the form does not have."""
    buttons, fields = _button_groups(form)
    by_name: dict[str, list[Field]] = {}
    for item in fields:
        by_name.setdefault(item.name, []).append(item)
    names = sorted(by_name)
    mutated = (
        draw(st.dictionaries(st.sampled_from(names), st.sampled_from(MUTATIONS), max_size=3))
        if names
        else {}
    )
    data: dict = {}
    for name in names:
        items = by_name[name]
        if name in mutated:
            value = draw(_mutated(items[0], mutated[name]))
        elif items[0].kind == "radio":
            checked = [item.value for item in items if item.checked]
            value = draw(st.sampled_from(checked + [item.value for item in items] + [None]))
        elif len(items) > 1 and items[0].kind == "checkbox":
            value = [item.value for item in items if draw(_valid(item)) is not None]
        else:
            value = draw(_valid(items[0]))
        if value is not None:
            data[name] = value
    if buttons:
        pressed = draw(st.sampled_from([*buttons, None]))
        if pressed is not None:
            data[pressed.name] = pressed.value
    extra = draw(
        st.dictionaries(st.sampled_from(QUERY_KEYS) | sendable_text, odd_value, max_size=1)
    )
    for key, value in extra.items():
        data.setdefault(key, value)
    return PostData(data=data, urlencoded=not _has_upload(data) and draw(st.booleans()))


RAW_QUERIES = [
    "%",
    "%zz=%zz",
    "a=%FF%FE",
    "=",
    "&&&",
    "page=%00",
    "q=%C0%AF",
    "page=1&page=2",
    "q[]=1&q[]=2",
    "o=1.-2.3.99&p=-1",
    "e=1",
    "all=",
    "_changelist_filters=%25",
]


@st.composite
def query(draw, known: dict[str, list[str]]) -> dict | str:
    """A query string: odd values for the parameters the page and the views read (some
    given twice), now and then a raw one that is not even well encoded."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(RAW_QUERIES))
    keys = st.sampled_from(sorted(known)) if known else st.nothing()
    key = keys | st.sampled_from(QUERY_KEYS) | sendable_text
    value = odd_value | (
        st.sampled_from(sorted({v for values in known.values() for v in values}))
        if known
        else st.nothing()
    )
    params = draw(
        st.dictionaries(
            key, value | st.lists(value, min_size=2, max_size=3), min_size=1, max_size=4
        )
    )
    return params


def path_value(regex: str, known: list[str]):
    """A path parameter: one of the world's, or anything the pattern's regex admits."""
    made = st.from_regex(regex, fullmatch=True, alphabet=sendable_characters).filter(
        lambda value: matches(regex, value)
    )
    return st.sampled_from(known) | made if known else made


# Fields the views read from a POST, for the views no form of the world's pages posts to.
POST_KEYS = [
    "invoice",
    "next",
    "reason",
    "note",
    "message",
    "file",
    "required_document",
    "post",
    "action",
    "_selected_action",
    "select_across",
    "card_number",
    "expiry",
    "cvc",
    "name",
    "save_later",
    "login",
    "password",
    "email",
]


def _has_upload(data: dict) -> bool:
    return any(
        isinstance(part, Upload)
        for value in data.values()
        for part in (value if isinstance(value, list) else [value])
    )


@st.composite
def blind_post(draw) -> PostData:
    data = draw(
        st.dictionaries(
            st.sampled_from(POST_KEYS) | st.sampled_from(QUERY_KEYS) | sendable_text,
            odd_value | st.lists(odd_value, min_size=2, max_size=3) | upload,
            max_size=4,
        )
    )
    return PostData(data=data, urlencoded=not _has_upload(data) and draw(st.booleans()))
