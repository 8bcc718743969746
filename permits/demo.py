"""The demo city's permit catalogue: the nine types the seed city offers online, each
with the questions, fees and documents such a permit needs. The amounts are plausible
for a California city, not the seed city's fee resolution. Data, not code: its length is
the catalogue's."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from permits.models import (
    FeeRule,
    FeeTier,
    PermitCategory,
    PermitField,
    PermitType,
    RequiredDocument,
)

Kind = PermitField.Kind
Fee = FeeRule.Kind


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    kind: str = Kind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    help_text: str = ""


@dataclass(frozen=True)
class Charge:
    description: str
    kind: str = Fee.FIXED
    amount: Decimal = Decimal(0)
    basis: str = ""
    applies_when: str = ""
    minimum: Decimal | None = None
    # (up to, amount, rate, per) for tiered charges
    tiers: tuple[tuple[Decimal | None, Decimal, Decimal, Decimal], ...] = ()


@dataclass(frozen=True)
class Document:
    name: str
    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class Type:
    prefix: str
    name: str
    description: str
    instructions: str = ""
    applicants: str = PermitType.Applicants.ANYONE
    is_construction: bool = True
    owner_builder_allowed: bool = True
    is_over_the_counter: bool = False
    valid_days: int = 180
    questions: tuple[Question, ...] = ()
    charges: tuple[Charge, ...] = ()
    documents: tuple[Document, ...] = ()


D = Decimal
# Every building permit carries the state's and the city's own small surcharges.
BUILDING_SURCHARGES = (
    Charge("Permit issuance", amount=D("45.00")),
    Charge("State building standards fee (SB 1473)", amount=D("1.00")),
    Charge("Technology fee", amount=D("12.00")),
)
VEHICLE_QUESTIONS = (
    Question("vehicle_plate", "License plate", help_text="As on the registration, e.g. 8ABC123."),
    Question("vehicle_make_model", "Make and model", help_text="For example, Toyota Camry."),
)
VEHICLE_REGISTRATION = Document("Vehicle registration", "Current DMV registration of the vehicle.")

CATALOGUE: list[tuple[str, str, list[Type]]] = [
    (
        "community-development",
        "Community Development",
        [
            Type(
                "EPNL",
                "Electrical Panel Upgrade",
                "Replace or upgrade a home's main electrical service panel.",
                "Have the new panel's specification sheet ready. Southern California Edison "
                "schedules the disconnection once the permit is issued.",
                is_over_the_counter=True,
                questions=(
                    Question(
                        "amperage",
                        "New service size (amps)",
                        Kind.CHOICE,
                        choices=("100", "125", "150", "200", "225", "400"),
                    ),
                    Question(
                        "panel_location",
                        "Where the panel is",
                        Kind.CHOICE,
                        choices=("Exterior wall", "Garage", "Inside the house"),
                    ),
                    Question(
                        "utility_disconnect",
                        "Edison must disconnect and reconnect the service",
                        Kind.BOOLEAN,
                        required=False,
                    ),
                ),
                charges=(
                    *BUILDING_SURCHARGES,
                    Charge(
                        "Electrical service",
                        Fee.TIERED,
                        basis="amperage",
                        tiers=((D(200), D("150.00"), D(0), D(1)), (None, D("260.00"), D(0), D(1))),
                    ),
                ),
                documents=(
                    Document(
                        "Panel specification sheet", "The manufacturer's sheet of the new panel."
                    ),
                    Document("Site plan", "Where the panel is on the house.", required=False),
                ),
            ),
            Type(
                "RERF",
                "Reroof",
                "Replace the roof covering of a house or accessory building.",
                "The whole city is a very high fire hazard severity zone: new roofing must be "
                "Class A fire-rated.",
                is_over_the_counter=True,
                questions=(
                    Question(
                        "roof_squares",
                        "Roof area in squares",
                        Kind.DECIMAL,
                        min_value=D(1),
                        max_value=D(200),
                        help_text="One square is 100 square feet.",
                    ),
                    Question(
                        "material",
                        "New roofing material",
                        Kind.CHOICE,
                        choices=(
                            "Asphalt shingle",
                            "Concrete tile",
                            "Clay tile",
                            "Metal",
                            "Low-slope membrane",
                        ),
                    ),
                    Question(
                        "tear_off",
                        "The existing roofing is torn off",
                        Kind.BOOLEAN,
                        required=False,
                        help_text="A tear-off needs a sheathing and nailing inspection.",
                    ),
                    Question("stories", "Stories", Kind.INTEGER, min_value=D(1), max_value=D(3)),
                ),
                charges=(
                    *BUILDING_SURCHARGES,
                    Charge(
                        "Reroof, per square",
                        Fee.RATE,
                        amount=D("6.50"),
                        basis="roof_squares",
                        minimum=D("150.00"),
                    ),
                    Charge("Sheathing inspection", amount=D("95.00"), applies_when="tear_off"),
                ),
                documents=(
                    Document(
                        "Roofing material specification",
                        "The product sheet showing its Class A fire rating.",
                    ),
                ),
            ),
            Type(
                "WHTR",
                "Water Heater",
                "Replace or install a gas or electric water heater.",
                "A gas water heater needs two seismic straps and a drip leg on the gas line.",
                is_over_the_counter=True,
                questions=(
                    Question(
                        "fuel",
                        "Fuel",
                        Kind.CHOICE,
                        choices=("Natural gas", "Electric", "Heat pump", "Propane"),
                    ),
                    Question(
                        "capacity_gallons",
                        "Capacity in gallons",
                        Kind.INTEGER,
                        min_value=D(1),
                        max_value=D(200),
                        help_text="For a tankless heater, enter 1.",
                    ),
                    Question(
                        "location",
                        "Where it is installed",
                        Kind.CHOICE,
                        choices=("Garage", "Exterior closet", "Interior closet", "Attic"),
                    ),
                ),
                charges=(*BUILDING_SURCHARGES, Charge("Water heater", amount=D("85.00"))),
                documents=(
                    Document(
                        "Installation instructions",
                        "The manufacturer's instructions, if you have them.",
                        required=False,
                    ),
                ),
            ),
        ],
    ),
    (
        "public-works",
        "Public Works",
        [
            Type(
                "DMPR",
                "Dumpster",
                "Place a dumpster or roll-off bin on a city street.",
                "Bins on private driveways need no permit. The bin must carry reflectors and "
                "the hauler's name and phone number.",
                is_construction=False,
                valid_days=30,
                questions=(
                    Question("placement_start", "First day on the street", Kind.DATE),
                    Question(
                        "placement_days",
                        "Number of days",
                        Kind.INTEGER,
                        min_value=D(1),
                        max_value=D(30),
                    ),
                    Question(
                        "bin_size",
                        "Bin size (cubic yards)",
                        Kind.CHOICE,
                        choices=("10", "20", "30", "40"),
                    ),
                    Question("hauler", "Hauling company"),
                ),
                charges=(
                    Charge("Encroachment permit", amount=D("75.00")),
                    Charge(
                        "Street placement, per day",
                        Fee.RATE,
                        amount=D("10.00"),
                        basis="placement_days",
                    ),
                ),
                documents=(
                    Document(
                        "Certificate of insurance",
                        "The hauler's liability insurance, naming the city as additional insured.",
                    ),
                    Document("Site sketch", "Where the bin stands, with the street and driveway."),
                ),
            ),
            Type(
                "HAUL",
                "Haul Route",
                "Approval of the route trucks take to haul soil or debris through the city.",
                "Hauling is allowed on weekdays from 9 AM to 3:30 PM, away from school hours.",
                is_construction=False,
                valid_days=90,
                questions=(
                    Question(
                        "route",
                        "Route",
                        help_text="The streets from the site to the city limit, in order.",
                    ),
                    Question(
                        "truck_loads",
                        "Truckloads",
                        Kind.INTEGER,
                        min_value=D(1),
                        max_value=D(2000),
                    ),
                    Question("cubic_yards", "Cubic yards hauled", Kind.INTEGER, min_value=D(1)),
                    Question("start_date", "First hauling day", Kind.DATE),
                    Question("end_date", "Last hauling day", Kind.DATE),
                    Question("hauler", "Hauling company"),
                ),
                charges=(
                    Charge("Haul route review", amount=D("310.00")),
                    Charge(
                        "Road impact, per truckload",
                        Fee.RATE,
                        amount=D("4.25"),
                        basis="truck_loads",
                    ),
                ),
                documents=(
                    Document("Haul route map", "The route drawn on a street map."),
                    Document(
                        "Certificate of insurance",
                        "The hauler's liability insurance, naming the city as additional insured.",
                    ),
                ),
            ),
        ],
    ),
    (
        "parking-other",
        "Parking and Other",
        [
            Type(
                "FILM",
                "Film Permit",
                "Film or photograph commercially on public or private property.",
                "Apply at least ten business days before the first filming day.",
                applicants=PermitType.Applicants.PUBLIC,
                is_construction=False,
                valid_days=60,
                questions=(
                    Question(
                        "locations",
                        "Filming locations",
                        help_text="Each address or place, separated by semicolons.",
                    ),
                    Question("start_date", "First filming day", Kind.DATE),
                    Question(
                        "filming_days",
                        "Filming days",
                        Kind.INTEGER,
                        min_value=D(1),
                        max_value=D(30),
                    ),
                    Question(
                        "crew_size", "Crew size", Kind.INTEGER, min_value=D(1), max_value=D(500)
                    ),
                    Question("uses_drone", "A drone will be flown", Kind.BOOLEAN, required=False),
                    Question(
                        "street_closure",
                        "A street or lane is closed",
                        Kind.BOOLEAN,
                        required=False,
                    ),
                ),
                charges=(
                    Charge("Film permit application", amount=D("250.00")),
                    Charge("Filming, per day", Fee.RATE, amount=D("350.00"), basis="filming_days"),
                    Charge(
                        "Drone operations review", amount=D("150.00"), applies_when="uses_drone"
                    ),
                    Charge(
                        "Traffic control review", amount=D("200.00"), applies_when="street_closure"
                    ),
                ),
                documents=(
                    Document(
                        "Certificate of insurance",
                        "General liability of at least $1,000,000, naming the city as "
                        "additional insured.",
                    ),
                    Document("Location map", "Where the crew, equipment and vehicles will be."),
                    Document(
                        "FAA Part 107 certificate",
                        "The drone pilot's certificate, when a drone is flown.",
                        required=False,
                    ),
                ),
            ),
            Type(
                "RPRK",
                "Residential Parking",
                "Park on the street in a residential permit parking district.",
                "One permit per vehicle, valid for a year.",
                applicants=PermitType.Applicants.PUBLIC,
                is_construction=False,
                is_over_the_counter=True,
                valid_days=365,
                questions=(
                    Question(
                        "district",
                        "Parking district",
                        Kind.CHOICE,
                        choices=("Seacliff Hills", "Ladera Linda", "Miraleste"),
                    ),
                    *VEHICLE_QUESTIONS,
                ),
                charges=(Charge("Residential parking permit, one year", amount=D("30.00")),),
                documents=(
                    VEHICLE_REGISTRATION,
                    Document(
                        "Proof of residence", "A utility bill or lease at the address, this year."
                    ),
                ),
            ),
            Type(
                "DCRP",
                "Recreational Parking Del Cerro",
                "Park at Del Cerro Park's recreational parking area.",
                "The permit is for the vehicle, valid for a year.",
                applicants=PermitType.Applicants.PUBLIC,
                is_construction=False,
                is_over_the_counter=True,
                valid_days=365,
                questions=(
                    *VEHICLE_QUESTIONS,
                    Question(
                        "non_resident",
                        "I do not live in Rancho Palos Verdes",
                        Kind.BOOLEAN,
                        required=False,
                    ),
                ),
                charges=(
                    Charge("Recreational parking permit, one year", amount=D("25.00")),
                    Charge(
                        "Non-resident surcharge", amount=D("50.00"), applies_when="non_resident"
                    ),
                ),
                documents=(VEHICLE_REGISTRATION,),
            ),
            Type(
                "OVPK",
                "Oversized Vehicle Parking",
                "Park a motor home, trailer or other oversized vehicle on the street for a "
                "short time, such as loading for a trip.",
                "Up to three nights in a row, in front of your own home.",
                applicants=PermitType.Applicants.PUBLIC,
                is_construction=False,
                is_over_the_counter=True,
                valid_days=3,
                questions=(
                    Question(
                        "vehicle_type",
                        "Vehicle",
                        Kind.CHOICE,
                        choices=("Motor home", "Travel trailer", "Boat on a trailer", "Other"),
                    ),
                    *VEHICLE_QUESTIONS,
                    Question(
                        "length_feet",
                        "Length in feet",
                        Kind.INTEGER,
                        min_value=D(10),
                        max_value=D(65),
                    ),
                    Question("start_date", "First night", Kind.DATE),
                    Question("nights", "Nights", Kind.INTEGER, min_value=D(1), max_value=D(3)),
                ),
                charges=(
                    Charge("Oversized vehicle parking, per night", Fee.RATE, D("10.00"), "nights"),
                ),
                documents=(VEHICLE_REGISTRATION,),
            ),
        ],
    ),
]


def _upsert(model, rows: list, unique_fields: list[str]) -> list:
    """Insert the rows, or update those whose natural key exists: one query, and loading
    twice gives what loading once gives."""
    if not rows:
        return []
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in unique_fields
    ]
    return model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=unique_fields, update_fields=fields
    )


def _permit_type_load(permit_type: PermitType, spec: Type) -> None:
    _upsert(
        PermitField,
        [
            PermitField(
                permit_type=permit_type,
                name=question.name,
                label=question.label,
                kind=question.kind,
                required=question.required,
                choices="\n".join(question.choices),
                min_value=question.min_value,
                max_value=question.max_value,
                help_text=question.help_text,
                order=order,
            )
            for order, question in enumerate(spec.questions)
        ],
        ["permit_type", "name"],
    )
    rules = _upsert(
        FeeRule,
        [
            FeeRule(
                permit_type=permit_type,
                description=charge.description,
                kind=charge.kind,
                amount=charge.amount,
                basis=charge.basis,
                applies_when=charge.applies_when,
                minimum=charge.minimum,
                order=order,
            )
            for order, charge in enumerate(spec.charges)
        ],
        ["permit_type", "description"],
    )
    FeeTier.objects.filter(rule__permit_type=permit_type).delete()
    FeeTier.objects.bulk_create(
        FeeTier(rule=rule, up_to=up_to, amount=amount, rate=rate, per=per)
        for rule, charge in zip(rules, spec.charges, strict=True)
        for up_to, amount, rate, per in charge.tiers
    )
    _upsert(
        RequiredDocument,
        [
            RequiredDocument(
                permit_type=permit_type,
                name=document.name,
                description=document.description,
                required=document.required,
                order=order,
            )
            for order, document in enumerate(spec.documents)
        ],
        ["permit_type", "name"],
    )


@transaction.atomic
def load_demo_data() -> None:
    for category_order, (slug, name, permit_types) in enumerate(CATALOGUE):
        category, _ = PermitCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": category_order}
        )
        for order, spec in enumerate(permit_types):
            permit_type, _ = PermitType.objects.update_or_create(
                code_prefix=spec.prefix,
                defaults={
                    "category": category,
                    "name": spec.name,
                    "description": spec.description,
                    "instructions": spec.instructions,
                    "applicants": spec.applicants,
                    "is_construction": spec.is_construction,
                    "owner_builder_allowed": spec.owner_builder_allowed,
                    "is_online": True,
                    "is_over_the_counter": spec.is_over_the_counter,
                    "valid_days": spec.valid_days,
                    "order": order,
                },
            )
            _permit_type_load(permit_type, spec)
