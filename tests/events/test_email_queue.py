"""With TASKS_BACKEND=database every e-mail a registration change sends is a task stored when the change
commits (queue "email") and sent by the worker, never inside the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from events import services
from events.models import Registration
from events.signing import make_manage_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    # django-tasks rebuilds its backends when TASKS changes (a setting_changed receiver).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }


def queued():
    from django_tasks_db.models import DBTaskResult

    return [
        (task.task_path, task.args_kwargs["args"][1])
        for task in DBTaskResult.objects.filter(queue_name="email")
    ]


def test_registration_emails_are_queued_at_commit_and_sent_by_the_worker(
    client, event_factory, person, database_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    event = event_factory(capacity=1)
    form = {"name": "Ana Example", "email": "ana@example.org", "preferred_contact": "email"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(event.url, form).status_code == 302
        assert queued() == []  # nothing before the commit
    assert mail.outbox == [] and len(queued()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(event.url, form)  # registered already: a fresh link, queued too
        waiting = services.register(event, data=person()).registration
    assert mail.outbox == []
    ana = Registration.objects.get(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:manage_cancel", args=[make_manage_token(ana)]))
    assert response.status_code == 302 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event)
    assert mail.outbox == []
    assert sorted(queued()) == sorted(
        ("events.tasks.send_registration_email", kind)
        for kind in ("confirmed", "manage_link", "waiting", "cancelled", "promoted", "event_cancelled")
    )
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED

    # The worker closes connections it thinks stale; here it shares the test's open transaction.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="*", verbosity=0)
    assert len(mail.outbox) == 6
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["ana@example.org"] * 3 + [waiting.email] * 3
    )
