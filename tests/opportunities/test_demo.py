from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from opportunities.models import Application, OpportunityIndexPage, OpportunityPage
from opportunities.signing import make_manage_token
from payments.models import Involvement

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_with_every_status_and_every_page_works(client):
    call_command("load_demo_data", stdout=StringIO())
    counts = (OpportunityPage.objects.count(), Application.objects.count(), Involvement.objects.count())
    call_command("load_demo_data", stdout=StringIO())
    assert (
        OpportunityPage.objects.count(),
        Application.objects.count(),
        Involvement.objects.count(),
    ) == counts

    assert set(Application.objects.values_list("status", flat=True)) == set(Application.Status.values)
    pages = list(OpportunityPage.objects.all())
    assert any(p.is_open() for p in pages) and any(not p.is_open() for p in pages)
    assert any(not p.is_paid for p in pages)
    index = OpportunityIndexPage.objects.get()
    assert client.get(index.url).status_code == 200
    assert client.get(index.url + "?show=closed").status_code == 200
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.slug
        if page.is_paid:
            assert "pays £" in response.text, page.slug
    accepted = Application.objects.get(status="accepted")
    assert accepted.user.email == "contributor@example.org"
    assert accepted.involvement.person == accepted.user
    assert "Get involved" in client.get("/").text
    for application in Application.objects.all():
        assert (
            client.get(reverse("opportunities:manage", args=[make_manage_token(application)])).status_code
            == 200
        )
