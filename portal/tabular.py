"""Read the CSV exports a city brings from its old system, as a stream, with readable errors.

Every history import stands on this module: it opens a file (or a zip of files), works out
its encoding and delimiter, checks its header against the columns an import declares, and
yields each row with the line a text editor shows for it. Cells are parsed by small typed
parsers whose errors name the file, the line, the column and the value. Nothing here reads a
whole file into memory, so a 2 GB export costs what one row costs. docs/import.md says what
a city's files may look like.

Longer than the house's 500 lines on purpose: what a city's file may look like (its
encoding, delimiter, header, cell forms and zip) is read in one place, beside the one error
form every import reports in.
"""

import codecs
import csv
import datetime
import difflib
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TextIO

from django.utils.translation import gettext as _

from portal.money import CENT

# Enough to hold the header and many rows, so the encoding is judged on real text, while
# never more than a small, fixed part of a file of any size.
SAMPLE_BYTES = 64 * 1024
# One physical line longer than this is not an export's row but a file with no line breaks
# (or not a CSV at all); stopping there keeps memory flat.
MAX_LINE_CHARS = 1024 * 1024
# What the "surrogateescape" error handler makes of a byte the encoding cannot decode.
UNDECODABLE = re.compile("[\udc80-\udcff]")
DELIMITERS = (",", ";", "\t", "|")
EXCEL_SEPARATOR = re.compile(r"sep=(?P<delimiter>[,;\t|])")
# Bytes cp1252 leaves undefined: a file holding one is Latin-1 (ISO 8859-1) proper.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

# A zip member larger than this, uncompressed, is refused before a byte is read.
MAX_MEMBER_BYTES = 4 * 1024**3
# CSV text compresses about 5 to 20 times; a far higher ratio is a zip bomb.
MAX_COMPRESSION_RATIO = 100


