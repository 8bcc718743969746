"""The demo city: Rancho Palos Verdes as its own help pages describe it, in our words.

Loaded by `manage.py load_demo_city`; every row is keyed by a natural key and written
with update_or_create, so loading twice gives the same result as loading once.
"""

from django.db import transaction

from portal.models import City, Department, FaqCategory, FaqEntry

CITY = {
    "name": "City of Rancho Palos Verdes (demo)",
    "time_zone": "America/Los_Angeles",
    "website": "https://www.rpvca.gov/",
    "address": "30940 Hawthorne Boulevard\nRancho Palos Verdes, CA 90275",
}

# (name, what it handles, phone, email, show in footer)
DEPARTMENTS = [
    (
        "Building and Safety",
        "Building permits, plan questions, whether your project needs a permit, "
        "and building inspections.",
        "310-544-5280",
        "building@demo-city.example",
        True,
    ),
    (
        "Public Works",
        "Dumpster and haul route permits and other work in the public right-of-way.",
        "310-544-5252",
        "publicworks@demo-city.example",
        True,
    ),
    (
        "Finance: Business Licenses and Cashier",
        "Business license applications, renewals and payments.",
        "310-544-5301",
        "businesslicense@demo-city.example",
        True,
    ),
    (
        "Code Enforcement: Parking and Film",
        "Residential, recreational and oversized vehicle parking permits, and film permits.",
        "310-555-0142",
        "parking@demo-city.example",
        True,
    ),
    (
        "Permit Portal Support",
        "Trouble signing in, locked accounts, and comments about this portal.",
        "",
        "portal@demo-city.example",
        False,
    ),
]

