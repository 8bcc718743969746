"""The reading layer of the history imports: encodings, delimiters, line numbers, headers,
cell parsers and zip archives, each with the bad input real exports bring."""

import datetime
import io
import stat
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import pytest

from portal.tabular import (
    CellInvalid,
    Column,
    FirstLines,
    RowInvalid,
    Schema,
    TabularError,
    ZipExport,
    boolean_parse,
    date_parse,
    integer_parse,
    money_parse,
    tabular_open,
    text_parser,
)

PERMITS = Schema(
    columns=(
        Column("permit_number", required=True, blank=False),
        Column("issued_on", parse=date_parse),
        Column("fee", parse=money_parse),
        Column("description", parse=text_parser(20)),
    )
)


def read(data: bytes, schema: Schema = PERMITS, name: str = "permits.csv"):
    with tabular_open(io.BytesIO(data), schema, name=name) as opened:
        return opened, list(opened.rows())


# --- Encodings and delimiters ---------------------------------------------------------------


def test_a_latin_1_file_is_read_with_its_accents():
    opened, rows = read("permit_number,description\nB-1,Café\n".encode("latin-1"))

    assert opened.encoding == "cp1252"
    assert rows[0].cells["description"] == "Café"


def test_a_latin_1_file_with_a_byte_windows_leaves_undefined_is_read_as_latin_1():
    opened, rows = read(b"permit_number,description\nB-1,a\x81b\n")

    assert opened.encoding == "latin-1"
    assert rows[0].cells["description"] == "a\x81b"


def test_a_utf_8_file_with_a_byte_order_mark_reads_its_first_column():
    opened, rows = read("\ufeffPermit_Number,description\nB-1,Café\n".encode())

    assert opened.encoding == "utf-8-sig"
    assert rows[0].cells == {"permit_number": "B-1", "description": "Café"}


def test_a_utf_8_file_without_a_byte_order_mark_is_utf_8():
    opened, rows = read("permit_number,description\nB-1,Café\n".encode())

    assert opened.encoding == "utf-8"
    assert rows[0].cells["description"] == "Café"


def test_a_file_that_stops_being_utf_8_after_the_sample_names_its_line():
    filler = b"B-0,plain\n" * 10_000  # past the sample, all ASCII
    data = b"permit_number,description\n" + filler + "B-1,Café\n".encode("latin-1")

    with pytest.raises(TabularError) as raised:
        read(data)

    assert raised.value.line == 10_002
    assert str(raised.value).startswith(
        "permits.csv, line 10002: the start of the file was read as utf-8 text, but this line"
    )


def test_a_utf_16_file_is_refused_with_how_to_save_it():
    with pytest.raises(TabularError, match="UTF-16"):
        read("permit_number\nB-1\n".encode("utf-16"))


def test_a_binary_file_is_refused():
    with pytest.raises(TabularError, match="binary data"):
        read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_an_empty_file_is_refused_naming_the_file():
    with pytest.raises(TabularError, match=r"^permits.csv, line 1: the file is empty"):
        read(b"  \n")


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe"), (",", "comma")]
)
def test_the_delimiter_is_found_from_the_header(delimiter, name):
    line = delimiter.join(["permit_number", "fee", "description"])
    data = f"{line}\nB-1{delimiter}1,5{delimiter}a\n".encode()
    if delimiter == ",":
        data = data.replace(b"1,5", b'"1,500"')

    opened, rows = read(data)

    assert opened.delimiter == delimiter
    assert rows[0].cells["fee"] == ("1,500" if delimiter == "," else "1,5")


def test_an_excel_separator_line_names_the_delimiter_and_is_not_the_header():
    opened, rows = read(b"sep=;\r\npermit_number;fee,with comma,and more\r\nB-1;3\r\n")

    assert opened.delimiter == ";"
    assert [(row.line, row.cells["permit_number"]) for row in rows] == [(3, "B-1")]


def test_an_excel_separator_line_alone_misses_the_header():
    with pytest.raises(RowInvalid, match=r"^permits.csv, line 2: the required column"):
        read(b"sep=;\n")


def test_a_file_from_a_path_is_named_by_its_file_name(tmp_path):
    path = tmp_path / "fees.csv"
    path.write_bytes(b"permit_number\nB-1\n")

    with tabular_open(path, PERMITS) as opened:
        assert [row.cells for row in opened.rows()] == [{"permit_number": "B-1"}]
        assert opened.name == "fees.csv"


# --- Line numbers and rows --------------------------------------------------------------------


def test_a_row_after_a_multi_line_quoted_cell_has_the_line_an_editor_shows():
    data = b'permit_number,description\r\nB-1,"two\r\nlines"\r\n\r\nB-2,x\r\n'

    _, rows = read(data)

    assert [(row.line, row.cells["permit_number"]) for row in rows] == [(2, "B-1"), (5, "B-2")]
    assert rows[0].cells["description"] == "two\r\nlines"


def test_a_row_with_more_values_than_the_header_names_its_line():
    with pytest.raises(TabularError, match=r"^permits.csv, line 3: this row has 3 values"):
        read(b"permit_number,fee\nB-1,1\nB-2,2,extra\n")


