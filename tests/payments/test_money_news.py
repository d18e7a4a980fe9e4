"""Contributors always know where their money is: an e-mail at approval, rejection, payment and
lateness, each with the amount, the date to expect and a link that opens (built from the Site
record); the dashboard and the claim's page say the same; receipts above the policy's limit are
asked for; only payment methods that work are offered."""

import datetime
import re
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from home.models import SiteSettings
from payments import expenses, services
from payments.expectations import expected_decision, expected_payment
from payments.factories import ContributorProfileFactory
from payments.models import ClaimExpense, InvolvementClaim
from payouts import services as payouts
from tests.uploads import PDF

pytestmark = pytest.mark.django_db

D = Decimal
AMOUNT = "£61.88"  # 2 h 10 min of meeting, rounded to 2 h 15 min, at £27.50/h


@pytest.fixture
def site(home_page):
    """The default Site record at a public address other than the request's, with the money contacts."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "portal.example.org", 8080
    site.save()
    settings = SiteSettings.for_site(site)
    settings.payments_contact_name = "Priya, involvement coordinator"
    settings.payments_contact_email = "payments@portal.example.org"
    settings.payments_contact_phone = "0161 496 0000"
    settings.welfare_adviser_name = "Manchester Welfare Rights"
    settings.welfare_adviser_url = "https://welfare.example.org/"
    settings.welfare_adviser_phone = "0161 496 0999"
    settings.save()
    return site


def long_date(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def the_link(body, site):
    """The claim or payment link in an e-mail: absolute, at the Site record's address."""
    urls = re.findall(r"https?://[^\s\"<]+", body)
    ours = [url for url in urls if url.startswith("http://portal.example.org:8080/")]
    assert ours, urls
    return ours


def opens(client, user, url):
    client.force_login(user)
    return client.get(urlsplit(url).path).status_code == 200


def decide(callbacks, fn, *args, **kwargs):
    with callbacks(execute=True):
        return fn(*args, **kwargs)


def test_approval_email_says_how_much_by_when_and_links_to_the_claim(
    site, make_claim, contributor, coordinator, mailoutbox, django_capture_on_commit_callbacks, client
):
    claim = make_claim(contributor, "submitted")
    decide(django_capture_on_commit_callbacks, services.approve, claim, actor=coordinator)
    [message] = mailoutbox
    assert message.to == [contributor.email]
    expected = timezone.localdate() + datetime.timedelta(days=30)
    for body in (message.body, message.alternatives[0][0]):
        assert AMOUNT in body
        assert long_date(expected) in body
        assert "Manchester Welfare Rights" in body
    assert AMOUNT in message.subject and "approved" in message.subject
    [url] = set(the_link(message.body, site))
    assert urlsplit(url).path == reverse("payments:claim_detail", args=[claim.pk])
    assert opens(client, contributor, url)


def test_rejection_email_gives_the_reason_what_to_do_and_who_to_ask(
    site, make_claim, contributor, coordinator, mailoutbox, django_capture_on_commit_callbacks, client
):
    claim = make_claim(contributor, "submitted")
    decide(
        django_capture_on_commit_callbacks,
        services.reject,
        claim,
        actor=coordinator,
        reason="This meeting was paid by your employer.",
    )
    [message] = mailoutbox
    body = message.body
    assert "not approved" in message.subject
    assert AMOUNT in body and "This meeting was paid by your employer." in body
    assert "record a new claim" in body and "we pay within 30 days" in body
    assert "Priya, involvement coordinator" in body and "payments@portal.example.org" in body
    urls = the_link(body, site)
    assert reverse("payments:claim_create") in {urlsplit(u).path for u in urls}
    assert all(opens(client, contributor, url) for url in urls)


def test_paid_email_gives_the_date_paid_the_payment_number_and_a_working_link(
    site, make_claim, contributor, coordinator, mailoutbox, django_capture_on_commit_callbacks, client
):
    claim = make_claim(contributor, "approved", approver=coordinator)
    mailoutbox.clear()
    paid_on = timezone.localdate() - datetime.timedelta(days=1)
    payout = decide(
        django_capture_on_commit_callbacks,
        payouts.pay_claim_by_hand,
        claim,
        actor=coordinator,
        method="bank_transfer",
        paid_on=paid_on,
        reference="BACS-1",
    )
    [message] = mailoutbox
    assert f"Payment {payout.pk}" in message.body and AMOUNT in message.body
    assert long_date(paid_on) in message.body
    assert "Manchester Welfare Rights" in message.body
    [url] = set(the_link(message.body, site))
    assert urlsplit(url).path == reverse("payouts:detail", args=[payout.pk])
    assert opens(client, contributor, url)


