"""The holder's license pages: a license's page in each status, paying its fees, the
certificate download, starting a renewal, the history of terms, and the list of my
licenses; and that no one else reaches any of them."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.formats import date_format

from licensing import services
from licensing.models import BusinessLicense
from payments.services import payment_record_counter
from tests.factories import BusinessLicenseFactory, UserFactory

PDF = b"%PDF-1.4\n% a certificate\n%%EOF\n"


def page_of(license: BusinessLicense) -> str:
    return reverse("licensing:detail", args=[license.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def submitted(owner, retail, license_draft_complete) -> BusinessLicense:
    license = license_draft_complete(owner, retail)
    return services.license_submit(license=license, user=owner)


@pytest.fixture
def approved(submitted, licensing_clerk) -> BusinessLicense:
    return services.license_approve(license=submitted, reviewer=licensing_clerk)


@pytest.fixture
def active(approved, licensing_clerk) -> BusinessLicense:
    payment_record_counter(
        invoice=approved.invoice,
        method="cash",
        receipt_number="R-1001",
        recorded_by=licensing_clerk,
    )
    return BusinessLicense.objects.get(pk=approved.pk)


def test_a_submitted_application_says_what_happens_next_and_what_it_will_cost(
    client, owner, submitted, finance
):
    client.force_login(owner)

    page = client.get(page_of(submitted)).content.decode()

    assert "Submitted" in page
    assert "The business license office has your application and will review it." in page
    assert "Harbor Light Books (Harbor Light Books LLC)" in page
    assert "Mei Tanaka, Managing member" in page
    assert '<td class="text-end fw-bold">$304.00</td>' in page
    assert "Not yet due" in page
    assert "/payments/pay/" not in page
    assert "finance@example.org" in page


def test_approved_fees_are_paid_from_the_page(client, owner, approved):
    client.force_login(owner)

    page = client.get(page_of(approved)).content.decode()

    assert "Approved, fees due" in page
    assert 'action="/payments/pay/"' in page
    assert f'name="invoice" value="{approved.invoice.pk}"' in page
    assert "Pay fees: $304.00" in page


def test_a_paid_license_shows_its_number_and_term_and_no_pay_form(client, owner, active):
    client.force_login(owner)

    page = client.get(page_of(active)).content.decode()

    assert active.status == BusinessLicense.Status.ACTIVE
    assert f"License {active.number}" in page
    assert f"through {date_format(active.expires_on, 'DATE_FORMAT')}." in page
    assert "Paid on" in page and "/payments/pay/" not in page
    assert "The certificate is being prepared. Reload this page in a minute" in page
    assert reverse("licensing:certificate", args=[active.pk]) not in page


def test_the_certificate_downloads_once_its_file_exists(client, owner, active):
    client.force_login(owner)
    certificate_url = reverse("licensing:certificate", args=[active.pk])
    assert client.get(certificate_url).status_code == 404

    active.certificate.save("certificate.pdf", ContentFile(PDF))
    page = client.get(page_of(active)).content.decode()
    response = client.get(certificate_url)

    assert f'href="{certificate_url}"' in page and "being prepared" not in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{active.number}.pdf"'
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]


def test_no_certificate_before_the_license_is_active(client, owner, approved):
    approved.certificate.save("early.pdf", ContentFile(PDF))
    client.force_login(owner)

    assert client.get(reverse("licensing:certificate", args=[approved.pk])).status_code == 404


def test_a_certificate_lost_from_storage_is_404_not_an_error(client, owner, active):
    active.certificate.name = "licensing/certificates/gone.pdf"
    active.save(update_fields=["certificate"])
    client.force_login(owner)

    assert client.get(reverse("licensing:certificate", args=[active.pk])).status_code == 404


def test_the_city_s_request_and_its_denial_reason_are_shown(
    client, owner, submitted, licensing_clerk
):
    client.force_login(owner)
    services.license_info_request(
        license=submitted, reviewer=licensing_clerk, message="Send your seller's permit."
    )

    asked = client.get(page_of(submitted)).content.decode()
    services.license_deny(license=submitted, reviewer=licensing_clerk, reason="Zoning forbids it.")
    denied = client.get(page_of(submitted)).content.decode()

    assert "Send your seller&#x27;s permit." in asked
    assert f'href="{reverse("licensing:edit", args=[submitted.pk, "business"])}"' in asked
    assert "Why the application was denied" in denied and "Zoning forbids it." in denied


def test_a_draft_s_page_opens_the_application_where_it_was_left(client, owner, retail):
    draft = services.license_draft_start(holder=owner)
    client.force_login(owner)

    response = client.get(page_of(draft))

    assert response["Location"] == reverse("licensing:edit", args=[draft.pk, "business"])


# Renewal ---------------------------------------------------------------------------------


def license_expiring_in(owner, days: int, **fields) -> BusinessLicense:
    today = datetime.date.today()
    return BusinessLicenseFactory(
        holder=owner,
        starts_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=days),
        **fields,
    )


def test_renewing_a_license_that_is_not_due_says_when_it_opens_and_saves_nothing(client, owner):
    license = license_expiring_in(owner, 200)
    client.force_login(owner)

    page = client.get(page_of(license)).content.decode()
    response = client.post(reverse("licensing:renew", args=[license.pk]))

    assert "Renewal opens on" in page and ">Renew<" not in page
    assert response["Location"] == page_of(license)
    assert messages_of(response)[0].startswith("Renewal opens on ")
    assert not BusinessLicense.objects.filter(renewal_of=license).exists()


def test_renewing_an_application_that_is_not_a_license_is_refused(client, owner, submitted):
    client.force_login(owner)

    response = client.post(reverse("licensing:renew", args=[submitted.pk]))

    assert messages_of(response) == ["Only an active or recently expired license can be renewed."]
    assert not BusinessLicense.objects.filter(renewal_of=submitted).exists()


def test_a_license_in_its_window_is_renewed_once(client, owner):
    license = license_expiring_in(owner, 30)
    client.force_login(owner)

    page = client.get(page_of(license)).content.decode()
    first = client.post(reverse("licensing:renew", args=[license.pk]))
    again = client.post(reverse("licensing:renew", args=[license.pk]))

    renewal = BusinessLicense.objects.get(renewal_of=license)
    assert (
        "Renewal is open" in page
        and f'action="{reverse("licensing:renew", args=[license.pk])}"' in page
    )
    assert (
        first["Location"]
        == again["Location"]
        == reverse("licensing:edit", args=[renewal.pk, "business"])
    )
    assert renewal.business_name == license.business_name
    after = client.get(page_of(license)).content.decode()
    assert "Your renewal is started but not yet submitted." in after
    assert f'href="{reverse("licensing:edit", args=[renewal.pk, "business"])}"' in after


def test_renew_answers_a_get_with_405(client, owner):
    license = license_expiring_in(owner, 30)
    client.force_login(owner)

    assert client.get(reverse("licensing:renew", args=[license.pk])).status_code == 405
    assert not BusinessLicense.objects.filter(renewal_of=license).exists()


def test_a_lapsed_license_offers_a_late_renewal_with_the_penalty(client, owner, finance):
    license = license_expiring_in(owner, -5, status=BusinessLicense.Status.EXPIRED)
    client.force_login(owner)

    page = client.get(page_of(license)).content.decode()

    assert "You can still renew it, with a late penalty of 25% of the license tax." in page


def test_the_page_lists_the_other_terms_of_the_same_number(client, owner):
    today = datetime.date.today()
    earlier = BusinessLicenseFactory(
        holder=owner,
        number="BL2025-00042",
        status=BusinessLicense.Status.EXPIRED,
        starts_on=datetime.date(today.year - 1, 1, 1),
        expires_on=datetime.date(today.year - 1, 12, 31),
    )
    current = BusinessLicenseFactory(
        holder=owner,
        number="BL2025-00042",
        renewal_of=earlier,
        starts_on=datetime.date(today.year, 1, 1),
        expires_on=datetime.date(today.year, 12, 31),
    )
    BusinessLicenseFactory(number="BL2025-00042", starts_on=datetime.date(today.year - 2, 1, 1))
    client.force_login(owner)

    page = client.get(page_of(current)).content.decode()
    earlier_page = client.get(page_of(earlier)).content.decode()

    assert page.count('class="mb-2"><a href="/licenses/') == 1
    assert f'href="{page_of(earlier)}"' in page
    assert f'href="{page_of(current)}"' in earlier_page
    # The earlier term was renewed: its page leads to the renewal, not to a second one.
    assert "Renewal: Active." in earlier_page


# Someone else's license --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_person_s_license_is_404_at_every_address(client, active, method):
    active.certificate.save("certificate.pdf", ContentFile(PDF))
    client.force_login(UserFactory(username="stranger"))
    addresses = [
        page_of(active),
        reverse("licensing:certificate", args=[active.pk]),
        reverse("licensing:renew", args=[active.pk]),
        reverse("licensing:delete", args=[active.pk]),
        reverse("licensing:edit", args=[active.pk, "review"]),
    ]

    statuses = {address: getattr(client, method)(address).status_code for address in addresses}

    # The page and the download only answer a GET, renewing only a POST.
    expected = dict.fromkeys(addresses, 404)
    if method == "post":
        expected[page_of(active)] = expected[addresses[1]] = 405
    else:
        expected[addresses[2]] = 405
    assert statuses == expected
    assert not BusinessLicense.objects.filter(renewal_of=active).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, active):
    for address in (page_of(active), reverse("licensing:list")):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# My business licenses ------------------------------------------------------------------------


def test_my_licenses_lists_the_latest_term_of_each_and_my_applications(
    client, owner, retail, license_draft_complete, django_assert_max_num_queries, finance
):
    today = datetime.date.today()
    for number in range(1, 6):
        earlier = BusinessLicenseFactory(
            holder=owner,
            number=f"BL2025-{number:05d}",
            status=BusinessLicense.Status.EXPIRED,
            business_name=f"Shop {number}",
            starts_on=today - datetime.timedelta(days=700),
            expires_on=today - datetime.timedelta(days=340),
        )
        BusinessLicenseFactory(
            holder=owner,
            number=f"BL2025-{number:05d}",
            renewal_of=earlier,
            business_name=f"Shop {number}",
            starts_on=today - datetime.timedelta(days=339),
            expires_on=today + datetime.timedelta(days=20 * number),
        ).certificate.save("c.pdf", ContentFile(PDF))
    services.license_submit(license=license_draft_complete(owner, retail), user=owner)
    services.license_draft_start(holder=owner)
    BusinessLicenseFactory(number="BL2025-09999")  # someone else's
    client.force_login(owner)

    # Session, user, the licenses and the renewal rules: terms, renewals due,
    # applications and certificates add nothing.
    with django_assert_max_num_queries(4):
        page = client.get(reverse("licensing:list")).content.decode()

    assert page.count('<h3 class="h5 mb-1">') == 5
    assert "BL2025-09999" not in page
    # Renewal is open for the licenses that expire within 60 days: in 20, 40 and 60.
    assert page.count("Renewal due by") == 3
    assert page.count(">Download the certificate<") == 5
    assert "With the city: see the application" in page
    assert "Continue the application" in page
