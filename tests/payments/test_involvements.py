"""Roles (Involvement): recorded once by the service, picked on a claim, only one's own."""

import datetime

import pytest
from django.urls import reverse

from payments import services
from payments.models import InvolvementClaim
from portal import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def role(contributor, coordinator, policy_versions):
    return services.start_involvement(
        person=contributor,
        title="Advisory panel member",
        start_date=datetime.date(2025, 4, 6),
        actor=coordinator,
    )


def test_start_involvement_records_the_role_a_profile_and_the_trail(role, contributor, coordinator):
    assert role.person == contributor and role.activity_type == "meeting"
    assert contributor.contributor_profile.display_name
    [entry] = audit.trail(role)
    assert entry.to_status == "started" and entry.actor == coordinator
    with pytest.raises(services.ClaimError, match="cannot end before it starts"):
        services.start_involvement(
            person=contributor,
            title="x",
            start_date=datetime.date(2025, 4, 6),
            end_date=datetime.date(2025, 1, 1),
        )


def claim_post(**overrides):
    data = {
        "work_date": "2025-07-01",
        "activity_type": "meeting",
        "hours": "2",
        "minutes": "10",
        "preparation_hours": "0",
        "preparation_minutes": "0",
        "project": "Panel meeting",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_contributor_claims_against_their_role(client, contributor, role):
    client.force_login(contributor)
    form = client.get(reverse("payments:claim_create"))
    assert "Your role (optional)" in form.text and "Advisory panel member" in form.text
    response = client.post(reverse("payments:claim_create"), claim_post(involvement=str(role.pk)))
    assert response.status_code == 302
    claim = InvolvementClaim.objects.get()
    assert claim.involvement == role
    detail = client.get(reverse("payments:claim_detail", args=[claim.pk]))
    assert "Advisory panel member" in detail.text


def test_someone_elses_role_or_nonsense_is_a_form_error(
    client, other_contributor, contributor, role, policy_versions
):
    services.start_involvement(
        person=other_contributor, title="Their own role", start_date=datetime.date(2025, 4, 6)
    )
    client.force_login(other_contributor)
    for bad in (str(role.pk), "abc", "99999999999999999999"):
        response = client.post(reverse("payments:claim_create"), claim_post(involvement=bad))
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert not InvolvementClaim.objects.exists()


def test_without_roles_the_claim_form_does_not_ask(client, contributor, policy_versions):
    client.force_login(contributor)
    assert "Your role" not in client.get(reverse("payments:claim_create")).text


def test_coordinators_see_and_correct_roles_others_cannot(client, role, coordinator, contributor, editor):
    index = reverse("payments_involvements:index")
    edit = reverse("payments_involvements:edit", args=[role.pk])
    client.force_login(coordinator)
    assert "Advisory panel member" in client.get(index).text
    response = client.post(
        edit,
        {
            "title": "Panel chair",
            "activity_type": "meeting",
            "start_date": "2025-04-06",
            "end_date": "2025-01-01",
        },
    )
    assert (
        response.status_code == 200
    )  # the end before the start: the check constraint refuses it in the form
    role.refresh_from_db()
    assert role.title == "Advisory panel member"
    response = client.post(
        edit, {"title": "Panel chair", "activity_type": "meeting", "start_date": "2025-04-06", "end_date": ""}
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.title == "Panel chair"
    for person in (contributor, editor):
        client.force_login(person)
        assert client.get(index).status_code in (302, 403)
        assert client.get(edit).status_code in (302, 403)