def approved_days_ago(claim, days):
    """Approved at noon (UK time) `days` days ago: a whole number of local days before today, whatever
    the hour the test runs (45 days before a December midnight is an October day in summer time)."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    InvolvementClaim.objects.filter(pk=claim.pk).update(decided_at=noon)
    claim.refresh_from_db()
    return claim


def test_the_late_notice_is_sent_once_however_often_the_command_runs(
    site, make_claim, contributor, coordinator, mailoutbox, django_capture_on_commit_callbacks, client
):
    late = approved_days_ago(make_claim(contributor, "approved", approver=coordinator), 40)
    approved_days_ago(  # approved 10 days ago: not late yet
        make_claim(contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 3)), 10
    )
    mailoutbox.clear()
    out = StringIO()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_late_payment_notices", stdout=out)
    assert "Late-payment notices sent: 1." in out.getvalue()
    assert "Late-payment notices sent: 0." in out.getvalue()
    [message] = mailoutbox
    assert message.to == [contributor.email]
    due = late.pay_by()
    assert due == timezone.localdate() - datetime.timedelta(days=10)
    for body in (message.body, message.alternatives[0][0]):
        assert AMOUNT in body and long_date(due) in body
        assert "Priya, involvement coordinator" in body
        assert "payments@portal.example.org" in body and "0161 496 0000" in body
    [url] = set(the_link(message.body, site))
    assert opens(client, contributor, url)
    late.refresh_from_db()
    assert late.late_notice_sent_at is not None


def test_a_payment_with_a_planned_date_sets_the_expected_date(
    site, make_claim, contributor, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    claim = make_claim(contributor, "approved", approver=coordinator)
    planned = timezone.localdate() - datetime.timedelta(days=2)
    run, _skipped = payouts.create_run(actor=coordinator, claim_ids=[claim.pk], planned_on=planned)
    payout = run.payouts.get()
    expected = expected_payment(claim)
    assert (expected.date, expected.basis, expected.late) == (planned, "planned", True)
    assert expected.payment_label == f"Payment {payout.pk}"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_late_payment_notices", stdout=StringIO())
    [message] = mailoutbox
    assert long_date(planned) in message.body and f"Payment {payout.pk}" in message.body


def test_the_dashboard_and_claim_page_show_expected_dates_and_lateness(
    site, make_claim, contributor, coordinator, client
):
    on_time = make_claim(contributor, "approved", approver=coordinator)
    late = approved_days_ago(
        make_claim(contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 2)), 45
    )
    paid = make_claim(contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 7, 3))
    waiting = make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, 4))
    client.force_login(contributor)
    page = client.get(reverse("payments:my_involvement")).content.decode()
    assert f"Expected by {on_time.pay_by():%-d %B %Y}" in page
    assert f"Late:</strong> expected by {late.pay_by():%-d %B %Y}" in page
    assert f"Paid on {timezone.localtime(paid.paid_at):%-d %B %Y}" in page
    assert f"Decision expected by {expected_decision(waiting).date:%-d %B %Y}" in page
    detail = client.get(reverse("payments:claim_detail", args=[late.pk])).content.decode()
    assert "Your payment is late" in detail and f"{late.pay_by():%-d %B %Y}" in detail
    assert "Priya, involvement coordinator" in detail and "payments@portal.example.org" in detail
    detail = client.get(reverse("payments:claim_detail", args=[on_time.pk])).content.decode()
    assert f"Expect payment by <strong>{on_time.pay_by():%-d %B %Y}</strong>" in detail


def test_the_claim_page_flags_an_overdue_claim_to_coordinators(make_claim, contributor, coordinator, client):
    late = approved_days_ago(make_claim(contributor, "approved", approver=coordinator), 45)
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:inspect", args=[late.pk])).content.decode()
    assert 'id="claim-overdue"' in page and "15 days ago" in page


def test_a_taxi_over_the_receipt_limit_without_a_receipt_is_not_a_silent_pass(
    make_claim, contributor, coordinator, client
):
    claim = make_claim(contributor)
    client.force_login(contributor)
    url = reverse("payments:expense_add", args=[claim.pk])
    taxi = {"category": "travel", "amount": "25.00", "description": "taxi to the workshop"}
    response = client.post(url, taxi)
    assert response.status_code == 400
    page = response.content.decode()
    assert "asks for a receipt for expenses over £10.00" in page and "tell us below why there is none" in page
    assert 'name="no_receipt_reason"' in page
    assert not ClaimExpense.objects.exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(services.ClaimError, match="receipt"):
        expenses.add_expense(claim, actor=contributor, data={"category": "travel", "amount": D("25")})
    # With the reason it is kept, and the coordinator reads the reason from the queue.
    response = client.post(url, {**taxi, "no_receipt_reason": "The driver had no receipt book."})
    assert response.status_code == 302
    assert ClaimExpense.objects.get().no_receipt_reason == "The driver had no receipt book."
    services.submit(claim, actor=contributor)
    client.force_login(coordinator)
    queue = client.get(reverse("payments_claims:queue")).content.decode()
    assert "no receipt: The driver had no receipt book." in queue
    assert "taxi to the workshop" in queue and "How the amount is worked out" not in queue
    assert claim.explanation_lines[0] in queue


def test_an_expense_under_the_limit_or_with_a_receipt_needs_no_reason(make_claim, contributor, client):
    claim = make_claim(contributor)
    client.force_login(contributor)
    url = reverse("payments:expense_add", args=[claim.pk])
    assert client.post(url, {"category": "travel", "amount": "9.50"}).status_code == 302
    receipt = SimpleUploadedFile("taxi.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"category": "travel", "amount": "25", "receipt": receipt}).status_code == 302
    assert ClaimExpense.objects.count() == 2


def test_an_old_expense_without_a_receipt_is_shown_as_missing(make_claim, contributor, client):
    claim = make_claim(contributor)
    ClaimExpense.objects.create(claim=claim, category="travel", amount=D("25.00"))  # from before the rule
    client.force_login(contributor)
    page = client.get(reverse("payments:claim_detail", args=[claim.pk])).content.decode()
    assert 'id="receipt-warning"' in page and "Travel (fares, taxis, parking) (£25.00)" in page


def test_stripe_is_offered_only_when_it_is_set_up(client, contributor, settings):
    client.force_login(contributor)
    settings.STRIPE_SECRET_KEY = ""
    page = client.get(reverse("payments:profile")).content.decode()
    assert 'value="stripe"' not in page and 'value="bank_transfer"' in page
    refused = client.post(
        reverse("payments:profile"), {"display_name": "Chris", "payment_preference": "stripe"}
    )
    assert refused.status_code == 200 and not InvolvementClaim.objects.exists()
    assert "Select a valid choice" in refused.content.decode()
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    assert 'value="stripe"' in client.get(reverse("payments:profile")).content.decode()


def test_nobody_is_told_they_chose_before_they_chose(client, contributor):
    ContributorProfileFactory(user=contributor, payment_preference="")
    client.force_login(contributor)
    page = client.get(reverse("payments:my_involvement")).content.decode()
    assert "You chose" not in page and "You have not told us how you would like to be paid yet" in page
    form = client.get(reverse("payments:profile")).content.decode()
    assert "checked" not in form.split('name="payment_preference"', 1)[1].split("</fieldset>", 1)[0]


def test_the_welfare_rights_adviser_is_named_where_one_is_mentioned(site, client, contributor):
    client.force_login(contributor)
    page = client.get(reverse("payments:my_involvement")).content.decode()
    assert "welfare-rights adviser" in page
    assert '<a href="https://welfare.example.org/">Manchester Welfare Rights</a>' in page
    assert "0161 496 0999" in page


def test_a_coordinator_plans_the_payment_date_when_confirming_a_run(
    make_claim, contributor, coordinator, client
):
    claim = make_claim(contributor, "approved", approver=coordinator)
    client.force_login(coordinator)
    url = reverse("payouts_admin:run")
    preview = client.post(url, {"claims": [claim.pk], "action": "preview"}).content.decode()
    assert 'name="planned_on"' in preview and "Planned payment date" in preview
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.post(url, {"claims": [claim.pk], "action": "confirm", "planned_on": yesterday.isoformat()})
    assert not claim.payout_items.exists()  # a date in the past is refused, nothing is created
    planned = timezone.localdate() + datetime.timedelta(days=5)
    client.post(url, {"claims": [claim.pk], "action": "confirm", "planned_on": planned.isoformat()})
    payout = claim.payout_items.get().payout
    assert payout.run.planned_on == planned
    client.force_login(contributor)
    page = client.get(reverse("payments:claim_detail", args=[claim.pk])).content.decode()
    assert f"Expect payment by <strong>{planned:%-d %B %Y}</strong> (Payment {payout.pk})" in page