def test_a_short_row_reads_its_missing_cells_as_empty():
    _, rows = read(b"permit_number,fee,description\nB-1\n")

    assert rows[0].cells == {"permit_number": "B-1", "fee": "", "description": ""}


def test_a_broken_quotation_names_its_line():
    with pytest.raises(TabularError, match=r"line 2: the file cannot be read as CSV"):
        read(b'permit_number,description\nB-1,"open"x\n')


def test_a_file_without_line_breaks_stops_at_the_line_limit(monkeypatch):
    monkeypatch.setattr("portal.tabular.MAX_LINE_CHARS", 100)

    with pytest.raises(TabularError, match=r"line 2: the line is longer than 100 characters"):
        read(b"permit_number\n" + b"x" * 500)


def test_a_number_repeated_within_a_file_names_the_first_line():
    _, rows = read(b"permit_number\nB-1\nB-2\nb-1\n")
    first_lines = FirstLines("permit_number")
    first_lines.check(rows[0], rows[0].cells["permit_number"])
    first_lines.check(rows[1], rows[1].cells["permit_number"])

    with pytest.raises(TabularError) as raised:
        first_lines.check(rows[2], rows[2].cells["permit_number"])

    assert str(raised.value) == (
        "permits.csv, line 4, column permit_number: “b-1” is also on line 2."
    )


# --- Header -------------------------------------------------------------------------------------


def test_header_names_compare_without_capitals_or_spaces():
    opened, rows = read(b" Permit Number ,FEE\nB-1,$3\n")

    assert opened.header.positions == {"permit_number": 0, "fee": 1}
    assert rows[0].values(PERMITS) == {"permit_number": "B-1", "fee": Decimal("3.00")}


def test_a_renamed_required_column_is_named_with_the_columns_found_and_a_hint():
    with pytest.raises(RowInvalid) as raised:
        read(b"Permit_No,fee\nB-1,3\n")

    assert str(raised.value) == (
        "permits.csv, line 1: the required column permit_number is missing; the columns "
        "found are: Permit_No, fee. Did you mean Permit_No?"
    )


def test_a_missing_required_column_without_a_near_name_has_no_hint():
    with pytest.raises(RowInvalid) as raised:
        read(b"fee\n3\n")

    assert str(raised.value).endswith("the columns found are: fee.")


def test_an_unknown_column_is_a_warning_and_is_not_read():
    opened, rows = read(b"permit_number,Owner SSN\nB-1,123\n")

    assert opened.header.warnings == [
        "permits.csv, line 1: column Owner SSN is not read by this import and is ignored."
    ]
    assert rows[0].cells == {"permit_number": "B-1"}


def test_a_column_named_twice_is_an_error():
    with pytest.raises(RowInvalid, match="the header names permit_number more than once"):
        read(b"permit_number,Permit Number\nB-1,B-2\n")


def test_a_row_with_bad_cells_names_each_and_gives_no_values():
    _, rows = read(
        b"permit_number,issued_on,fee\n,13/04/2019,1.234,50\n".replace(b"1.234,50", b'"1.234,50"')
    )

    with pytest.raises(RowInvalid) as raised:
        rows[0].values(PERMITS)

    assert [(error.line, error.column) for error in raised.value.errors] == [
        (2, "permit_number"),
        (2, "issued_on"),
        (2, "fee"),
    ]
    assert str(raised.value.errors[1]) == (
        "permits.csv, line 2, column issued_on: “13/04/2019” is not a date: dates are read "
        "month first (MM/DD/YYYY), and there is no month 13."
    )


# --- Cell parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2019-03-04",
        "03/04/2019",
        "3/4/2019",
        "3/4/2019 12:00:00 AM",
        "2019-03-04T10:22:05Z",
        "2019-03-04 10:22",
        "2019-03-04T10:22:05.123-08:00",
    ],
)
def test_dates_read_in_each_form(value):
    assert date_parse(value) == datetime.date(2019, 3, 4)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019-02-30", "not a date in the calendar"),
        ("3/4/19", "not a date written as YYYY-MM-DD or MM/DD/YYYY"),
        ("2019-03-04 lunch", "not a date written as"),
        ("04.03.2019", "not a date written as"),
        ("31/12/2019", "dates are read month first"),
    ],
)
def test_a_bad_date_says_why(value, message):
    with pytest.raises(CellInvalid, match=message):
        date_parse(value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("$1,234.50", "1234.50"),
        ("1234.5", "1234.50"),
        ("1234", "1234.00"),
        (".5", "0.50"),
        ("(12.00)", "-12.00"),
        ("($1,000.00)", "-1000.00"),
        ("-$12.00", "-12.00"),
        ("$-12.00", "-12.00"),
        ("$ 1,234.00", "1234.00"),
        ("( $12.00 )", "-12.00"),
    ],
)
def test_amounts_read_in_each_form(value, amount):
    assert money_parse(value) == Decimal(amount)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.234,50", "decimal comma"),
        ("12,5", "decimal comma"),
        ("12.345", "not an amount"),
        ("1,23.00", "not an amount"),
        ("(-12.00)", "not an amount"),
        ("--12", "not an amount"),
        ("12 USD", "not an amount"),
        ("12 34", "not an amount"),
        ("1 234,50", "decimal comma"),
    ],
)
def test_a_bad_amount_says_why(value, message):
    with pytest.raises(CellInvalid, match=message):
        money_parse(value)


