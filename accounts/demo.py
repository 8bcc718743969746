"""The demo city's security questions and CSLB license classifications (a common subset)."""

from accounts.models import LicenseClassification, SecurityQuestion

SECURITY_QUESTIONS = [
    "What is the name of the street you grew up on?",
    "What was the name of your first pet?",
    "What is your mother's maiden name?",
    "What was the make of your first car?",
    "In what city were you born?",
    "What high school did you attend?",
]

# (code, name) as the CA State License Board lists them.
LICENSE_CLASSIFICATIONS = [
    ("A", "General Engineering Contractor"),
    ("B", "General Building Contractor"),
    ("B-2", "Residential Remodeling Contractor"),
    ("C-2", "Insulation and Acoustical Contractor"),
    ("C-4", "Boiler, Hot Water Heating and Steam Fitting Contractor"),
    ("C-7", "Low Voltage Systems Contractor"),
    ("C-8", "Concrete Contractor"),
    ("C-10", "Electrical Contractor"),
    ("C-15", "Flooring and Floor Covering Contractor"),
    ("C-20", "Warm-Air Heating, Ventilating and Air-Conditioning Contractor"),
    ("C-27", "Landscaping Contractor"),
    ("C-33", "Painting and Decorating Contractor"),
    ("C-36", "Plumbing Contractor"),
    ("C-39", "Roofing Contractor"),
    ("C-46", "Solar Contractor"),
    ("C-53", "Swimming Pool Contractor"),
]


def load_demo_data() -> None:
    for order, text in enumerate(SECURITY_QUESTIONS):
        SecurityQuestion.objects.update_or_create(
            text=text, defaults={"order": order, "is_active": True}
        )
    for code, name in LICENSE_CLASSIFICATIONS:
        LicenseClassification.objects.update_or_create(
            code=code, defaults={"name": name, "is_active": True}
        )
