"""accounts_import and manage.py import_accounts: accounts from the city's eTRAKiT export."""

import csv
import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.importing import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    ImportRejected,
    ImportResult,
    accounts_import,
    accounts_import_parse,
    import_upload_read,
)
from accounts.models import ContractorProfile, User
from accounts.services import AccountError
from tests.factories import ContractorFactory, LicenseClassificationFactory, UserFactory

HEADER = ",".join(COLUMNS)

PUBLIC = {
    "account_type": "public",
    "username": "rdelgado",
    "email": "Rosa.Delgado@example.org",
    "first_name": "Rosa",
    "last_name": "Delgado",
    "phone": "310-555-0142",
    "address_line1": "30940 Hawthorne Blvd",
    "address_line2": "",
    "city": "Rancho Palos Verdes",
    "state": "CA",
    "postal_code": "90275",
}
CONTRACTOR = {
    "account_type": "contractor",
    "username": "1029384",
    "email": "office@coastline.example.com",
    "first_name": "Sam",
    "last_name": "Ito",
    "phone": "310-555-0199",
    "address_line1": "100 Ocean Ave",
    "city": "Torrance",
    "state": "CA",
    "postal_code": "90501",
    "business_name": "Coastline Builders",
    "classifications": "B;C-10",
    "license_expires_on": "2027-06-30",
    "workers_comp_exempt": "no",
    "workers_comp_carrier": "State Compensation Insurance Fund",
    "workers_comp_policy_number": "WC-1234567",
    "workers_comp_expires_on": "2027-01-31",
}


def csv_text(*rows: dict, columns=COLUMNS) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def run_import(text: str) -> ImportResult:
    return accounts_import(csv_file=io.StringIO(text, newline=""))


