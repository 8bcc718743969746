"""Public permit search on a city's whole history: generate permits, time the searches,
show the plans Postgres picks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python benchmarks/permit_search.py --permits 200000

The database is migrated and given the demo city's permit types; the permits are added to
whatever is there (run it on a scratch database). --no-generate times an existing set.
Not part of the test suite: it takes minutes and needs Postgres.
"""

import argparse
import datetime
import importlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# A machine with real services runs as development only when told; this is one.
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from permits.models import Permit, PermitNumberCounter, PermitType, number_compact  # noqa: E402
from permits.numbering import SEQUENCE_DIGITS  # noqa: E402
from permits.selectors import PermitSearch, permit_search  # noqa: E402
from permits.views.public import RESULTS_PER_PAGE  # noqa: E402

STREET_WORDS = (
    "Hawthorne", "Crenshaw", "Silver Spur", "Crest", "Western", "Miraleste", "Seacrest",
    "Bayridge", "Cordoba", "Colinita", "Alicia", "Capri", "Del Cerro", "Ganado",
    "Golden Meadow", "Highridge", "Montemalaga", "Narcissa", "Peninsula Verde", "Ridgecrest",
    "Rockinghorse", "Sunnyside", "Tarapaca", "Valley View", "Vanderlip", "Whitley Collins",
    "Windport", "Ocean Terrace", "Sea Cove", "Lunada Bay", "Abalone Cove", "Portuguese Bend",
    "Forrestal", "Basswood", "Beechgate", "Cayuse", "Chandeleur", "Coolheights", "Dauntless",
    "Doverridge", "Eddinghill", "Elkmont", "Exultant", "Faircove", "Fernhill", "Grayslake",
    "Hightide", "Island View", "Jaybrook", "Kingsridge", "Lomita", "Mazur", "Monero",
    "Newridge", "Oceanaire", "Packet", "Parkhurst", "Pirate", "Quailwood", "Rue Valois",
    "Scotwood", "Shorewood", "Stonecrest", "Sweetbay", "Trudie", "Upland", "Wayfarer",
)  # fmt: skip
STREET_KINDS = ("Rd", "Dr", "Ave", "Ln", "Pl", "Ct", "Way", "Blvd", "Cir", "St")
TRADE_WORDS = (
    "Roofing",
    "Electric",
    "Plumbing",
    "Builders",
    "Construction",
    "Solar",
    "Heating & Air",
    "Remodeling",
    "Pools",
    "Water Heaters",
)
BUSINESS_WORDS = (
    "Coastline", "Peninsula", "South Bay", "Palos Verdes", "Harbor", "Pacific", "Bluff",
    "Catalina", "Channel", "Redondo", "Torrance", "Lomita", "Seaside", "Golden State",
    "Sunset", "Hillside", "Canyon", "Ridgeline", "Summit", "Anchor", "Pelican", "Marlin",
    "Driftwood", "Tidewater", "Beacon", "Mariner", "Compass",
)  # fmt: skip
BUSINESS_ENDINGS = ("Inc.", "Co.", "LLC", "& Sons", "Group", "")
# (status, weight) as a city's history holds them: most permits long since finaled.
STATUSES = (
    (Permit.Status.FINALED, 36),
    (Permit.Status.ISSUED, 18),
    (Permit.Status.EXPIRED, 14),
    (Permit.Status.APPROVED, 4),
    (Permit.Status.SUBMITTED, 4),
    (Permit.Status.IN_REVIEW, 5),
    (Permit.Status.CORRECTIONS_REQUESTED, 2),
    (Permit.Status.RESUBMITTED, 1),
    (Permit.Status.DENIED, 3),
    (Permit.Status.WITHDRAWN, 3),
    (Permit.Status.DRAFT, 10),
)
ISSUED_STATUSES = {Permit.Status.FINALED, Permit.Status.ISSUED, Permit.Status.EXPIRED}
BATCH = 5000
MINUTE = datetime.timedelta(minutes=1)
# Nobody logs in as a generated user.
UNUSABLE_PASSWORD = make_password(None)


def _streets(rng: random.Random) -> list[str]:
    streets = {f"{word} {kind}" for word in STREET_WORDS for kind in rng.sample(STREET_KINDS, 3)}
    streets |= {f"Via {word}" for word in STREET_WORDS}
    return sorted(streets)