# (category slug, category name, [(anchor, question, answer), ...])
FAQ = [
    (
        "using-the-portal",
        "Using the portal",
        [
            (
                "who-can-use",
                "Who can use the permit portal?",
                "Everyone. Searching permits, reading inspection results and this help page "
                "need no account.\n\n"
                "To apply for a permit, pay fees, schedule an inspection or apply for a "
                "business license, create a free account. Homeowners, businesses, realtors, "
                "insurance agents and film crews create a Public account. Contractors sign in "
                "with their California State License Board (CSLB) license number.",
            ),
            (
                "public-or-contractor",
                "Should I create a Public or a Contractor account?",
                "If you hold a CSLB license, as a contractor or a subcontractor, you must use "
                "a Contractor account, with your license number as your username. Your "
                "permits are then linked to your license, whoever pulled them.\n\n"
                "Everyone else, including homeowners doing their own work, uses a Public "
                "account.",
            ),
            (
                "browsers",
                "Which browsers and devices does the portal work with?",
                "Any current browser: Chrome, Edge, Firefox or Safari, on a computer, a "
                "tablet or a phone. The portal also works with screen readers and with a "
                "keyboard alone. If a page does not work for you, tell Permit Portal Support "
                "and we will fix it.",
            ),
            (
                "search-without-account",
                "Can I look up a permit without an account?",
                "Yes. Search by permit number, street address or contractor from the home "
                "page or Search permits. A permit's public page shows its status, its "
                "inspections and their results, and never the applicant's personal details.",
            ),
        ],
    ),
    (
        "accounts",
        "Accounts and signing in",
        [
            (
                "forgot-password",
                "I forgot my password. How do I reset it?",
                "Choose Log in, then Forgot your password. A Public user enters the email "
                "address on the account; a contractor enters the license number, and we "
                "send the link to the email address on file. The link works for a limited "
                "time; if it has expired, ask for a new one.",
            ),
            (
                "locked-out",
                "My account is locked. How do I get back in?",
                "After five failed attempts to sign in, the account is locked for five "
                "minutes to keep guessers out. It unlocks by itself: wait five minutes and "
                "try again, or reset your password. If you still cannot sign in, contact "
                "Permit Portal Support and staff can unlock it for you.",
            ),
            (
                "not-a-robot",
                "I am asked to prove I am not a robot but cannot find the checkbox.",
                'The "I\'m not a robot" check sits just above the button that sends the '
                "form. If your browser blocks third-party content, allow it for this site, "
                "or try another browser. If the check still does not appear, contact "
                "Permit Portal Support.",
            ),
            (
                "returning-contractor",
                "I used the city's old permit system. Do I need a new account?",
                "No. Accounts from the old system were carried over, but their passwords "
                "were not. Sign in with your username (contractors: your license number) "
                "after choosing Forgot your password, or call Building and Safety for a "
                "temporary password. The first time you sign in you will choose a new "
                "password and a security question.",
            ),
        ],
    ),
    (
        "permits",
        "Permits",
        [
            (
                "online-permit-types",
                "Which permits can I apply for online?",
                "Community Development: electrical panel upgrade, reroof and water heater.\n\n"
                "Public Works: dumpster and haul route.\n\n"
                "Parking and other: film, residential parking, recreational parking "
                "(Del Cerro) and oversized vehicle parking.\n\n"
                "The city adds permit types over time; the home page always shows the "
                "current list. For any other permit, apply at the Permit Center with the "
                "paper application.",
            ),
            (
                "apply-button",
                "Why can't I apply for a permit?",
                "The Apply page tells you exactly what is missing, with a link to fix it. "
                "A contractor needs an active city business license, a current state "
                "license, current workers' compensation insurance (or an exemption on "
                "file) and a verified account. A permit type that is not open to your "
                "kind of account says so and names who to call.",
            ),
            (
                "permit-number",
                "I cannot find my permit when I search.",
                "Type the permit number as it is printed on your permit, for example "
                "RERF2026-0001: the letters, the year, a dash and the sequence number. "
                "Capital or small letters both work. You can also search by the street "
                "address of the work.",
            ),
            (
                "owner-builder",
                "I am a homeowner doing the work myself. Do I need a permit?",
                "Usually, yes. A building permit is needed to add to, alter, repair or "
                "convert a house or an accessory structure such as a garage. As an "
                "owner-builder you apply with a Public account and sign the owner-builder "
                "declaration. If you are not sure your project needs a permit, ask "
                "Building and Safety before you start.",
            ),
        ],
    ),
    (
        "payments",
        "Payments",
        [
            (
                "pay-online",
                "Can I pay permit and license fees online?",
                "Yes, by Visa, Mastercard, Discover or American Express. Your card details "
                "go straight to the card processor's secure page; the city never sees or "
                "stores your card number. You get a receipt by email and can download it "
                "from your dashboard. You can also pay at the Permit Center by cash or "
                "check.",
            ),
        ],
    ),
    (
        "inspections",
        "Inspections",
        [
            (
                "schedule-inspection",
                "Can I schedule an inspection online?",
                "Yes, for an issued permit of a type offered on the portal. Open the permit "
                "from your dashboard and choose Request inspection: you see the inspections "
                "due next and the open days. Results appear on the permit as soon as the "
                "inspector records them.",
            ),
            (
                "cancel-inspection",
                "Can I cancel or move an inspection?",
                "Yes, while it is still scheduled and before the cut-off time on the day "
                "before. After the cut-off, call Building and Safety.",
            ),
        ],
    ),
    (
        "business-licenses",
        "Business licenses",
        [
            (
                "apply-business-license",
                "Can I apply for a business license here?",
                "Yes. Sign in (or create an account first), open your dashboard and choose "
                "Apply for a business license. Contractors need an active city business "
                "license before they can apply for permits.",
            ),
            (
                "business-license-questions",
                "Whom do I ask about my business license application?",
                "The Finance Department handles business licenses: see its phone and email "
                "under Contacts on this page.",
            ),
        ],
    ),
]


@transaction.atomic
def load_demo_data() -> None:
    City.objects.update_or_create(pk=City.SINGLETON_ID, defaults=CITY)
    for order, (name, handles, phone, email, in_footer) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(
            name=name,
            defaults={
                "handles": handles,
                "phone": phone,
                "email": email,
                "order": order,
                "in_footer": in_footer,
            },
        )
    for category_order, (slug, name, entries) in enumerate(FAQ):
        category, _ = FaqCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": category_order}
        )
        for order, (anchor, question, answer) in enumerate(entries):
            FaqEntry.objects.update_or_create(
                slug=anchor,
                defaults={
                    "category": category,
                    "question": question,
                    "answer": answer,
                    "order": order,
                    "is_published": True,
                },
            )
