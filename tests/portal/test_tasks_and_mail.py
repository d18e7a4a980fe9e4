"""Background work goes through django-tasks; e-mail leaves only after the transaction commits."""

import email

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from portal.mail import build_message, queue_email, send_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_queued_email_waits_for_commit_and_is_dropped_on_rollback():
    with transaction.atomic():
        queue_email(subject="Hello", to=["a@example.org"], text="Body")
        assert mail.outbox == [], "nothing may leave before the transaction commits"
    assert [m.subject for m in mail.outbox] == ["Hello"]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        queue_email(subject="Never", to=["a@example.org"], text="Body")
        raise Boom
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_calendar_attachment_keeps_its_method_parameter():
    message = build_message(
        subject="Invite",
        to=["a@example.org"],
        text="See attached",
        html="<p>See attached</p>",
        attachments=[
            {
                "filename": "event.ics",
                "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                "mimetype": "text/calendar; method=CANCEL",
            }
        ],
    )
    parsed = email.message_from_bytes(message.message().as_bytes())
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "CANCEL"
    assert parts[0].get_filename() == "event.ics"


def test_database_backend_stores_tasks_for_a_separate_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    # django-tasks rebuilds its backends when TASKS changes (a setting_changed receiver).
    result = send_email.enqueue(subject="Queued", to=["b@example.org"], text="Body")
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(id=result.id).exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.subject for m in mail.outbox] == ["Queued"]