def _users(tag: str, count: int, contractors: int, rng: random.Random):
    """Applicants, and contractors whose username is their license number."""
    User.objects.bulk_create(
        (
            User(
                username=f"{tag}-{index}",
                email=f"{tag}-{index}@bench.example",
                first_name=rng.choice(("Rosa", "Ada", "Kenji", "Maria", "Sam", "Priya")),
                last_name=rng.choice(("Delgado", "Nakamura", "Okafor", "Smith", "Ivanova")),
                password=UNUSABLE_PASSWORD,
            )
            for index in range(count)
        ),
        batch_size=BATCH,
    )
    taken = set(User.objects.filter(username__regex=r"^[0-9]+$").values_list("username", flat=True))
    licenses = []
    while len(licenses) < contractors:
        license_number = str(rng.randint(100000, 1099999))
        if license_number not in taken:
            taken.add(license_number)
            licenses.append(license_number)
    User.objects.bulk_create(
        User(
            username=license_number,
            email=f"{tag}-{license_number}@bench.example",
            account_type=User.AccountType.CONTRACTOR,
            password=UNUSABLE_PASSWORD,
        )
        for license_number in licenses
    )
    applicants = list(
        User.objects.filter(username__startswith=f"{tag}-").values_list("pk", flat=True)
    )
    contractor_rows = []
    for user_id, license_number in User.objects.filter(username__in=licenses).values_list(
        "pk", "username"
    ):
        name = " ".join(
            part
            for part in (
                rng.choice(BUSINESS_WORDS),
                rng.choice(TRADE_WORDS),
                rng.choice(BUSINESS_ENDINGS),
            )
            if part
        )
        contractor_rows.append((user_id, license_number, name))
    return applicants, contractor_rows


