"""Withdrawing asks first and can be undone for a day (the application goes back exactly where it was);
the offer e-mail's words match its link; "about 1 hour a month"."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from opportunities import services
from opportunities.models import Application
from opportunities.signing import make_manage_token

Status = Application.Status
pytestmark = pytest.mark.django_db


def manage_url(application):
    return reverse("opportunities:manage", args=[make_manage_token(application)])


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.SHORTLISTED, Status.OFFERED])
def test_undo_puts_the_application_back_where_it_was(make_application, coordinator, status):
    application = make_application(status, coordinator=coordinator)
    services.withdraw(application)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN and application.withdrawn_from == status
    assert application.access_info_retain_until is not None
    services.undo_withdrawal(application)
    application.refresh_from_db()
    assert application.status == status and application.withdrawn_from == ""
    assert application.access_info_retain_until is None
    services.undo_withdrawal(application)  # a double click changes nothing
    application.refresh_from_db()
    assert application.status == status


def test_undo_is_refused_after_a_day_and_for_what_was_never_withdrawn(make_application, coordinator):
    application = make_application()
    services.withdraw(application)
    application.refresh_from_db()
    with pytest.raises(services.ApplicationRefused, match="too late"):
        services.undo_withdrawal(application, now=application.status_changed_at + timedelta(hours=25))
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    not_selected = make_application(
        Status.NOT_SELECTED, coordinator=coordinator, email="n@example.org", name="N"
    )
    with pytest.raises(services.ApplicationRefused):
        services.undo_withdrawal(not_selected)


def test_applying_again_clears_the_undo(make_application, opportunity):
    from .conftest import service_data

    application = make_application()
    services.withdraw(application)
    services.apply(opportunity, data=service_data())
    application.refresh_from_db()
    assert application.status == Status.RECEIVED and application.withdrawn_from == ""
    assert not application.can_undo_withdrawal()


def test_withdraw_asks_first_and_can_be_undone_through_the_pages(
    client, make_application, coordinator, django_capture_on_commit_callbacks
):
    application = make_application(Status.SHORTLISTED, coordinator=coordinator)
    url = manage_url(application)
    page = client.get(url).text
    assert f'href="{url}withdraw/"' in page and 'value="withdraw"' not in page
    asked = client.get(url + "withdraw/")
    assert asked.status_code == 200 and asked["Cache-Control"] == "private, no-store"
    assert "Are you sure you want to withdraw your application?" in asked.text
    assert f'href="{url}"' in asked.text and "Yes, withdraw my application" in asked.text
    application.refresh_from_db()
    assert application.status == Status.SHORTLISTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "withdraw/")
    assert response.status_code == 302 and response.url == url
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    (message,) = mail.outbox
    assert "you can undo it until" in message.body
    assert re.search(
        r"See your application or undo the withdrawal:\s+https?://\S+/applications/", message.body
    )
    page = client.get(url).text
    assert client.get(url + "withdraw/").url == url  # withdrawn already: the question only leads back
    assert "Changed your mind?" in page and "Undo: keep my application" in page and "(shortlisted)" in page
    assert client.get(url + "undo-withdrawal/").url == url  # a GET changes nothing
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "undo-withdrawal/")
    application.refresh_from_db()
    assert application.status == Status.SHORTLISTED
    assert mail.outbox[-1].subject.startswith("Your application is back")
    assert "Your application is back as it was" in client.get(url).text
    # Open again: withdrawing asks again.
    assert client.get(url + "withdraw/").status_code == 200


def test_the_offer_e_mail_asks_to_accept_under_a_link_that_says_so(
    make_application, coordinator, django_capture_on_commit_callbacks
):
    application = make_application(Status.SHORTLISTED, coordinator=coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application, to_status=Status.OFFERED, actor=coordinator)
    (message,) = mail.outbox
    assert "accept or decline it using the link below" in message.body
    assert re.search(r"Accept or decline the offer:\s+https?://\S+/applications/", message.body)
    assert "withdraw it" not in message.body
    html = message.alternatives[0][0]
    assert ">Accept or decline the offer</a>" in html and "withdraw it" not in html


def test_hours_a_month_are_pluralised(client, opportunity, index):
    opportunity.hours_per_month = 1
    opportunity.save_revision().publish()
    assert "About 1 hour a month" in client.get(opportunity.url).text
    assert "about 1 hour a month" in client.get(index.url).text
    opportunity.hours_per_month = 2.5
    opportunity.save_revision().publish()
    assert "About 2.5 hours a month" in client.get(opportunity.url).text