class TabularError(Exception):
    """A problem with a file, a row or a cell, told as "FILE, line N, column C: message"."""

    def __init__(
        self, message: str, *, file: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place = _("%(file)s, line %(line)d") % {"file": place, "line": self.line}
        if self.column is not None:
            place = _("%(place)s, column %(column)s") % {"place": place, "column": self.column}
        return f"{place}: {self.message}"


class RowInvalid(TabularError):
    """Some cells of one row are wrong; ``errors`` holds one TabularError per cell."""

    def __init__(self, errors: list[TabularError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            "; ".join(error.message for error in errors), file=first.file, line=first.line
        )

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class CellInvalid(ValueError):
    """Raised by a cell parser with a message about the value alone; the row adds the place."""


# --- Cell parsers -------------------------------------------------------------------------
# Each takes a cell already trimmed and not empty, returns its value or raises CellInvalid.

CellParser = Callable[[str], object]

ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
US_DATE = re.compile(r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})")
# The time old systems print after a date ("3/4/2019 12:00:00 AM", "2019-03-04T10:22:05Z"):
# a date column keeps the day only, so the time is checked for shape and then left out.
TIME_SUFFIX = re.compile(
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?\Z"
)
DIGIT_GROUPS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
MONEY = re.compile(
    rf"(?P<sign>[+-]?)\$?(?P<sign_after>[+-]?)(?P<number>{DIGIT_GROUPS}(?:\.\d{{1,2}})?|\.\d{{1,2}})"
)
SPACE_BY_SIGN = re.compile(r"(?<=[$()+-])\s+|\s+(?=[$()])")
# "1.234,50", "1 234,50" and "12,5": a decimal comma, which we never guess at.
DECIMAL_COMMA = re.compile(r"\d{1,3}(?:[. ]\d{3})*,\d{1,2}")
INTEGER = re.compile(rf"[+-]?{DIGIT_GROUPS}")
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0"})


def date_parse(value: str) -> datetime.date:
    """A day written 2019-03-04, 03/04/2019 or 3/4/2019 (month first), any time part ignored."""
    for pattern in (ISO_DATE, US_DATE):
        match = pattern.match(value)
        if match and TIME_SUFFIX.match(value, match.end()):
            parts = {name: int(number) for name, number in match.groupdict().items()}
            try:
                return datetime.date(**parts)
            except ValueError:
                if pattern is US_DATE and parts["month"] > 12 >= parts["day"]:
                    raise CellInvalid(
                        _(
                            "“%(value)s” is not a date: dates are read month first "
                            "(MM/DD/YYYY), and there is no month %(month)d."
                        )
                        % {"value": value, "month": parts["month"]}
                    ) from None
                raise CellInvalid(
                    _("“%(value)s” is not a date in the calendar.") % {"value": value}
                ) from None
    raise CellInvalid(
        _("“%(value)s” is not a date written as YYYY-MM-DD or MM/DD/YYYY, such as 2019-03-04.")
        % {"value": value}
    )


def money_parse(value: str) -> Decimal:
    """Dollars to the cent: "$1,234.50", "1234.5", "-12", and "(12.00)" as accountants write -12.

    A decimal comma ("1.234,50") is refused rather than guessed at: "1,234" is a thousand.
    """
    # Spaces around signs and the dollar sign ("$ 12.00", "( 12.00 )"), never between digits:
    # "12 34" may be one number or two, and a French "1 234,50" is refused as a decimal comma.
    text = SPACE_BY_SIGN.sub("", value)
    bracketed = text.startswith("(") and text.endswith(")")
    if bracketed:
        text = text[1:-1]
    match = MONEY.fullmatch(text)
    # One sign at most, before or after the dollar sign ("-$12.00", "$-12.00"), and none
    # inside parentheses, which already mean minus.
    if match and len(match["sign"] + match["sign_after"]) <= (0 if bracketed else 1):
        amount = Decimal(match["number"].replace(",", ""))
        negative = bracketed or "-" in match["sign"] + match["sign_after"]
        return (-amount if negative else amount).quantize(CENT)
    if DECIMAL_COMMA.fullmatch(text.lstrip("+-$")):
        raise CellInvalid(
            _(
                "“%(value)s” uses a decimal comma. Write amounts with a decimal point, "
                "such as 1234.50 or $1,234.50."
            )
            % {"value": value}
        )
    raise CellInvalid(
        _("“%(value)s” is not an amount in dollars and cents, such as 1234.50 or $1,234.50.")
        % {"value": value}
    )


def integer_parse(value: str) -> int:
    """A whole number, with or without thousands separators: "1234", "1,234", "-3"."""
    if not INTEGER.fullmatch(value):
        raise CellInvalid(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(value.replace(",", ""))


def boolean_parse(value: str) -> bool:
    """Yes or no, as exports write it: yes/no, y/n, true/false, t/f, 1/0, any capitals."""
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellInvalid(_("“%(value)s” is neither yes nor no.") % {"value": value})


def text_parser(max_length: int) -> CellParser:
    """A parser for text of at most ``max_length`` characters (cells arrive trimmed)."""

    def text_parse(value: str) -> str:
        if len(value) > max_length:
            raise CellInvalid(
                _("the text is %(length)d characters long; at most %(limit)d fit.")
                % {"length": len(value), "limit": max_length}
            )
        return value

    return text_parse


# --- Schema and header -------------------------------------------------------------------


def column_key(name: str) -> str:
    """How header names compare: capitals, spaces and underscores aside (Permit No = permit_no)."""
    return re.sub(r"[\s_]+", "_", name.strip().lstrip("\ufeff").strip()).casefold()


@dataclass(frozen=True)
class Column:
    """A column an import reads. ``parse`` turns a non-empty cell into its value (by default
    text of up to 255 characters); ``required``: the header must name the column; ``blank``:
    its cells may be empty, read as None."""

    name: str
    parse: CellParser = field(default=text_parser(255))
    required: bool = False
    blank: bool = True


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of export. Columns the schema does not name are ignored with a
    warning: exports carry many columns an import has no use for, and refusing them would
    make the city edit every file by hand."""

    columns: tuple[Column, ...]

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column_key(column.name) == key), None)


@dataclass(frozen=True)
class Header:
    """The checked header: where each schema column sits, and what was ignored."""

    names: list[str]
    positions: dict[str, int]
    warnings: list[str]


def header_check(cells: list[str], schema: Schema, *, file: str, line: int) -> Header:
    """Where each schema column sits; RowInvalid names every missing or repeated column."""
    keys = [column_key(cell) for cell in cells]
    errors: list[str] = []
    duplicates = sorted({key for key in keys if key and keys.count(key) > 1})
    if duplicates:
        errors.append(
            _("the header names %(columns)s more than once.") % {"columns": ", ".join(duplicates)}
        )
    unknown = {key: cell.strip().lstrip("\ufeff") for cell, key in zip(cells, keys, strict=True)}
    unknown = {key: name for key, name in unknown.items() if key and not schema.column(key)}
    found = ", ".join(cell.strip().lstrip("\ufeff") for cell in cells if cell.strip())
    for column in schema.columns:
        if not column.required or column_key(column.name) in keys:
            continue
        message = _(
            "the required column %(column)s is missing; the columns found are: %(found)s."
        ) % {"column": column.name, "found": found or _("none")}
        # A renamed column ("Permit No" for permit_number) is the usual cause: name it.
        near = difflib.get_close_matches(column_key(column.name), unknown, n=1, cutoff=0.6)
        if near:
            message += " " + _("Did you mean %(name)s?") % {"name": unknown[near[0]]}
        errors.append(message)
    if errors:
        raise RowInvalid([TabularError(error, file=file, line=line) for error in errors])
    positions = {
        column.name: keys.index(column_key(column.name))
        for column in schema.columns
        if column_key(column.name) in keys
    }
    warnings = [
        str(
            TabularError(
                _("column %(column)s is not read by this import and is ignored.")
                % {"column": name},
                file=file,
                line=line,
            )
        )
        for name in unknown.values()
    ]
    return Header(names=cells, positions=positions, warnings=warnings)


# --- Rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One record: ``line`` is where it starts in the file, ``cells`` its trimmed values by
    schema column name (columns the file lacks are absent)."""

    file: str
    line: int
    cells: dict[str, str]

    def values(self, schema: Schema) -> dict[str, object]:
        """Every cell parsed, or RowInvalid naming each bad cell: never half a row."""
        values: dict[str, object] = {}
        errors: list[TabularError] = []
        for column in schema.columns:
            if column.name not in self.cells:
                continue
            cell = self.cells[column.name]
            if not cell:
                if not column.blank:
                    errors.append(self._error(column.name, _("this cell must not be empty.")))
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(cell)
            except CellInvalid as error:
                errors.append(self._error(column.name, str(error)))
        if errors:
            raise RowInvalid(errors)
        return values

    def _error(self, column: str, message: str) -> TabularError:
        return TabularError(message, file=self.file, line=self.line, column=column)


class FirstLines:
    """Finds a key (a permit number) repeated within one file, naming the line it came first.

    Holds one entry per distinct key: a few tens of megabytes for a million rows.
    """

    def __init__(self, column: str) -> None:
        self.column = column
        self._lines: dict[str, int] = {}

    def check(self, row: Row, key: str) -> None:
        first = self._lines.setdefault(key.casefold(), row.line)
        if first != row.line:
            raise TabularError(
                _("“%(value)s” is also on line %(other)d.") % {"value": key, "other": first},
                file=row.file,
                line=row.line,
                column=self.column,
            )


class _Replayed(io.RawIOBase):
    """A binary stream whose first bytes were already read for the sample, put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sample_read(stream: BinaryIO) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < SAMPLE_BYTES:
        part = stream.read(SAMPLE_BYTES - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def encoding_detect(sample: bytes, *, file: str) -> str:
    """The encoding of a file, judged from its first bytes.

    A byte order mark says UTF-8 outright. Otherwise, text that decodes as UTF-8 is UTF-8:
    Latin-1 text with any accented letter almost never does, because UTF-8 needs those bytes
    in strict pairs. Anything else is Windows-1252, the superset of Latin-1 that spreadsheets
    on Windows write (with curly quotes and the euro sign), or Latin-1 itself when the sample
    holds a byte Windows-1252 leaves undefined. A UTF-8 file whose first accent comes after
    the sample is still UTF-8 (plain ASCII decodes the same either way); a file that turns
    out not to be is refused at the line where it stops decoding.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TabularError(
            _(
                "the file is saved as UTF-16 (“Unicode Text”). Save it as CSV, "
                "UTF-8 if the program offers it."
            ),
            file=file,
        )
    if b"\x00" in sample:
        raise TabularError(
            _("the file holds binary data, so it is not a CSV export."), file=file, line=1
        )
    try:
        # Not final: the sample may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        if CP1252_UNDEFINED.intersection(sample):
            return "latin-1"
        return "cp1252"
    return "utf-8"


def delimiter_detect(header_line: str) -> str:
    """The delimiter is the candidate the header line holds most often (a comma on a tie or a
    one-column file): column names themselves never hold one."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@dataclass
class TabularFile:
    """An open CSV export: its encoding, delimiter, checked header and rows to stream once."""

    name: str
    encoding: str
    delimiter: str
    header: Header
    _records: Iterator[tuple[int, list[str]]]

    def rows(self) -> Iterator[Row]:
        """Each non-blank row after the header, its cells trimmed and keyed by column name.

        Raises TabularError for a row with values beyond the header's columns, or for a file
        that stops being CSV or text part way.
        """
        width = len(self.header.names)
        for line, cells in self._records:
            if not "".join(cells).strip():
                continue
            if len(cells) > width and "".join(cells[width:]).strip():
                raise TabularError(
                    _("this row has %(count)d values, but the header names %(columns)d columns.")
                    % {"count": len(cells), "columns": width},
                    file=self.name,
                    line=line,
                )
            # Spreadsheets drop empty cells at the end of a row: they read as empty.
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield Row(
                file=self.name,
                line=line,
                cells={
                    column: cells[position].strip()
                    for column, position in self.header.positions.items()
                },
            )


def _lines(text: TextIO, *, file: str) -> Iterator[str]:
    """Physical lines, each checked for bytes the encoding could not read.

    The text is decoded with "surrogateescape", which keeps such bytes as lone surrogates,
    because a strict decoder fails a whole buffer ahead and could not name the line.
    """
    for line_number, line in enumerate(iter(partial(text.readline, MAX_LINE_CHARS + 1), ""), 1):
        if len(line) > MAX_LINE_CHARS:
            raise TabularError(
                _("the line is longer than %(limit)d characters, so this is not a CSV export.")
                % {"limit": MAX_LINE_CHARS},
                file=file,
                line=line_number,
            )
        if UNDECODABLE.search(line):
            raise TabularError(
                _(
                    "the start of the file was read as %(encoding)s text, but this line is "
                    "not. Save the file again as CSV UTF-8."
                )
                % {"encoding": text.encoding},
                file=file,
                line=line_number,
            )
        yield line


def csv_records(text: TextIO, *, delimiter: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record of a text stream with the physical line it starts on (the first line
    is 1), as a text editor counts lines: a quoted cell may span several.

    Raises TabularError, naming ``file`` and the line, where the text stops being CSV.
    """
    reader = csv.reader(_lines(text, file=file), delimiter=delimiter, strict=True)
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            yield line, cells
    except csv.Error as error:
        raise TabularError(
            _("the file cannot be read as CSV (%(error)s). Check the quotation marks.")
            % {"error": error},
            file=file,
            line=next_line,
        ) from None


@contextmanager
def tabular_open(
    source: str | Path | BinaryIO, schema: Schema, *, name: str | None = None
) -> Iterator[TabularFile]:
    """Open a CSV export from a path or a binary file object, check its header, stream its rows.

    ``name`` is how messages call the file (default: the path's file name). A file object is
    read from where it stands and left open for its owner. Raises TabularError (or its
    RowInvalid) for an empty file, an unreadable encoding or a header that misses a column.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        with (
            path.open("rb") as stream,
            tabular_open(stream, schema, name=name or path.name) as opened,
        ):
            yield opened
        return
    file = name or str(getattr(source, "name", "") or _("the file"))
    sample = _sample_read(source)
    if not sample.strip():
        raise TabularError(
            _("the file is empty; its first line must name the columns."), file=file, line=1
        )
    encoding = encoding_detect(sample, file=file)
    first_line = re.split(r"[\r\n]", sample.decode(encoding, errors="replace"), maxsplit=1)[0]
    # Some exports meant for Excel start with a "sep=;" line naming the delimiter.
    declared = EXCEL_SEPARATOR.fullmatch(first_line)
    delimiter = declared["delimiter"] if declared else delimiter_detect(first_line)
    text = io.TextIOWrapper(
        io.BufferedReader(_Replayed(sample, source)),
        encoding=encoding,
        errors="surrogateescape",
        newline="",
    )
    records = csv_records(text, delimiter=delimiter, file=file)
    if declared:
        next(records)
    # Only a file of a "sep=" line alone has no header line: its line 2 names no columns.
    header_line, header_cells = next(records, (2, []))
    header = header_check(header_cells, schema, file=file, line=header_line)
    yield TabularFile(
        name=file,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        _records=records,
    )


# --- Zip archives --------------------------------------------------------------------------


def _member_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a member must not be read, or None. Windows tools write backslashes: both count."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return _("%(name)s has an absolute path.") % {"name": info.filename}
    if ".." in parts:
        return _("%(name)s points outside the archive's folder.") % {"name": info.filename}
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("%(name)s is a symbolic link.") % {"name": info.filename}
    if info.flag_bits & 0x1:
        return _("%(name)s is encrypted; zip the exports without a password.") % {
            "name": info.filename
        }
    if info.file_size > MAX_MEMBER_BYTES:
        return _("%(name)s would unpack to more than %(limit)d GB.") % {
            "name": info.filename,
            "limit": MAX_MEMBER_BYTES // 1024**3,
        }
    if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        return _(
            "%(name)s would unpack to more than %(ratio)d times its packed size, which no "
            "export does (a “zip bomb”)."
        ) % {"name": info.filename, "ratio": MAX_COMPRESSION_RATIO}
    return None


def _is_csv(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename.replace("\\", "/"))
    # macOS adds "__MACOSX/._name.csv" resource files beside each real one.
    hidden = path.name.startswith(".") or "__MACOSX" in path.parts
    return not info.is_dir() and not hidden and path.suffix.lower() == ".csv"


class ZipExport:
    """The CSV files of an uploaded zip, read in place: nothing is extracted to disk.

    Opening refuses the whole archive when any member has an absolute path, a ".."
    component, is a symbolic link, is encrypted, or would unpack too large or at too high a
    ratio: such an archive is not a city's export, and half of it is no import.
    """

    def __init__(self, source: str | Path | BinaryIO, *, name: str | None = None) -> None:
        self.name = name or (
            Path(source).name
            if isinstance(source, str | Path)
            else str(getattr(source, "name", "") or _("the archive"))
        )
        try:
            self._archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError):
            raise TabularError(_("the file is not a zip archive."), file=self.name) from None
        refusals = [
            refusal for info in self._archive.infolist() if (refusal := _member_refusal(info))
        ]
        if refusals:
            self._archive.close()
            raise RowInvalid([TabularError(refusal, file=self.name) for refusal in refusals])
        self.members = [info.filename for info in self._archive.infolist() if _is_csv(info)]

    def __enter__(self) -> "ZipExport":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._archive.close()

    @contextmanager
    def open(self, member: str, schema: Schema) -> Iterator[TabularFile]:
        """One CSV member as a TabularFile named "ARCHIVE/MEMBER" in messages.

        zipfile stops at the declared size and checks the CRC, so a member that lies about
        its size is refused instead of unpacking without end; so is one damaged in transit.
        """
        file = f"{self.name}/{member}"
        with self._archive.open(member) as stream:
            try:
                with tabular_open(stream, schema, name=file) as opened:
                    yield opened
            except (zipfile.BadZipFile, zlib.error) as error:
                raise TabularError(
                    _("the archive is damaged (%(error)s).") % {"error": error}, file=file
                ) from None