def rejected_errors(text: str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        run_import(text)
    return caught.value.errors


@pytest.fixture
def classifications(db):
    return [
        LicenseClassificationFactory(code="B", name="General Building Contractor"),
        LicenseClassificationFactory(code="C-10", name="Electrical"),
        LicenseClassificationFactory(code="C-36", name="Plumbing"),
    ]


def verify(profile: ContractorProfile) -> ContractorProfile:
    profile.verified_at = timezone.now()
    profile.verified_by = UserFactory(username="inspector", is_staff=True, account_type="staff")
    profile.save()
    return profile


# --- Creating --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_and_contractor_accounts_are_created_without_a_password(classifications):
    result = run_import(csv_text(PUBLIC, CONTRACTOR))

    assert result == ImportResult(created=2, updated=0, unchanged=0)
    public = User.objects.get(username="rdelgado")
    assert public.account_type == "public"
    assert public.email == "rosa.delgado@example.org"
    assert (public.first_name, public.last_name, public.phone) == (
        "Rosa",
        "Delgado",
        "310-555-0142",
    )
    assert public.address_city == "Rancho Palos Verdes"
    assert public.address_postal_code == "90275"
    assert not public.has_usable_password()
    assert public.must_change_password
    assert public.is_active
    assert public.security_question is None
    assert not hasattr(public, "contractor_profile")

    contractor = User.objects.get(username="1029384")
    assert contractor.account_type == "contractor"
    assert not contractor.has_usable_password()
    assert contractor.must_change_password
    profile = contractor.contractor_profile
    assert profile.business_name == "Coastline Builders"
    assert sorted(profile.classifications.values_list("code", flat=True)) == ["B", "C-10"]
    assert profile.license_expires_on == datetime.date(2027, 6, 30)
    assert profile.workers_comp_exempt is False
    assert profile.workers_comp_carrier == "State Compensation Insurance Fund"
    assert profile.workers_comp_policy_number == "WC-1234567"
    assert profile.workers_comp_expires_on == datetime.date(2027, 1, 31)
    assert profile.verified_at is None
    assert profile.verified_by is None

    for user in (public, contractor):
        address = EmailAddress.objects.get(user=user)
        assert address.email == user.email
        assert address.verified
        assert address.primary


@pytest.mark.django_db
def test_a_file_with_only_the_required_columns_and_a_byte_order_mark(classifications):
    text = "\ufeffAccount_Type, Username ,EMAIL\r\npublic,jlee,jlee@example.org\r\n\r\n"
    assert run_import(text) == ImportResult(created=1)
    assert User.objects.get(username="jlee").email == "jlee@example.org"


@pytest.mark.django_db
def test_an_exempt_contractor_keeps_no_policy_and_yes_words_are_read(classifications):
    exempt = {**CONTRACTOR, "workers_comp_exempt": "YES", "classifications": " c-36 ; "}
    run_import(csv_text(exempt))
    profile = ContractorProfile.objects.get(user__username="1029384")
    assert profile.workers_comp_exempt is True
    assert profile.workers_comp_carrier == ""
    assert profile.workers_comp_policy_number == ""
    assert profile.workers_comp_expires_on is None
    assert list(profile.classifications.values_list("code", flat=True)) == ["C-36"]


# --- Importing again -------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(classifications):
    text = csv_text(PUBLIC, CONTRACTOR)
    run_import(text)
    profile_history = ContractorProfile.history.count()

    assert run_import(text) == ImportResult(created=0, updated=0, unchanged=2)
    assert User.objects.count() == 2
    assert EmailAddress.objects.count() == 2
    assert ContractorProfile.objects.count() == 1
    assert ContractorProfile.history.count() == profile_history


@pytest.mark.django_db
def test_importing_changes_updates_details_but_never_the_password_or_security_answer(
    classifications,
):
    existing = UserFactory(username="RDelgado", email="old@example.org", phone="310-555-0000")
    contractor = ContractorFactory(username="1029384", email="office@coastline.example.com")
    contractor.is_active = False
    contractor.save()
    password_hash = existing.password
    answer_hash = existing.security_answer_hash
    EmailAddress.objects.create(
        user=existing, email="old@example.org", verified=False, primary=True
    )

    result = run_import(csv_text(PUBLIC, CONTRACTOR))

    assert result == ImportResult(created=0, updated=2, unchanged=0)
    assert User.objects.count() == 2
    existing.refresh_from_db()
    assert existing.username == "RDelgado"
    assert existing.email == "rosa.delgado@example.org"
    assert existing.phone == "310-555-0142"
    assert existing.password == password_hash
    assert check_password("correct-horse-battery", existing.password)
    assert existing.must_change_password is False
    assert existing.security_answer_hash == answer_hash
    assert existing.security_question is not None
    addresses = EmailAddress.objects.filter(user=existing)
    assert [(a.email, a.verified, a.primary) for a in addresses] == [
        ("rosa.delgado@example.org", True, True)
    ]

    contractor.refresh_from_db()
    assert contractor.is_active is False
    assert contractor.contractor_profile.business_name == "Coastline Builders"
    assert ContractorProfile.objects.count() == 1
    assert EmailAddress.objects.filter(user=contractor).count() == 1

    assert run_import(csv_text(PUBLIC, CONTRACTOR)) == ImportResult(unchanged=2)


@pytest.mark.django_db
def test_a_secondary_address_that_matches_becomes_the_primary_one(classifications):
    existing = UserFactory(username="rdelgado", email="old@example.org")
    EmailAddress.objects.create(user=existing, email="old@example.org", verified=True, primary=True)
    EmailAddress.objects.create(
        user=existing, email="rosa.delgado@example.org", verified=False, primary=False
    )

    assert run_import(csv_text(PUBLIC)) == ImportResult(updated=1)

    addresses = {
        a.email: (a.verified, a.primary) for a in EmailAddress.objects.filter(user=existing)
    }
    assert addresses == {
        "old@example.org": (True, False),
        "rosa.delgado@example.org": (True, True),
    }


@pytest.mark.django_db
def test_columns_missing_from_the_file_are_left_as_they_are(classifications):
    existing = UserFactory(username="rdelgado", email="rosa.delgado@example.org")
    text = "account_type,username,email\npublic,rdelgado,rosa.delgado@example.org\n"
    assert run_import(text) == ImportResult(updated=1)  # only the verified address is new
    existing.refresh_from_db()
    assert existing.phone == "310-555-0142"
    assert existing.address_line1 == "30940 Hawthorne Blvd"


@pytest.mark.django_db
def test_a_contractor_account_without_a_profile_gets_one(classifications):
    user = UserFactory(username="1029384", account_type="contractor", email=CONTRACTOR["email"])
    assert run_import(csv_text(CONTRACTOR)) == ImportResult(updated=1)
    profile = ContractorProfile.objects.get(user=user)
    assert profile.business_name == "Coastline Builders"
    assert profile.verified_at is None
    assert User.objects.count() == 1


# --- Verification ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_changes_keep_the_verification(classifications):
    run_import(csv_text(CONTRACTOR))
    profile = verify(ContractorProfile.objects.get())

    moved = {**CONTRACTOR, "phone": "310-555-0111", "address_line1": "200 Pier Ave"}
    assert run_import(csv_text(moved)) == ImportResult(updated=1)

    profile.refresh_from_db()
    assert profile.verified_at is not None
    assert profile.verified_by is not None


@pytest.mark.parametrize(
    "change",
    [
        {"license_expires_on": "2029-06-30"},
        {"classifications": "B"},
        {"workers_comp_policy_number": "WC-7654321"},
        {"workers_comp_expires_on": "2028-01-31"},
        {"workers_comp_exempt": "yes"},
    ],
)
@pytest.mark.django_db
def test_license_or_insurance_changes_clear_the_verification(classifications, change):
    run_import(csv_text(CONTRACTOR))
    profile = verify(ContractorProfile.objects.get())

    assert run_import(csv_text({**CONTRACTOR, **change})) == ImportResult(updated=1)

    profile.refresh_from_db()
    assert profile.verified_at is None
    assert profile.verified_by is None


@pytest.mark.django_db
def test_reimporting_unchanged_license_data_keeps_the_verification(classifications):
    run_import(csv_text(CONTRACTOR))
    profile = verify(ContractorProfile.objects.get())
    assert run_import(csv_text({**CONTRACTOR, "classifications": "C-10;B"})) == ImportResult(
        unchanged=1
    )
    profile.refresh_from_db()
    assert profile.verified_at is not None


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_required_columns_are_named(classifications):
    text = "account_type,first_name\npublic,Rosa\n"
    assert rejected_errors(text) == [
        "line 1: the header lacks the required columns username, email."
    ]


@pytest.mark.django_db
def test_unknown_columns_are_named(classifications):
    text = "account_type,username,emial,email,zip\npublic,rdelgado,x,rosa@example.org,90275\n"
    (error,) = rejected_errors(text)
    assert error.startswith("line 1: unknown columns emial, zip.")
    assert User.objects.count() == 0


ROW_ERRORS = [
    pytest.param(
        {**PUBLIC, "account_type": "staff"}, "account type “staff” is not one of", id="type"
    ),
    pytest.param({**PUBLIC, "account_type": ""}, "the account type is missing", id="no-type"),
    pytest.param({**PUBLIC, "username": ""}, "the username is missing", id="no-username"),
    pytest.param({**PUBLIC, "username": "rosa delgado"}, "Enter a valid username", id="username"),
    pytest.param(
        {**CONTRACTOR, "username": "CA1029384"},
        "A CSLB license number is digits only",
        id="license-number",
    ),
    pytest.param({**PUBLIC, "email": ""}, "the email address is missing", id="no-email"),
    pytest.param(
        {**PUBLIC, "email": "rosa@"}, "“rosa@” is not a valid email address", id="bad-email"
    ),
    pytest.param(
        {**CONTRACTOR, "business_name": ""}, "a contractor needs a business_name", id="business"
    ),
    pytest.param(
        {**CONTRACTOR, "classifications": "B;C-99"},
        "unknown license classification “C-99”",
        id="classification",
    ),
    pytest.param(
        {**CONTRACTOR, "license_expires_on": "06/30/2027"},
        "license_expires_on “06/30/2027” is not a date written as YYYY-MM-DD",
        id="date-format",
    ),
    pytest.param(
        {**CONTRACTOR, "workers_comp_expires_on": "2027-02-30"},
        "workers_comp_expires_on “2027-02-30” is not a date",
        id="impossible-date",
    ),
    pytest.param(
        {**CONTRACTOR, "workers_comp_exempt": "maybe"},
        "workers_comp_exempt “maybe” must be yes or no",
        id="exempt",
    ),
    pytest.param({**PUBLIC, "state": "California"}, "state is longer than 2 characters", id="len"),
]


@pytest.mark.parametrize(("row", "message"), ROW_ERRORS)
@pytest.mark.django_db
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(classifications, row, message):
    good = {**PUBLIC, "username": "jlee", "email": "jlee@example.org"}
    text = csv_text(good, row)

    errors = rejected_errors(text)

    assert len(errors) == 1, errors
    assert errors[0].startswith("line 3: ")
    assert message in errors[0]
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0


@pytest.mark.django_db
def test_duplicates_within_the_file_are_reported_on_the_later_line(classifications):
    text = csv_text(
        PUBLIC,
        {**PUBLIC, "username": "RDELGADO", "email": "other@example.org"},
        {**PUBLIC, "username": "jlee", "email": "ROSA.delgado@example.org"},
    )
    assert rejected_errors(text) == [
        "line 3: username “RDELGADO” is also on line 2.",
        "line 4: email address “rosa.delgado@example.org” is also on line 2.",
    ]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_an_email_of_another_existing_account_is_refused(classifications):
    UserFactory(username="someoneelse", email="ROSA.DELGADO@example.org")
    before = User.objects.count()
    assert rejected_errors(csv_text(PUBLIC)) == [
        "line 2: email address “rosa.delgado@example.org” already belongs to another account "
        "(someoneelse)."
    ]
    assert User.objects.count() == before


@pytest.mark.django_db
def test_an_email_verified_by_another_account_is_refused(classifications):
    other = UserFactory(username="someoneelse", email="someone@example.org")
    EmailAddress.objects.create(user=other, email="rosa.delgado@example.org", verified=True)
    (error,) = rejected_errors(csv_text(PUBLIC))
    assert error.startswith("line 2: email address “rosa.delgado@example.org” already belongs")


@pytest.mark.django_db
def test_an_existing_account_of_another_type_is_refused(classifications):
    ContractorFactory(username="1029384", email="office@coastline.example.com")
    UserFactory(username="admin", email="admin@example.org", is_staff=True, is_superuser=True)
    before = User.objects.count()
    text = csv_text(
        {**PUBLIC, "username": "1029384", "email": "office@coastline.example.com"},
        {**PUBLIC, "username": "Admin", "email": "admin@example.org"},
    )
    assert rejected_errors(text) == [
        "line 2: username “1029384” belongs to an existing contractor account, but this row is "
        "for a public account.",
        "line 3: username “Admin” belongs to a staff account, which this import never changes.",
    ]
    assert User.objects.count() == before
    assert EmailAddress.objects.count() == 0


@pytest.mark.django_db
def test_every_error_is_reported_and_lines_count_values_that_span_lines(classifications):
    wrapped = {**PUBLIC, "address_line2": "Suite 5\nBuilding B"}  # lines 2 and 3
    text = csv_text(
        wrapped,
        {**PUBLIC, "username": "jlee", "email": "not-an-email"},
        {**CONTRACTOR, "license_expires_on": "soon", "classifications": "Z"},
    )
    errors = rejected_errors(text)
    assert errors == [
        "line 4: “not-an-email” is not a valid email address.",
        "line 5: license_expires_on “soon” is not a date written as YYYY-MM-DD, such as "
        "2027-06-30.",
        "line 5: unknown license classification “Z”.",
    ]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_row_with_more_values_than_columns_is_refused(classifications):
    text = "account_type,username,email\npublic,jlee,jlee@example.org,extra\n"
    assert rejected_errors(text) == [
        "line 2: this row has 4 values, but the header names 3 columns."
    ]


def test_parsing_alone_needs_no_database():
    rows, errors = accounts_import_parse(
        csv_file=io.StringIO(
            csv_text(PUBLIC, {**PUBLIC, "username": "x y", "email": "xy@example.org"}),
            newline="",
        )
    )
    assert [row.line for row in rows] == [2, 3]
    assert rows[0].contact["address_city"] == "Rancho Palos Verdes"
    assert len(errors) == 1
    assert errors[0].startswith("line 3: username “x y”")


@pytest.mark.django_db
def test_the_rejection_is_an_account_error_with_every_message(classifications):
    with pytest.raises(AccountError) as caught:
        run_import(csv_text({**PUBLIC, "email": ""}, {**PUBLIC, "username": ""}))
    assert str(caught.value) == (
        "line 2: the email address is missing.\nline 3: the username is missing."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty."),
        ('account_type,username,email\npublic,"jlee,jlee@example.org\n', "cannot be read as CSV"),
        ("a\x00b,c\n", "binary data"),
        ("hello, this is a letter\nnot a spreadsheet\n", "line 1: the header lacks"),
    ],
)
@pytest.mark.django_db
def test_a_file_that_is_not_csv_gets_a_readable_message(text, message):
    errors = rejected_errors(text)
    assert message in errors[0]


