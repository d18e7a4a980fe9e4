"""Feedback after an event: one invitation per attendee, anonymous answers, a summary whose counts are
the answers' own at constant query cost, export, and "what changed" on the follow-up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import services
from events.factories import RegistrationFactory
from events.models import EventFeedback, FeedbackInvitation, Registration

pytestmark = pytest.mark.usefixtures("on_commit_now")


@pytest.fixture
def ended(event_factory):
    start = timezone.now() - timedelta(days=1, hours=3)
    return event_factory(title="Training day", start=start, end=start + timedelta(hours=3))


def answer(**overrides):
    data = {
        "rating": "4",
        "what_worked": "Plenty of breaks.",
        "what_to_change": "A bigger room.",
        "access_met": "partly",
        "access_comment": "The loop was off for the first hour.",
    }
    data.update(overrides)
    return data


def test_each_attendee_is_invited_once(ended, event_factory):
    attendees = RegistrationFactory.create_batch(3, event=ended)
    RegistrationFactory(event=ended, status=Registration.Status.WAITING)
    RegistrationFactory(event=ended, status=Registration.Status.CANCELLED)
    RegistrationFactory(event=ended, attendance=Registration.Attendance.NO_SHOW)
    RegistrationFactory(event=event_factory())  # not over yet
    old_start = timezone.now() - timedelta(days=60)
    RegistrationFactory(event=event_factory(start=old_start, end=old_start + timedelta(hours=2)))
    RegistrationFactory(event=event_factory(start=ended.start, end=ended.end, asks_for_feedback=False))
    mail.outbox.clear()
    run = services.send_feedback_requests()
    assert run.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in attendees)
    invitation = FeedbackInvitation.objects.get(registration=attendees[0])
    message = next(m for m in mail.outbox if m.to == [attendees[0].email])
    assert reverse("events:feedback", args=[invitation.token]) in message.body
    assert services.send_feedback_requests().sent == 0
    assert len(mail.outbox) == 3


def test_an_answer_is_anonymous_unless_the_person_chooses(client, ended):
    first, second = RegistrationFactory.create_batch(2, event=ended, name="Jo Bloggs")
    services.send_feedback_requests()
    for registration, show in ((first, False), (second, True)):
        token = FeedbackInvitation.objects.get(registration=registration).token
        url = reverse("events:feedback", args=[token])
        page = client.get(url)
        assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
        data = answer(show_name="on") if show else answer()
        response = client.post(url, data)
        assert response.status_code == 302
    names = sorted(EventFeedback.objects.values_list("name", flat=True))
    assert names == ["", "Jo Bloggs"]
    # Nothing on an answer points back at a person or a registration.
    fields = {field.name for field in EventFeedback._meta.get_fields()}
    assert not fields & {"registration", "invitation", "email", "user"}


def test_one_answer_per_link_and_bad_links(client, ended):
    registration = RegistrationFactory(event=ended)
    services.send_feedback_requests()
    url = reverse("events:feedback", args=[FeedbackInvitation.objects.get(registration=registration).token])
    assert client.post(url, answer()).status_code == 302
    again = client.post(url, answer(rating="1"))
    assert again.status_code == 200
    assert "Thank you for your feedback" in again.content.decode()
    assert EventFeedback.objects.count() == 1
    assert client.get(reverse("events:feedback", args=["made-up"])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (answer(rating="9"), "Select a valid choice"),
        (answer(rating=""), "This field is required"),
        (answer(access_met="sometimes"), "Select a valid choice"),
        (answer(what_worked="x" * 3001), "at most 3000 characters"),
        (answer(what_to_change="a\x00b"), "unusual characters"),
    ],
)
def test_bad_answers_get_a_clear_message_and_nothing_is_saved(client, ended, data, message):
    registration = RegistrationFactory(event=ended)
    services.send_feedback_requests()
    invitation = FeedbackInvitation.objects.get(registration=registration)
    response = client.post(reverse("events:feedback", args=[invitation.token]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert EventFeedback.objects.count() == 0
    invitation.refresh_from_db()
    assert not invitation.answered


def make_answers(event, count):
    EventFeedback.objects.bulk_create(
        EventFeedback(
            event=event,
            rating=(n % 5) + 1,
            what_worked=f"Answer {n}" if n % 2 else "",
            access_met=["yes", "partly", "no", "not_needed"][n % 4],
        )
        for n in range(count)
    )


def test_the_summary_counts_match_the_answers(client, ended, coordinator):
    make_answers(ended, 23)
    client.force_login(coordinator)
    response = client.get(reverse("events_feedback_summary", args=[ended.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["total"] == 23
    by_rating = {row["value"]: row["count"] for row in summary["ratings"]}
    for value in range(1, 6):
        assert by_rating[value] == EventFeedback.objects.filter(event=ended, rating=value).count()
    assert sum(row["count"] for row in summary["access"]) == 23
    assert summary["comments"].paginator.count == EventFeedback.objects.exclude(what_worked="").count()


def test_the_summary_runs_the_same_queries_at_1000_answers(
    client, ended, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("events_feedback_summary", args=[ended.pk])
    make_answers(ended, 10)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_answers(ended, 990)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["summary"]["total"] == 1000


def test_export_is_private_guarded_and_for_organisers_only(client, ended, coordinator, contributor):
    EventFeedback.objects.create(event=ended, rating=5, what_worked="=HYPERLINK(1)", access_met="yes")
    url = reverse("events_feedback_summary", args=[ended.pk]) + "?export=csv"
    client.force_login(contributor)
    assert client.get(url).status_code in (302, 403)
    client.logout()
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_a_follow_up_shows_what_changed_because_of_feedback(client, ended, event_factory):
    follow_up = event_factory(
        title="Training day two", follows_up_on=ended, changes_from_feedback="We booked a step-free room."
    )
    page = client.get(follow_up.url).content.decode()
    assert "What changed because of your feedback" in page
    assert "We booked a step-free room." in page
    assert ended.url in page
