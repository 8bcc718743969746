from django.core.management import call_command

from permits.models import PermitCategory, PermitType
from portal.models import City, Department, FaqCategory, FaqEntry

MODELS = (City, Department, FaqCategory, FaqEntry, PermitCategory, PermitType)

# Every question of the seed city's FAQ, by the anchor of the answer that covers it.
SEED_QUESTIONS = {
    "Who can use eTRAKiT?": "who-can-use",
    "What is the difference between a Public and a Contractor account?": "public-or-contractor",
    "Will eTRAKiT work in any internet browser?": "browsers",
    "I have forgotten my Contractor/Public account password.": "forgot-password",
    "I am locked out of eTRAKiT. How do I get back in?": "locked-out",
    "Please verify you are not a robot, but there is nowhere to verify": "not-a-robot",
    "There is no Apply / New Permit button, or it does nothing": "apply-button",
    "I am having trouble locating my permit number when I conduct a search.": "permit-number",
    "As a homeowner doing my own work, am I required to obtain a permit?": "owner-builder",
    "Can I apply for the Business License using the portal?": "apply-business-license",
    "Who do I contact with questions about my Business License application?": (
        "business-license-questions"
    ),
    "Can I pay for my permit or application online?": "pay-online",
    "What types of permits am I able to submit online?": "online-permit-types",
    "Can I schedule building inspections online?": "schedule-inspection",
    "Can I cancel an inspection?": "cancel-inspection",
}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_city_twice_duplicates_nothing(db):
    call_command("load_demo_city")
    first = row_counts()
    call_command("load_demo_city")
    assert row_counts() == first
    assert first == {
        "City": 1,
        "Department": 5,
        "FaqCategory": 6,
        "FaqEntry": 17,
        "PermitCategory": 3,
        "PermitType": 9,
    }


def test_reloading_restores_edited_demo_rows(demo_city):
    Department.objects.filter(name="Public Works").update(phone="000")
    call_command("load_demo_city")
    assert Department.objects.get(name="Public Works").phone == "310-544-5252"


def test_the_faq_answers_every_question_of_the_seed_city(demo_city):
    published = set(FaqEntry.objects.filter(is_published=True).values_list("slug", flat=True))
    missing = {question for question, anchor in SEED_QUESTIONS.items() if anchor not in published}
    assert not missing


def test_the_catalogue_offers_the_nine_seed_permit_types_in_three_categories(demo_city):
    by_category = {
        category.name: sorted(category.permit_types.values_list("name", flat=True))
        for category in PermitCategory.objects.all()
    }
    assert by_category == {
        "Community Development": ["Electrical Panel Upgrade", "Reroof", "Water Heater"],
        "Public Works": ["Dumpster", "Haul Route"],
        "Parking and Other": [
            "Film Permit",
            "Oversized Vehicle Parking",
            "Recreational Parking Del Cerro",
            "Residential Parking",
        ],
    }
    assert PermitType.objects.get(name="Reroof").code_prefix == "RERF"