# --- Uploads ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_is_read_as_text_and_imported(classifications):
    data = ("\ufeff" + csv_text(PUBLIC, CONTRACTOR)).encode()
    upload = SimpleUploadedFile("etrakit.csv", data, content_type="text/csv")
    assert accounts_import(csv_file=import_upload_read(uploaded_file=upload)).created == 2


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("account_type,username,email\npublic,jos\xe9,j@example.org\n".encode("latin-1"), "line 2"),
        (PNG, "not UTF-8 text"),
        ("account_type,username,email\n".encode("utf-16"), "not UTF-8 text"),
        (b"\x00\x01\x02\x03", "binary data"),
        (b"", "empty"),
    ],
)
def test_an_upload_that_is_not_utf8_text_is_refused(data, message):
    upload = SimpleUploadedFile("accounts.csv", data, content_type="text/csv")
    with pytest.raises(ImportRejected) as caught:
        import_upload_read(uploaded_file=upload)
    (error,) = caught.value.errors
    assert message in error


def test_an_upload_over_five_megabytes_is_refused():
    data = HEADER.encode() + b"\n" + b"x" * MAX_UPLOAD_BYTES
    upload = SimpleUploadedFile("big.csv", data, content_type="text/csv")
    with pytest.raises(ImportRejected) as caught:
        import_upload_read(uploaded_file=upload)
    assert caught.value.errors == [
        "The file is larger than 5 MB. Split it into smaller files and import each."
    ]