def permits_generate(count: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, no secret
    tag = f"bench{int(time.time())}"
    types = list(PermitType.objects.all())
    streets = _streets(rng)
    applicants, contractors = _users(tag, max(count // 10, 1), max(count // 400, 10), rng)
    statuses = [status for status, _ in STATUSES]
    weights = [weight for _, weight in STATUSES]
    counters = {
        (counter.prefix, counter.year): counter.last_value
        for counter in PermitNumberCounter.objects.all()
    }
    now = timezone.now()
    this_year = timezone.localdate().year
    started = time.perf_counter()
    made = 0
    while made < count:
        batch = []
        for _ in range(min(BATCH, count - made)):
            permit_type = rng.choice(types)
            status = rng.choices(statuses, weights)[0]
            year = rng.randint(this_year - 10, this_year)
            year_start = timezone.make_aware(datetime.datetime(year, 1, 1))
            minutes = (min(now, year_start.replace(year=year + 1)) - year_start) // MINUTE
            submitted = year_start + rng.randrange(minutes) * MINUTE
            permit = Permit(
                permit_type=permit_type,
                applicant_id=rng.choice(applicants),
                status=status,
                site_address=f"{rng.randint(1, 32999)} {rng.choice(streets)}",
                site_unit=rng.choice(("A", "B", "2", "101")) if rng.random() < 0.08 else "",
                site_city="Rancho Palos Verdes",
                site_postal_code=rng.choice(("90275", "90274", "90732")),
                description=f"{permit_type.name} work.",
                created_at=submitted - datetime.timedelta(days=rng.randint(0, 20)),
            )
            if permit_type.is_construction:
                permit.valuation = rng.randint(1500, 90000)
                if rng.random() < 0.8:
                    user_id, license_number, name = rng.choice(contractors)
                    permit.work_by = Permit.WorkBy.CONTRACTOR
                    permit.contractor_id = user_id
                    permit.contractor_license_number = license_number
                    permit.contractor_business_name = name
                else:
                    permit.work_by = Permit.WorkBy.OWNER_BUILDER
            if status != Permit.Status.DRAFT:
                key = (permit_type.code_prefix, year)
                counters[key] = counters.get(key, 0) + 1
                permit.number = f"{key[0]}{year}-{counters[key]:0{SEQUENCE_DIGITS}d}"
                permit.number_compact = number_compact(permit.number)
                permit.submitted_at = submitted
            if status in ISSUED_STATUSES:
                permit.issued_on = (submitted + datetime.timedelta(days=rng.randint(0, 30))).date()
                permit.expires_on = permit.issued_on + datetime.timedelta(
                    days=permit_type.valid_days
                )
                if status == Permit.Status.FINALED:
                    permit.finaled_on = permit.issued_on + datetime.timedelta(
                        days=rng.randint(5, 150)
                    )
            batch.append(permit)
        with transaction.atomic():
            Permit.objects.bulk_create(batch, batch_size=1000)
        reset_queries()
        made += len(batch)
        print(f"  {made} permits", end="\r", flush=True)
    PermitNumberCounter.objects.bulk_create(
        [PermitNumberCounter(prefix=p, year=y, last_value=v) for (p, y), v in counters.items()],
        update_conflicts=True,
        unique_fields=["prefix", "year"],
        update_fields=["last_value"],
    )
    print(f"  {made} permits in {time.perf_counter() - started:.1f} s")


def _run(search: PermitSearch) -> int:
    """What the search page does: the exact-number check, the count and the first page."""
    page = Paginator(permit_search(search), RESULTS_PER_PAGE).get_page(1)
    list(page.object_list)
    return page.paginator.count


def _plan_summary(search: PermitSearch) -> str:
    plan = permit_search(search)[:RESULTS_PER_PAGE].explain(analyze=True)
    steps = []
    for line in plan.splitlines():
        line = line.strip().removeprefix("->").strip()
        if "Scan" in line and "permittype" not in line:
            steps.append(line.split("  (")[0])
        elif line.startswith("Execution Time"):
            steps.append(line)
    return "; ".join(steps)


def _samples(rng: random.Random) -> list[tuple[str, PermitSearch]]:
    permits = Permit.objects.exclude(number=None).exclude(status=Permit.Status.DRAFT)
    by_contractors = permits.exclude(contractor_business_name="").order_by("pk")
    permit = by_contractors[rng.randrange(by_contractors.count())]
    house, street = permit.site_address.split(" ", 1)
    prefix, sequence = permit.number.split("-")
    issued = permits.exclude(issued_on=None).order_by("pk")[rng.randrange(1000)].issued_on
    whtr = PermitType.objects.get(code_prefix="WHTR")
    business_word = permit.contractor_business_name.split()[0]
    return [
        ("number, as printed", PermitSearch(query=permit.number)),
        ("number, lower case with a space", PermitSearch(query=f"{prefix.lower()} {sequence}")),
        ("number, start only", PermitSearch(query=prefix)),
        ("address with house number", PermitSearch(query=f"{house} {street.split()[0].lower()}")),
        ("street only", PermitSearch(query=street.lower())),
        ("contractor license number", PermitSearch(query=permit.contractor_license_number)),
        ("business name, one word", PermitSearch(query=business_word.lower())),
        ("business name, full", PermitSearch(query=permit.contractor_business_name)),
        ("status and type only", PermitSearch(status=Permit.Status.ISSUED, permit_type=whtr)),
        (
            "issue dates, one month",
            PermitSearch(issued_from=issued, issued_to=issued + datetime.timedelta(days=30)),
        ),
        ("nothing matches", PermitSearch(query="zzqx nowhere")),
    ]


def searches_time(runs: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, no secret
    total = Permit.objects.count()
    print(f"\n{total} permits in the database; {runs} runs of each search\n")
    print(f"{'search':34} {'query':34} {'found':>7} {'median':>9} {'p95':>9}")
    plans = []
    for kind, search in _samples(rng):
        found = _run(search)  # warm the cache, as a live server's would be
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            _run(search)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        label = search.query or ", ".join(
            str(value)
            for value in (search.status, search.permit_type, search.issued_from, search.issued_to)
            if value
        )
        print(
            f"{kind:34} {label[:34]:34} {found:>7} "
            f"{statistics.median(timings):>7.1f}ms {p95:>7.1f}ms"
        )
        plans.append((kind, _plan_summary(search)))
    print("\nPlans of the first page (EXPLAIN ANALYZE):")
    for kind, summary in plans:
        print(f"  {kind}: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--permits", type=int, default=200_000, help="how many to add")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each search")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-generate", action="store_true", help="time the existing set")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a Postgres database: the indexes are Postgres's.")
    print(f"Database {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    call_command("migrate", verbosity=0)
    call_command("load_demo_city", verbosity=0)
    if not options.no_generate:
        print(f"Generating {options.permits} permits")
        # As for any bulk load, the trigram indexes are built once afterwards rather than
        # updated row by row.
        search_indexes = importlib.import_module("permits.migrations.0003_search_indexes")
        with connection.schema_editor() as editor:
            search_indexes.indexes_drop(apps, editor)
        try:
            permits_generate(options.permits, options.seed)
        finally:
            started = time.perf_counter()
            with connection.schema_editor() as editor:
                search_indexes.indexes_create(apps, editor)
            print(f"  trigram indexes built in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Permit._meta.db_table}")
    searches_time(options.runs, options.seed)


if __name__ == "__main__":
    main()
