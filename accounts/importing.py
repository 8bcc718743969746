"""Import public and contractor accounts from the city's previous permit system (eTRAKiT).

Staff export the old system's accounts as CSV and run ``manage.py import_accounts FILE.csv``
or upload the file in the admin. Every row is checked before anything is written: with one
bad row nothing is saved, and every problem is reported as "line N: ...", N being the line
of the file as a text editor counts it (the header is line 1).

Longer than the house's 500 lines on purpose: one export's columns, their checks and the
writing of the accounts are read together, and the column lists at the top say what a
file holds.

Imported people get no password: they choose one through "Forgot password" with the email
address the city has on file, which therefore counts as verified. Importing a file again
updates contact and license details and never duplicates an account; it never touches a
password, a security question, whether the account is active, or a verification, except
that changed license or insurance details must be verified by staff again.
"""

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import (
    CONTRACTOR_VERIFIED_FIELDS,
    ContractorProfile,
    LicenseClassification,
    User,
    license_number_validator,
)
from accounts.services import AccountError
from portal.tabular import TabularError, csv_records

# The largest file the admin upload accepts; the command on the server takes any size.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

REQUIRED_COLUMNS = ("account_type", "username", "email")
# CSV column -> User field.
CONTACT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "phone": "phone",
    "address_line1": "address_line1",
    "address_line2": "address_line2",
    "city": "address_city",
    "state": "address_state",
    "postal_code": "address_postal_code",
}
CONTRACTOR_COLUMNS = ("classifications", *CONTRACTOR_VERIFIED_FIELDS)
COLUMNS = REQUIRED_COLUMNS + tuple(CONTACT_COLUMNS) + CONTRACTOR_COLUMNS

IMPORTABLE_TYPES = (User.AccountType.PUBLIC.value, User.AccountType.CONTRACTOR.value)
CLASSIFICATION_SEPARATOR = ";"
TRUE_WORDS = frozenset({"yes", "true", "1"})
FALSE_WORDS = frozenset({"no", "false", "0", ""})
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
INSURANCE_FIELDS = ("workers_comp_carrier", "workers_comp_policy_number", "workers_comp_expires_on")
# Rows looked up per query, well below any database's limit on query parameters.
QUERY_CHUNK = 500


