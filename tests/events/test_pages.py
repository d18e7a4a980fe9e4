"""Public pages: the index with its filters, an event page, registration, the manage page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Registration
from events.signing import make_manage_token

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {"name": "Ana Example", "email": "ana@example.org", "preferred_contact": "email"}
    data.update(overrides)
    return data


def test_index_lists_upcoming_by_default_and_past_on_request(client, event_index, event_factory):
    now = timezone.now()
    event_factory(title="Next month", start=now + timedelta(days=30), end=now + timedelta(days=30, hours=2))
    event_factory(
        title="Last year", start=now - timedelta(days=300), end=now - timedelta(days=300) + timedelta(hours=2)
    )
    response = client.get(event_index.url)
    assert response.status_code == 200
    assert "Next month" in response.text and "Last year" not in response.text
    past = client.get(event_index.url + "?when=past")
    assert "Last year" in past.text and "Next month" not in past.text


def test_index_filters(client, event_index, event_factory, person):
    now = timezone.now()
    online = event_factory(title="Online chat", format="online", event_type="meeting")
    full = event_factory(title="Full workshop", capacity=1)
    services.register(full, data=person())
    event_factory(
        title="Training day",
        event_type="training",
        start=now + timedelta(days=60),
        end=now + timedelta(days=60, hours=1),
    )
    text = client.get(event_index.url + "?format=online").text
    assert "Online chat" in text and "Full workshop" not in text
    text = client.get(event_index.url + "?event_type=training").text
    assert "Training day" in text and "Online chat" not in text
    text = client.get(event_index.url + "?places_available=on").text
    assert "Full workshop" not in text and "Online chat" in text
    start = (now + timedelta(days=50)).date().isoformat()
    text = client.get(event_index.url + f"?date_from={start}").text
    assert "Training day" in text and "Online chat" not in text
    assert online.joining_details == "" or online.joining_details not in text


def test_event_page_shows_access_expenses_contact_and_follow_up_links(client, event_factory):
    original = event_factory(title="First workshop", access_provisions=["bsl", "quiet_room"])
    follow = event_factory(
        title="Six months on",
        follows_up_on=original,
        start=original.start + timedelta(days=180),
        end=original.end + timedelta(days=180),
    )
    text = client.get(original.url).text
    for expected in (
        "BSL interpreters",
        "Quiet room",
        "Travel, a carer or PA",
        "0117 496 0000",
        "Six months on",
    ):
        assert expected in text
    back = client.get(follow.url).text
    assert "follows up on" in back and original.url in back


def test_joining_details_never_public(client, event_index, event_factory, person):
    event = event_factory(format="online", joining_details="https://meet.example.org/very-secret")
    assert "very-secret" not in client.get(event.url).text
    assert "very-secret" not in client.get(event_index.url).text
    assert b"very-secret" not in client.get(reverse("events:feed")).content
    assert b"very-secret" not in client.get(reverse("events:event_ics", args=[event.pk])).content
    assert b"very-secret" not in client.get(f"/api/v2/pages/{event.pk}/").content
    assert b"very-secret" not in client.get("/api/v2/pages/?type=events.EventPage").content
    assert event.title not in client.get("/search/?q=very-secret").text  # joining details are not indexed
    waiting_event = event_factory(
        format="online", joining_details="https://meet.example.org/other", capacity=0
    )
    waiting = services.register(waiting_event, data=person()).registration
    assert waiting.status == "waiting"
    assert (
        "meet.example.org/other"
        not in client.get(reverse("events:manage", args=[make_manage_token(waiting)])).text
    )
    confirmed = services.register(event, data=person()).registration
    assert "very-secret" in client.get(reverse("events:manage", args=[make_manage_token(confirmed)])).text


def test_register_through_the_page(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event.url, form_data(access_needs=["bsl"], consent_to_keep_access_info="on"))
    assert response.status_code == 302
    assert response.url.startswith("/events/manage/") and response.url.endswith("?new=confirmed")
    registration = Registration.objects.get(event=event)
    assert registration.access_needs == ["bsl"] and registration.consent_to_keep_access_info
    page = client.get(response.url)
    assert "Your place is confirmed" in page.text
    assert len(mail.outbox) == 1


def test_registration_validation_shows_errors(client, event):
    response = client.post(event.url, {"name": "", "email": "not-an-email", "preferred_contact": "phone"})
    assert response.status_code == 400
    text = response.text
    assert "There is a problem" in text
    assert 'href="#id_name"' in text and 'href="#id_email"' in text and 'href="#id_phone"' in text
    assert "Give a phone number" in text
    assert Registration.objects.count() == 0
    bad_choice = client.post(event.url, form_data(access_needs=["teleport"]))
    assert bad_choice.status_code == 400
    assert Registration.objects.count() == 0


def test_duplicate_registration_through_the_page(client, event, django_capture_on_commit_callbacks):
    client.post(event.url, form_data())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event.url, form_data(email="ANA@example.org"))
    assert response.status_code == 302 and "already=1" in response.url
    assert "already registered" in client.get(response.url).text
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1 and "/events/manage/" in mail.outbox[0].body


def test_closed_registration_has_no_form(client, event_factory):
    event = event_factory(registration_opens_at=timezone.now() + timedelta(days=2))
    text = client.get(event.url).text
    assert "Registration opens on" in text and 'name="email"' not in text
    response = client.post(event.url, form_data())
    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_private_event_takes_no_registration_from_outsiders(client, event, user_factory):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=event, restriction_type=PageViewRestriction.LOGIN)
    response = client.post(event.url, form_data())
    assert response.status_code == 302 and "login" in response.url
    assert Registration.objects.count() == 0
    client.force_login(user_factory(email="member@example.org"))
    assert client.post(event.url, form_data(email="member@example.org")).status_code == 302
    assert Registration.objects.get().email == "member@example.org"


def test_signed_in_user_is_prefilled(client, event, user_factory):
    user = user_factory(email="known@example.org", first_name="Kim", last_name="Known")
    client.force_login(user)
    text = client.get(event.url).text
    assert 'value="known@example.org"' in text and 'value="Kim Known"' in text
    client.post(event.url, form_data(email="known@example.org", name="Kim Known"))
    assert Registration.objects.get(event=event).user == user


def test_manage_link_tampering_is_rejected(client, event, person):
    registration = services.register(event, data=person()).registration
    token = make_manage_token(registration)
    assert client.get(reverse("events:manage", args=[token])).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("events:manage", args=[tampered])).status_code == 404
    from django.core import signing

    forged = signing.dumps({"r": registration.pk, "h": "0"}, salt="another-salt", compress=True)
    assert client.get(reverse("events:manage", args=[forged])).status_code == 404
    # Someone else's payload with this token's signature: rejected.
    other = services.register(event, data=person()).registration
    swapped = make_manage_token(other).split(":", 1)[0] + ":" + token.split(":", 1)[1]
    assert client.get(reverse("events:manage", args=[swapped])).status_code == 404
    # The e-mail address is not readable from the link (the payload is only signed, not encrypted).
    from events.signing import SALT

    assert registration.email not in str(signing.loads(token, salt=SALT))
    assert client.post(reverse("events:manage_cancel", args=[tampered])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_manage_cancel_promotes_and_change_needs(client, event, person):
    regs = [services.register(event, data=person()).registration for _ in range(4)]
    url = reverse("events:manage", args=[make_manage_token(regs[0])])
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-store"
    # The old one-tap form only leads to the question; nothing is cancelled yet.
    response = client.post(url, {"action": "cancel"})
    assert response.status_code == 302 and response.url == url + "cancel/"
    asked = client.get(response.url)
    assert "Are you sure" in asked.text and asked["Cache-Control"] == "private, no-store"
    regs[0].refresh_from_db()
    assert regs[0].status == "confirmed"
    response = client.post(url + "cancel/")
    assert response.status_code == 302 and response.url == url
    regs[0].refresh_from_db()
    regs[3].refresh_from_db()
    assert regs[0].status == "cancelled" and regs[3].status == "confirmed"
    cancelled_page = client.get(url).text
    assert "Seats" not in cancelled_page and "Changed your mind?" in cancelled_page
    waiting_page = client.get(reverse("events:manage", args=[make_manage_token(regs[3])])).text
    assert 'data-status="confirmed"' in waiting_page

    url = reverse("events:manage", args=[make_manage_token(regs[1])])
    response = client.post(
        url,
        {
            "action": "change",
            "needs-access_needs": ["large_print"],
            "needs-dietary_needs": "Vegetarian",
            "needs-preferred_contact": "email",
        },
    )
    assert response.status_code == 302
    regs[1].refresh_from_db()
    assert regs[1].access_needs == ["large_print"] and regs[1].dietary_needs == "Vegetarian"
    refused = client.post(
        url, {"action": "change", "needs-brings_carer": "on", "needs-preferred_contact": "email"}
    )
    assert refused.status_code == 400 and "no free seat" in refused.text


def test_home_page_shows_upcoming_events(client, home_page, event_factory):
    event_factory(title="Coming soon workshop")
    text = client.get(home_page.url).text
    assert "Upcoming events" in text and "Coming soon workshop" in text


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # what a running site has cached (settings, menu, breadcrumbs) since the last change
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_index_and_event_page_queries_do_not_grow(client, event_index, event_factory, no_page_cache):
    from events.factories import RegistrationFactory

    first = event_factory(capacity=100)
    RegistrationFactory.create_batch(2, event=first)
    event_factory(follows_up_on=first)  # none to some costs the reading of them; more cost nothing more
    client.get(event_index.url)  # warm caches (site root paths, settings)
    small_index = _count_queries(client, event_index.url)
    small_event = _count_queries(client, first.url)
    for n in range(15):
        e = event_factory(capacity=50, follows_up_on=first if n < 3 else None)
        RegistrationFactory.create_batch(4, event=e)
    RegistrationFactory.create_batch(40, event=first)
    assert _count_queries(client, event_index.url) == small_index
    assert _count_queries(client, first.url) == small_event


def test_the_preview_of_an_event_not_yet_saved_renders(rf, event_index, admin_user):
    """Wagtail previews a new page before it has an id: nobody can have registered yet."""
    from events.models import EventPage

    start = timezone.now() + timedelta(days=10)
    event = EventPage(
        title="Draft workshop", slug="draft-workshop", start=start, end=start + timedelta(hours=2)
    )
    event.set_url_path(event_index)
    request = rf.get("/")
    request.user = admin_user
    response = event.serve_preview(request, event.default_preview_mode)
    response.render()
    assert response.status_code == 200
    assert "Draft workshop" in response.content.decode()