def test_an_upload_that_misreports_its_size_is_still_refused():
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_UPLOAD_BYTES + 10))
    upload.size = 10
    with pytest.raises(ImportRejected):
        import_upload_read(uploaded_file=upload)


# --- The command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_and_reports_counts(classifications, tmp_path):
    path = tmp_path / "etrakit.csv"
    path.write_text(csv_text(PUBLIC, CONTRACTOR), encoding="utf-8-sig")
    stdout = io.StringIO()

    call_command("import_accounts", str(path), stdout=stdout)
    assert stdout.getvalue().strip() == "Created 2, updated 0, unchanged 0."

    stdout = io.StringIO()
    call_command("import_accounts", str(path), stdout=stdout)
    assert stdout.getvalue().strip() == "Created 0, updated 0, unchanged 2."


@pytest.mark.django_db
def test_the_command_prints_every_error_and_writes_nothing(classifications, tmp_path):
    path = tmp_path / "etrakit.csv"
    path.write_text(
        csv_text(
            PUBLIC,
            {**CONTRACTOR, "username": "C1029384"},
            {**PUBLIC, "username": "jlee", "email": "x"},
        ),
        encoding="utf-8",
    )
    stdout, stderr = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_accounts", str(path), stdout=stdout, stderr=stderr)

    assert caught.value.returncode == 1
    assert "2 problems" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("line 3: username “C1029384”: A CSLB license number is digits only")
    assert lines[1] == "line 4: “x” is not a valid email address."
    assert stdout.getvalue() == ""
    assert User.objects.count() == 0


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"There is no file at .*nowhere\.csv"):
        call_command("import_accounts", str(tmp_path / "nowhere.csv"))


def run_manage(*argv: str) -> int:
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", *argv]).execute()
    return caught.value.code


def test_the_command_exits_with_status_1_on_a_missing_or_binary_file(tmp_path, capsys):
    assert run_manage("import_accounts", str(tmp_path / "nowhere.csv")) == 1
    assert "There is no file at" in capsys.readouterr().err

    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG)
    assert run_manage("import_accounts", str(picture)) == 1
    err = capsys.readouterr().err
    assert "line 1: the file is not UTF-8 text" in err
    assert "Traceback" not in err


def test_the_command_explains_itself(capsys):
    assert run_manage("import_accounts", "--help") == 0
    out = capsys.readouterr().out
    assert "eTRAKiT" in out
    assert "FILE.csv" in out