class ImportRejected(AccountError):
    """The file cannot be imported; nothing was written. One readable message per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportRow:
    """One checked row. Only the columns the file has are set: a missing column changes nothing.

    ``contact`` maps User fields to values; ``profile`` maps ContractorProfile fields to values
    (contractors only); ``classification_codes`` is None when the file has no such column.
    """

    line: int
    account_type: str
    username: str
    email: str
    contact: dict[str, str] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    classification_codes: tuple[str, ...] | None = None
    existing_user_id: int | None = None

    @property
    def is_contractor(self) -> bool:
        return self.account_type == User.AccountType.CONTRACTOR


def _line_message(line: int, message: str) -> str:
    return _("line %(line)d: %(message)s") % {"line": line, "message": message}


class _Errors:
    def __init__(self) -> None:
        self._items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self._items.append((line, message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def messages(self) -> list[str]:
        ordered = sorted(self._items, key=lambda item: item[0])
        return [_line_message(line, message) for line, message in ordered]


# --- Uploads -------------------------------------------------------------------------------


def import_file_decode(*, data: bytes, max_bytes: int | None = MAX_UPLOAD_BYTES) -> str:
    """The text of a CSV file's bytes: UTF-8, with or without a byte order mark.

    Raises ImportRejected for a file too large, empty, or not text at all (a picture, a
    spreadsheet in Excel's own format, a file saved in another encoding).
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportRejected([_file_too_large_message(max_bytes)])
    if not data.strip():
        raise ImportRejected([_empty_file_message()])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            [
                _line_message(
                    line,
                    _(
                        "the file is not UTF-8 text, so it cannot be read as CSV. Check that it "
                        "is the CSV export, and in a spreadsheet save it as “CSV UTF-8”."
                    ),
                )
            ]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected(
            [
                _line_message(
                    line,
                    _(
                        "the file holds binary data, so it is not a CSV file. Check that it is "
                        "the CSV export."
                    ),
                )
            ]
        )
    return text


def import_upload_read(*, uploaded_file: UploadedFile) -> io.StringIO:
    """An uploaded CSV file (admin form) as text for ``accounts_import(csv_file=...)``.

    Raises ImportRejected with a readable message for a file over MAX_UPLOAD_BYTES, not
    UTF-8, or not text.
    """
    if uploaded_file.size is not None and uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ImportRejected([_file_too_large_message(MAX_UPLOAD_BYTES)])
    uploaded_file.seek(0)
    # Read one byte past the limit, so a file that misreports its size is still caught.
    data = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    return io.StringIO(import_file_decode(data=data), newline="")


def _file_too_large_message(max_bytes: int) -> str:
    return _(
        "The file is larger than %(size)d MB. Split it into smaller files and import each."
    ) % {"size": max_bytes // (1024 * 1024)}


def _empty_file_message() -> str:
    return _line_message(
        1,
        _("the file is empty. Its first line must name the columns, such as %(columns)s.")
        % {"columns": ",".join(REQUIRED_COLUMNS)},
    )


# --- Reading and checking (no writes) -----------------------------------------------------


def _records(csv_file: TextIO) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on; a value may span lines."""
    try:
        for line, cells in csv_records(csv_file, delimiter=",", file=_("the file")):
            if any("\x00" in cell for cell in cells):
                raise ImportRejected(
                    [_line_message(line, _("the file holds binary data, so it is not a CSV file."))]
                )
            yield line, cells
    except TabularError as error:
        # This import's messages name the line only: staff upload one file at a time.
        raise ImportRejected([_line_message(error.line or 1, error.message)]) from None


def _header_read(line: int, cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if names:
        names[0] = names[0].lstrip("\ufeff").strip()
    problems: list[str] = []
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        problems.append(
            ngettext(
                "the column %(columns)s appears more than once.",
                "the columns %(columns)s appear more than once.",
                len(duplicates),
            )
            % {"columns": ", ".join(duplicates)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append(
            ngettext(
                "the header lacks the required column %(columns)s.",
                "the header lacks the required columns %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)}
        )
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        problems.append(
            ngettext(
                "unknown column %(columns)s. The columns this import reads are: %(known)s.",
                "unknown columns %(columns)s. The columns this import reads are: %(known)s.",
                len(unknown),
            )
            % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    if problems:
        raise ImportRejected([_line_message(line, problem) for problem in problems])
    return names


def _max_length(model: type, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


def _check_length(
    errors: _Errors, line: int, column: str, value: str, model: type, field_name: str
) -> None:
    limit = _max_length(model, field_name)
    if len(value) > limit:
        errors.add(
            line,
            _("%(column)s is longer than %(limit)d characters.")
            % {"column": column, "limit": limit},
        )


def _date_parse(errors: _Errors, line: int, column: str, value: str) -> datetime.date | None:
    if not value:
        return None
    if DATE_PATTERN.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(
        line,
        _("%(column)s “%(value)s” is not a date written as YYYY-MM-DD, such as 2027-06-30.")
        % {"column": column, "value": value},
    )
    return None


def _row_parse(line: int, values: dict[str, str], errors: _Errors) -> ImportRow:
    account_type = values["account_type"].lower()
    if not account_type:
        errors.add(line, _("the account type is missing; write public or contractor."))
    elif account_type not in IMPORTABLE_TYPES:
        errors.add(
            line,
            _("account type “%(value)s” is not one of: public, contractor.")
            % {"value": values["account_type"]},
        )

    username = values["username"]
    if not username:
        errors.add(line, _("the username is missing."))
    else:
        validators = [User.username_validator]
        if account_type == User.AccountType.CONTRACTOR:
            validators = [license_number_validator]
        try:
            for validator in validators:
                validator(username)
        except ValidationError as error:
            errors.add(
                line,
                _("username “%(value)s”: %(message)s")
                % {"value": username, "message": " ".join(error.messages)},
            )
        else:
            _check_length(errors, line, "username", username, User, "username")

    email = values["email"].lower()
    if not email:
        errors.add(line, _("the email address is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.add(
                line,
                _("“%(value)s” is not a valid email address.") % {"value": values["email"]},
            )
        else:
            _check_length(errors, line, "email", email, User, "email")

    contact: dict[str, str] = {}
    for column, field_name in CONTACT_COLUMNS.items():
        if column not in values:
            continue
        value = values[column]
        if field_name == "address_state":
            value = value.upper()
        _check_length(errors, line, column, value, User, field_name)
        contact[field_name] = value

    profile: dict[str, Any] = {}
    codes: tuple[str, ...] | None = None
    if account_type == User.AccountType.CONTRACTOR:
        business_name = values.get("business_name", "")
        if not business_name:
            errors.add(line, _("a contractor needs a business_name."))
        else:
            _check_length(
                errors, line, "business_name", business_name, ContractorProfile, "business_name"
            )
        profile["business_name"] = business_name
        if "classifications" in values:
            found = []
            for code in values["classifications"].split(CLASSIFICATION_SEPARATOR):
                code = code.strip()
                if code and code.upper() not in (known.upper() for known in found):
                    found.append(code)
            codes = tuple(found)
        for column in ("license_expires_on", "workers_comp_expires_on"):
            if column in values:
                profile[column] = _date_parse(errors, line, column, values[column])
        if "workers_comp_exempt" in values:
            word = values["workers_comp_exempt"].lower()
            if word in TRUE_WORDS:
                profile["workers_comp_exempt"] = True
            elif word in FALSE_WORDS:
                profile["workers_comp_exempt"] = False
            else:
                errors.add(
                    line,
                    _("workers_comp_exempt “%(value)s” must be yes or no.")
                    % {"value": values["workers_comp_exempt"]},
                )
        for column in ("workers_comp_carrier", "workers_comp_policy_number"):
            if column in values:
                _check_length(errors, line, column, values[column], ContractorProfile, column)
                profile[column] = values[column]

    return ImportRow(
        line=line,
        account_type=account_type,
        username=username,
        email=email,
        contact=contact,
        profile=profile,
        classification_codes=codes,
    )


def accounts_import_parse(*, csv_file: TextIO) -> tuple[list[ImportRow], list[str]]:
    """Read and check the file without the database: the rows and the problems found.

    Problems with the file itself (not CSV, a bad header) raise ImportRejected at once;
    problems with rows come back as "line N: ..." messages, in line order.
    """
    errors = _Errors()
    rows = _rows_parse(csv_file, errors)
    return rows, errors.messages()


def _rows_parse(csv_file: TextIO, errors: _Errors) -> list[ImportRow]:
    records = _records(csv_file)
    first = next(records, None)
    if first is None:
        raise ImportRejected([_empty_file_message()])
    header_line, header_cells = first
    header = _header_read(header_line, header_cells)

    rows: list[ImportRow] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            errors.add(
                line,
                _("this row has %(count)d values, but the header names %(columns)d columns.")
                % {"count": len(cells), "columns": len(header)},
            )
        values: dict[str, str] = {}
        for index, name in enumerate(header):
            value = cells[index].strip() if index < len(cells) else ""
            if name:
                values[name] = value
            elif value:
                errors.add(
                    line,
                    _("column %(number)d has a value but no name in the header.")
                    % {"number": index + 1},
                )
        rows.append(_row_parse(line, values, errors))

    first_line_of_username: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        if row.username:
            earlier = first_line_of_username.setdefault(row.username.lower(), row.line)
            if earlier != row.line:
                errors.add(
                    row.line,
                    _("username “%(value)s” is also on line %(other)d.")
                    % {"value": row.username, "other": earlier},
                )
        if row.email:
            earlier = first_line_of_email.setdefault(row.email, row.line)
            if earlier != row.line:
                errors.add(
                    row.line,
                    _("email address “%(value)s” is also on line %(other)d.")
                    % {"value": row.email, "other": earlier},
                )
    return rows


def _chunks(items: Sequence, size: int = QUERY_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_check(rows: list[ImportRow], errors: _Errors) -> list[ImportRow]:
    """Check the rows against the database; the rows come back with their existing accounts."""
    known_codes = {
        code.upper(): code for code in LicenseClassification.objects.values_list("code", flat=True)
    }

    usernames = sorted({row.username.lower() for row in rows if row.username})
    users_by_username: dict[str, list[User]] = defaultdict(list)
    for chunk in _chunks(usernames):
        for user in User.objects.annotate(username_lower=Lower("username")).filter(
            username_lower__in=chunk
        ):
            users_by_username[user.username.lower()].append(user)

    emails = sorted({row.email for row in rows if row.email})
    users_by_email: dict[str, list[User]] = defaultdict(list)
    verified_owners: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(emails):
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk):
            users_by_email[user.email.lower()].append(user)
        for address in EmailAddress.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=chunk, verified=True
        ):
            verified_owners[address.email.lower()].add(address.user_id)

    checked: list[ImportRow] = []
    for row in rows:
        codes = row.classification_codes
        if codes is not None:
            for code in codes:
                if code.upper() not in known_codes:
                    errors.add(
                        row.line,
                        _("unknown license classification “%(code)s”.") % {"code": code},
                    )
            codes = tuple(
                known_codes[code.upper()] for code in codes if code.upper() in known_codes
            )

        existing = _existing_user(row, users_by_username.get(row.username.lower(), []), errors)
        if existing is not None:
            if existing.is_staff or existing.is_superuser or not _type_importable(existing):
                errors.add(
                    row.line,
                    _(
                        "username “%(value)s” belongs to a staff account, which this import "
                        "never changes."
                    )
                    % {"value": row.username},
                )
            elif row.account_type in IMPORTABLE_TYPES and existing.account_type != row.account_type:
                errors.add(
                    row.line,
                    _(
                        "username “%(value)s” belongs to an existing %(existing)s account, "
                        "but this row is for a %(wanted)s account."
                    )
                    % {
                        "value": row.username,
                        "existing": User.AccountType(existing.account_type).label.lower(),
                        "wanted": User.AccountType(row.account_type).label.lower(),
                    },
                )

        if row.email:
            own_id = existing.pk if existing is not None else None
            others = {
                user.username for user in users_by_email.get(row.email, []) if user.pk != own_id
            }
            other_ids = verified_owners.get(row.email, set()) - {own_id}
            if others or other_ids:
                if not others:
                    others = set(
                        User.objects.filter(pk__in=other_ids).values_list("username", flat=True)
                    )
                errors.add(
                    row.line,
                    _("email address “%(value)s” already belongs to another account (%(others)s).")
                    % {"value": row.email, "others": ", ".join(sorted(others))},
                )

        checked.append(
            replace(
                row,
                classification_codes=codes,
                existing_user_id=existing.pk if existing is not None else None,
            )
        )
    return checked


def _type_importable(user: User) -> bool:
    return user.account_type in IMPORTABLE_TYPES


def _existing_user(row: ImportRow, candidates: list[User], errors: _Errors) -> User | None:
    """The account a row updates: same username, capitals aside (an exact match first)."""
    for user in candidates:
        if user.username == row.username:
            return user
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        errors.add(
            row.line,
            _(
                "several accounts have the username “%(value)s” in different capitals (%(names)s); "
                "merge them in the admin first."
            )
            % {
                "value": row.username,
                "names": ", ".join(sorted(user.username for user in candidates)),
            },
        )
    return None


def accounts_import_validate(*, csv_file: TextIO) -> list[ImportRow]:
    """Every row, checked against the file and the database; ImportRejected lists all problems."""
    errors = _Errors()
    rows = _rows_parse(csv_file, errors)
    rows = _rows_check(rows, errors)
    if errors:
        raise ImportRejected(errors.messages())
    return rows


# --- Writing --------------------------------------------------------------------------------


@transaction.atomic
def accounts_import(*, csv_file: TextIO) -> ImportResult:
    """Create or update the accounts in an eTRAKiT CSV export: all rows, or none.

    Raises ImportRejected, listing every problem as "line N: ...", and then writes nothing.
    """
    rows = accounts_import_validate(csv_file=csv_file)
    try:
        with transaction.atomic():
            return _rows_write(rows)
    except IntegrityError:
        # Someone registered or changed an account with the same username or email while
        # the file was being checked.
        raise ImportRejected(
            [
                _(
                    "An account in the file was created or changed by someone else during the "
                    "import. Nothing was saved; import the file again."
                )
            ]
        ) from None


def _rows_write(rows: list[ImportRow]) -> ImportResult:
    classifications = {item.code: item for item in LicenseClassification.objects.all()}
    existing_ids = [row.existing_user_id for row in rows if row.existing_user_id is not None]
    users: dict[int, User] = {}
    profiles: dict[int, ContractorProfile] = {}
    addresses: dict[int, list[EmailAddress]] = defaultdict(list)
    for chunk in _chunks(existing_ids):
        users.update(
            (user.pk, user) for user in User.objects.select_for_update().filter(pk__in=chunk)
        )
        for profile in ContractorProfile.objects.filter(user_id__in=chunk).prefetch_related(
            "classifications"
        ):
            profiles[profile.user_id] = profile
        for address in EmailAddress.objects.filter(user_id__in=chunk):
            addresses[address.user_id].append(address)

    created = updated = unchanged = 0
    for row in rows:
        chosen = [classifications[code] for code in row.classification_codes or ()]
        if row.existing_user_id is None:
            _account_create(row, chosen)
            created += 1
            continue
        user = users[row.existing_user_id]
        changed = _user_update(user, row)
        if row.is_contractor:
            changed |= _profile_update(user, profiles.get(user.pk), row, chosen)
        changed |= _email_address_ensure(user, addresses[user.pk], row.email)
        if changed:
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _change_reason() -> str:
    return _("Imported from the city's previous permit system")


def _profile_fields_apply(profile: ContractorProfile, row: ImportRow) -> None:
    for name, value in row.profile.items():
        setattr(profile, name, value)
    if profile.workers_comp_exempt:
        # No employees, no policy: as when a contractor declares it on the site.
        profile.workers_comp_carrier = ""
        profile.workers_comp_policy_number = ""
        profile.workers_comp_expires_on = None


def _account_create(row: ImportRow, classifications: list[LicenseClassification]) -> User:
    user = User(
        username=row.username,
        account_type=row.account_type,
        email=row.email,
        is_active=True,
        must_change_password=True,
        **row.contact,
    )
    user.set_unusable_password()
    user.save()
    if row.is_contractor:
        profile = ContractorProfile(user=user)
        _profile_fields_apply(profile, row)
        profile._change_reason = _change_reason()
        profile.save()
        profile.classifications.set(classifications)
    EmailAddress.objects.create(user=user, email=row.email, verified=True, primary=True)
    return user


def _user_update(user: User, row: ImportRow) -> bool:
    changed = []
    for name, value in {"email": row.email, **row.contact}.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    if changed:
        user.save(update_fields=changed)
    return bool(changed)


def _profile_update(
    user: User,
    profile: ContractorProfile | None,
    row: ImportRow,
    classifications: list[LicenseClassification],
) -> bool:
    if profile is None:
        profile = ContractorProfile(user=user)
        _profile_fields_apply(profile, row)
        profile._change_reason = _change_reason()
        profile.save()
        profile.classifications.set(classifications)
        return True
    before = {name: getattr(profile, name) for name in CONTRACTOR_VERIFIED_FIELDS}
    _profile_fields_apply(profile, row)
    after = {name: getattr(profile, name) for name in CONTRACTOR_VERIFIED_FIELDS}
    current_ids = {item.pk for item in profile.classifications.all()}
    classifications_changed = row.classification_codes is not None and current_ids != {
        item.pk for item in classifications
    }
    if before == after and not classifications_changed:
        return False
    # What staff verified is no longer what is on file.
    profile.verified_at = None
    profile.verified_by = None
    profile._change_reason = _change_reason()
    profile.save()
    if classifications_changed:
        profile.classifications.set(classifications)
    return True


def _email_address_ensure(user: User, addresses: list[EmailAddress], email: str) -> bool:
    """The city's address is the account's verified, primary address; True if that changed."""
    same = next((address for address in addresses if address.email.lower() == email), None)
    primary = next((address for address in addresses if address.primary), None)
    if same is not None:
        if same.verified and same.primary and same.email == email:
            return False
        if primary is not None and primary.pk != same.pk:
            primary.primary = False
            primary.save(update_fields=["primary"])
        same.email = email
        same.verified = True
        same.primary = True
        same.save(update_fields=["email", "verified", "primary"])
        return True
    if primary is not None:
        primary.email = email
        primary.verified = True
        primary.save(update_fields=["email", "verified"])
        return True
    addresses.append(
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    )
    return True