def test_integers_read_with_or_without_separators():
    assert [integer_parse(value) for value in ("12", "-3", "1,234")] == [12, -3, 1234]
    with pytest.raises(CellInvalid, match=r"“1\.5” is not a whole number"):
        integer_parse("1.5")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
    ],
)
def test_booleans_read_in_each_word(value, expected):
    assert boolean_parse(value) is expected


def test_a_bad_boolean_and_a_long_text_say_why():
    with pytest.raises(CellInvalid, match="“maybe” is neither yes nor no"):
        boolean_parse("maybe")
    with pytest.raises(CellInvalid, match="21 characters long; at most 20 fit"):
        text_parser(20)("x" * 21)


# --- Zip archives ---------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes], *, symlink: str | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return buffer


def test_a_zip_lists_its_csv_members_and_streams_each():
    archive = zip_bytes(
        {
            "export/permits.csv": b"permit_number\nB-1\n",
            "export/readme.txt": b"hello",
            "__MACOSX/export/._permits.csv": b"\x00\x05",
        }
    )

    with ZipExport(archive, name="city.zip") as export:
        assert export.members == ["export/permits.csv"]
        with export.open("export/permits.csv", PERMITS) as opened:
            assert [row.cells for row in opened.rows()] == [{"permit_number": "B-1"}]
            assert opened.name == "city.zip/export/permits.csv"


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../evil.csv", "../evil.csv points outside the archive's folder"),
        ("export/../../evil.csv", "points outside the archive's folder"),
        ("..\\evil.csv", "points outside the archive's folder"),
        ("/abs.csv", "has an absolute path"),
        ("C:/abs.csv", "has an absolute path"),
    ],
)
def test_a_zip_with_a_path_outside_its_folder_is_refused(member, message):
    archive = zip_bytes({"permits.csv": b"permit_number\n", member: b"permit_number\n"})

    with pytest.raises(RowInvalid, match=r"^city.zip: .*" + message):
        ZipExport(archive, name="city.zip")


def test_a_zip_holding_a_symbolic_link_is_refused():
    with pytest.raises(RowInvalid, match=r"link\.csv is a symbolic link"):
        ZipExport(zip_bytes({}, symlink="link.csv"), name="city.zip")


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    archive = zip_bytes({"permits.csv": b"permit_number\n" + b"0" * 1_000_000})

    with pytest.raises(RowInvalid, match="more than 100 times its packed size"):
        ZipExport(archive, name="city.zip")


def test_a_zip_member_declaring_too_large_a_size_is_refused(monkeypatch):
    monkeypatch.setattr("portal.tabular.MAX_MEMBER_BYTES", 10)

    with pytest.raises(RowInvalid, match="would unpack to more than"):
        ZipExport(zip_bytes({"permits.csv": b"permit_number\nB-1\n"}), name="city.zip")


def test_a_damaged_zip_member_is_refused_when_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("permits.csv", b"permit_number\nB-1\n")
    damaged = io.BytesIO(buffer.getvalue().replace(b"B-1", b"B-2"))

    with (
        ZipExport(damaged, name="city.zip") as export,
        pytest.raises(TabularError) as raised,
        export.open("permits.csv", PERMITS) as opened,
    ):
        list(opened.rows())

    assert str(raised.value).startswith("city.zip/permits.csv: the archive is damaged")


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(TabularError, match=r"^city\.zip: the file is not a zip archive"):
        ZipExport(io.BytesIO(b"permit_number\n"), name="city.zip")


# --- Memory -----------------------------------------------------------------------------------


class GeneratedFile(io.RawIOBase):
    """A file object fed by a generator, so the test itself never holds the whole file."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.size += count
        return count


def generated_permits(rows: int) -> Iterator[bytes]:
    yield "permit_number;issued_on;fee;description\n".encode("cp1252")
    # A thousand rows per chunk, as a file read would bring them.
    for start in range(0, rows, 1000):
        yield "".join(
            f"B-{number};3/4/2019;$1,234.50;Café {number % 10}\n"
            for number in range(start, start + 1000)
        ).encode("cp1252")


def test_a_large_file_streams_with_flat_memory():
    # 100,000 rows (3.5 MB): tracemalloc slows reading fivefold, and the peak does not
    # depend on the row count, so more rows would only make the test slower.
    rows = 100_000
    source = GeneratedFile(generated_permits(rows))

    tracemalloc.start()
    try:
        with tabular_open(io.BufferedReader(source), PERMITS, name="big.csv") as opened:
            last = None
            count = 0
            for row in opened.rows():
                last = row
                count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert opened.delimiter == ";"
    assert opened.encoding == "cp1252"
    assert count == rows
    assert last is not None
    assert last.line == rows + 1
    assert last.values(PERMITS)["fee"] == Decimal("1234.50")
    assert source.size > 3_000_000
    assert peak < 1_000_000
