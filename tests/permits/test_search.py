"""The public permit search: every key in every spelling, filters, pages, and on Postgres
the indexes that keep it fast."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from payments.models import Payment
from payments.services import payment_record_counter
from permits.forms import PermitSearchForm
from permits.models import Permit, PermitType, number_compact
from permits.selectors import PermitSearch, permit_search
from tests.factories import UserFactory
from tests.permits.support import permit_submitted

SEARCH = reverse("permits:search")
BASE_TIME = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 0))


def _permit(applicant, prefix="WHTR", seq=1, *, year=2025, save=True, **fields) -> Permit:
    """A permit row as submission leaves it, made directly: the search only reads."""
    number = f"{prefix}{year}-{seq:04d}"
    values = {
        "status": Permit.Status.ISSUED,
        "site_address": f"{100 + seq} Crest Rd",
        "site_city": "Rancho Palos Verdes",
        "site_postal_code": "90275",
        "submitted_at": BASE_TIME + datetime.timedelta(hours=seq),
        "issued_on": datetime.date(2025, 3, 2),
        **fields,
    }
    permit = Permit(
        permit_type=PermitType.objects.get(code_prefix=prefix),
        applicant=applicant,
        number=number,
        number_compact=number_compact(number),
        **values,
    )
    if save:
        permit.save()
    return permit


def _numbers(page: str) -> list[str]:
    """The permit numbers the results list links to, in the order shown."""
    return re.findall(r'<h3 class="h5 card-title"><a href="/permits/[^"]+/">([^<]+)</a>', page)


def _search(client, **params) -> str:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def issued(homeowner, contractor, clerk):
    """A reroof of 30940 Hawthorne Blvd by Coastline Roofing, applied for, paid, issued."""
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    payment_record_counter(
        invoice=permit.invoice,
        method=Payment.Method.CASH,
        receipt_number="R-100",
        recorded_by=clerk,
    )
    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    return permit


@pytest.fixture
def neighbour(demo_city):
    """Other permits on other streets, so a search that matched everything would show."""
    applicant = UserFactory(first_name="Ada", last_name="Neighbour")
    return [
        _permit(applicant, "WHTR", 1, site_address="28000 Western Ave"),
        _permit(applicant, "EPNL", 2, site_address="5 Palos Verdes Dr E"),
    ]


# Keys and spellings ---------------------------------------------------------------------


def test_a_permit_number_in_any_spelling_finds_that_permit(client, issued, neighbour):
    prefix, sequence = issued.number.split("-")
    spellings = [
        issued.number,
        issued.number.lower(),
        prefix + sequence,
        f"{prefix.lower()} {sequence}",
        f"  {prefix.lower()}   {sequence} ",
    ]
    for spelling in spellings:
        assert _numbers(_search(client, q=spelling)) == [issued.number], spelling


def test_an_exact_number_is_the_only_result_while_its_start_lists_many(client, demo_city):
    applicant = UserFactory()
    for seq in (1, 10, 11, 12):
        _permit(applicant, "RERF", seq)
    _permit(applicant, "WHTR", 1)

    assert _numbers(_search(client, q="rerf2025-0001")) == ["RERF2025-0001"]
    assert _numbers(_search(client, q="RERF2025-001")) == [
        "RERF2025-0012",
        "RERF2025-0011",
        "RERF2025-0010",
    ]
    assert len(_numbers(_search(client, q="rerf2025"))) == 4


@pytest.mark.parametrize(
    "query",
    ["30940 hawthorne", "30940 Hawthorne Blvd", "30940  HAWTHORNE", "hawthorne", "thorne blvd"],
)
def test_an_address_finds_the_permit_with_or_without_the_house_number(
    client, issued, neighbour, query
):
    assert _numbers(_search(client, q=query)) == [issued.number]


def test_a_house_number_must_be_the_one_of_the_site(client, issued, neighbour):
    assert _numbers(_search(client, q="3094 hawthorne")) == []
    assert _numbers(_search(client, q="30941 hawthorne")) == []
    assert _numbers(_search(client, q="30940")) == [issued.number]
    assert _numbers(_search(client, q="0940")) == []


def test_a_contractor_license_number_finds_their_permits(client, issued, neighbour, contractor):
    assert _numbers(_search(client, q=contractor.username)) == [issued.number]
    assert _numbers(_search(client, q=contractor.username[:-1])) == []


@pytest.mark.parametrize("query", ["Coastline Roofing", "coastline", "ROOFING", "line roo"])
def test_part_of_a_business_name_finds_their_permits(client, issued, neighbour, query):
    assert _numbers(_search(client, q=query)) == [issued.number]


def test_a_result_shows_type_status_address_issue_date_and_contractor(client, issued):
    page = _search(client, q=issued.number)
    link = reverse("permits:public", args=[issued.number])
    assert f'<a href="{link}">{issued.number}</a>' in page
    assert "Reroof" in page
    assert "Issued" in page
    assert "30940 Hawthorne Blvd, Rancho Palos Verdes 90275" in page
    assert f'<dd class="col-sm-9">{date_format(issued.issued_on)}</dd>' in page
    assert "Coastline Roofing" in page


def test_results_name_no_applicant(client, issued, homeowner):
    homeowner.phone = "424-555-0199"
    homeowner.save()
    page = _search(client, q="hawthorne")
    assert _numbers(page) == [issued.number]
    for personal in (homeowner.last_name, homeowner.email, homeowner.phone):
        assert personal not in page


def test_an_owner_builder_permit_says_so(client, demo_city):
    _permit(UserFactory(), "EPNL", 1, work_by=Permit.WorkBy.OWNER_BUILDER)
    page = _search(client, q="EPNL2025-0001")
    assert "Owner-builder" in page


# Drafts, filters, order and pages -------------------------------------------------------


def test_drafts_never_appear(client, issued, homeowner):
    draft = Permit.objects.create(
        permit_type=issued.permit_type,
        applicant=homeowner,
        site_address="30940 Hawthorne Blvd",
        site_city="Rancho Palos Verdes",
        site_postal_code="90275",
        contractor_business_name="Coastline Roofing",
    )
    assert draft.status == Permit.Status.DRAFT
    for query in ("hawthorne", "coastline"):
        assert _numbers(_search(client, q=query)) == [issued.number]
    assert permit_search(PermitSearch(query="hawthorne")).count() == 1


def test_the_filters_narrow_by_type_status_and_issue_date(client, demo_city):
    applicant = UserFactory()
    march = _permit(applicant, "WHTR", 1, issued_on=datetime.date(2025, 3, 5))
    april = _permit(applicant, "WHTR", 2, issued_on=datetime.date(2025, 4, 5))
    reroof = _permit(applicant, "RERF", 3, issued_on=datetime.date(2025, 3, 20))
    in_review = _permit(applicant, "RERF", 4, status=Permit.Status.IN_REVIEW, issued_on=None)
    whtr = PermitType.objects.get(code_prefix="WHTR")

    assert _numbers(_search(client, permit_type=whtr.pk)) == [april.number, march.number]
    assert _numbers(_search(client, status="in_review")) == [in_review.number]
    assert _numbers(_search(client, issued_from="2025-03-10")) == [reroof.number, april.number]
    assert _numbers(_search(client, issued_to="2025-03-31")) == [reroof.number, march.number]
    assert _numbers(
        _search(client, issued_from="2025-03-01", issued_to="2025-03-31", permit_type=whtr.pk)
    ) == [march.number]
    assert _numbers(_search(client, q="crest", status="issued", permit_type=whtr.pk)) == [
        april.number,
        march.number,
    ]


def test_an_exact_number_still_obeys_the_filters(client, demo_city):
    permit = _permit(UserFactory(), "WHTR", 1)
    assert _numbers(_search(client, q=permit.number, status="finaled")) == []
    assert _numbers(_search(client, q=permit.number, status="issued")) == [permit.number]


def test_the_type_filter_offers_online_types_and_types_with_permits(demo_city):
    counter_only = PermitType.objects.filter(code_prefix="WHTR").get()
    counter_only.is_online = False
    counter_only.save()
    form = PermitSearchForm()
    offered = {permit_type.code_prefix for permit_type in form.fields["permit_type"].queryset}
    assert "WHTR" not in offered and "RERF" in offered

    _permit(UserFactory(), "WHTR", 1)
    form = PermitSearchForm()
    offered = {permit_type.code_prefix for permit_type in form.fields["permit_type"].queryset}
    assert "WHTR" in offered


def test_the_status_filter_offers_no_draft(client, db):
    page = _search(client)
    statuses = re.search(r'<select name="status".*?</select>', page, re.S).group(0)
    assert 'value="issued"' in statuses
    assert 'value="draft"' not in statuses


def test_results_come_newest_first_25_a_page_and_the_links_keep_the_search(client, demo_city):
    applicant = UserFactory()
    for seq in range(1, 31):
        _permit(applicant, "WHTR", seq)

    first = _search(client, q="crest rd", status="issued")
    assert _numbers(first) == [f"WHTR2025-{seq:04d}" for seq in range(30, 5, -1)]
    assert "30 permits found" in first
    assert "Showing 1 to 25" in first
    assert 'href="?q=crest+rd&amp;status=issued&amp;page=2"' in first

    second = _search(client, q="crest rd", status="issued", page=2)
    assert _numbers(second) == [f"WHTR2025-{seq:04d}" for seq in range(5, 0, -1)]
    assert 'href="?q=crest+rd&amp;status=issued&amp;page=1"' in second
    assert 'aria-current="page"' in second

    # A page past the end or no number at all still shows results, never an error.
    assert _numbers(_search(client, q="crest rd", page=99)) == _numbers(second)
    assert _numbers(_search(client, q="crest rd", page="x")) == _numbers(first)


def test_the_count_is_announced_and_no_match_explained(client, issued):
    page = _search(client, q=issued.number)
    assert '<h2 id="results-heading">1 permit found</h2>' in page
    assert "<title>1 permit found · Search permits" in page
    page = _search(client, q="nowhere lane")
    assert '<h2 id="results-heading">0 permits found</h2>' in page
    assert "No permit matches." in page


# Empty and bad input --------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"page": "2"}])
def test_an_empty_search_shows_the_form_and_a_hint_not_every_permit(client, neighbour, params):
    page = _search(client, **params)
    assert 'id="search-hint"' in page
    assert "found" not in page
    assert _numbers(page) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"issued_from": "2025-13-45"}, "issued_from", "Enter a valid date."),
        ({"issued_to": "yesterday"}, "issued_to", "Enter a valid date."),
        ({"permit_type": "999999"}, "permit_type", "Select a valid choice."),
        ({"permit_type": "x'; drop"}, "permit_type", "Select a valid choice."),
        ({"permit_type": "99999999999999999999999"}, "permit_type", "Select a valid choice."),
        ({"status": "draft"}, "status", "Select a valid choice."),
        ({"status": "bogus"}, "status", "Select a valid choice."),
        ({"q": "ab"}, "q", "Enter at least 3 characters."),
        ({"q": "x" * 121}, "q", "at most 120 characters"),
        ({"q": "30940\x00hawthorne"}, "q", "Null characters are not allowed."),
        ({"issued_from": "2025-01-01\x00"}, "issued_from", "Enter a valid date."),
        (
            {"issued_from": "2025-04-01", "issued_to": "2025-03-01"},
            "issued_to",
            "This date is before",
        ),
    ],
)
def test_a_bad_value_gets_a_message_beside_its_field(client, neighbour, params, field, message):
    page = _search(client, q=params.pop("q", "hawthorne"), **params)
    error = re.search(rf'<div id="id_{field}_error"[^>]*>(.*?)</div>', page, re.S)
    assert error is not None and message in error.group(1)
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in page or (
        f'aria-describedby="id_{field}_error"' in page
    )
    assert "<title>Error:" in page
    assert _numbers(page) == []


# Queries and indexes --------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 60])
def test_the_number_of_queries_does_not_grow_with_the_results(
    client, demo_city, django_assert_max_num_queries, count
):
    applicant = UserFactory()
    contractor_names = ["Coastline Roofing", "Peninsula Electric", ""]
    for seq in range(1, count + 1):
        _permit(
            applicant,
            ("WHTR", "RERF", "EPNL")[seq % 3],
            seq,
            contractor_business_name=contractor_names[seq % 3],
            work_by=Permit.WorkBy.CONTRACTOR if seq % 3 < 2 else Permit.WorkBy.OWNER_BUILDER,
        )
    # The layout's city and contacts, the exact-number check, the count, the type filter's
    # choices and the page of results: the same six however many permits match.
    with django_assert_max_num_queries(6):
        page = _search(client, q="crest")
    assert len(_numbers(page)) == min(count, 25)
    with django_assert_max_num_queries(6):
        page = _search(client, q="WHTR2025-0003")
    assert _numbers(page) == ["WHTR2025-0003"]


@pytest.mark.postgres("trigram indexes")
def test_the_migration_created_the_trigram_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'permits_permit'"
        )
        indexes = dict(cursor.fetchall())
    for name, column in (
        ("permit_site_address_trgm", "site_address"),
        ("permit_contractor_name_trgm", "contractor_business_name"),
    ):
        definition = " ".join(indexes[name].lower().split())
        assert "using gin" in definition
        assert f"upper(({column})::text) gin_trgm_ops" in definition


@pytest.mark.postgres("trigram indexes")
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("30940 hawthorne", "permit_site_address_trgm"),
        ("hawthorne blvd", "permit_site_address_trgm"),
        ("coastline", "permit_contractor_name_trgm"),
        ("RERF2025", "number_compact"),
    ],
)
def test_the_search_sql_can_use_the_indexes(demo_city, query, index):
    """With sequential scans priced out, the plan names the index only if the SQL the
    selector emits matches the indexed expression."""
    applicant = UserFactory()
    # Enough rows, and fresh statistics, that "every public permit has a number" is known
    # to filter nothing and the planner looks for a better index.
    template = _permit(applicant, "RERF", 1, save=False)
    Permit.objects.bulk_create(
        Permit(
            permit_type=template.permit_type,
            applicant=applicant,
            status=template.status,
            number=f"RERF2025-{seq:04d}",
            number_compact=f"RERF2025{seq:04d}",
            site_address=f"{seq} Crest Rd",
            site_city=template.site_city,
            site_postal_code=template.site_postal_code,
            submitted_at=template.submitted_at,
        )
        for seq in range(1, 5001)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE permits_permit")
        # A table this small is cheapest to read whole or along any index; priced out,
        # only an index the search's conditions can use is left.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = permit_search(PermitSearch(query=query)).explain()
    assert index in plan, plan
