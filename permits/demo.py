"""The demo city's permit catalogue: the nine types the seed city offers online."""

from django.db import transaction

from permits.models import PermitCategory, PermitType

# (category anchor, category name, [(prefix, name, description), ...])
CATALOGUE = [
    (
        "community-development",
        "Community Development",
        [
            (
                "EPNL",
                "Electrical Panel Upgrade",
                "Replace or upgrade a home's main electrical service panel.",
            ),
            ("RERF", "Reroof", "Replace the roof covering of a house or accessory building."),
            ("WHTR", "Water Heater", "Replace or install a gas or electric water heater."),
        ],
    ),
    (
        "public-works",
        "Public Works",
        [
            ("DMPR", "Dumpster", "Place a dumpster or roll-off bin on a city street."),
            (
                "HAUL",
                "Haul Route",
                "Approval of the route trucks take to haul soil or debris through the city.",
            ),
        ],
    ),
    (
        "parking-other",
        "Parking and Other",
        [
            (
                "FILM",
                "Film Permit",
                "Film or photograph commercially on public or private property.",
            ),
            (
                "RPRK",
                "Residential Parking",
                "Park on the street in a residential permit parking district.",
            ),
            (
                "DCRP",
                "Recreational Parking Del Cerro",
                "Park at Del Cerro Park's recreational parking area.",
            ),
            (
                "OVPK",
                "Oversized Vehicle Parking",
                "Park a motor home, trailer or other oversized vehicle on the street for a "
                "short time, such as loading for a trip.",
            ),
        ],
    ),
]


@transaction.atomic
def load_demo_data() -> None:
    for category_order, (slug, name, permit_types) in enumerate(CATALOGUE):
        category, _ = PermitCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": category_order}
        )
        for order, (prefix, type_name, description) in enumerate(permit_types):
            PermitType.objects.update_or_create(
                code_prefix=prefix,
                defaults={
                    "category": category,
                    "name": type_name,
                    "description": description,
                    "is_online": True,
                    "order": order,
                },
            )
