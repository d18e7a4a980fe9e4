"""Scheduled work for events, as tasks (the management commands `send_event_reminders` and
`purge_access_needs` run the same services from cron)."""

from django_tasks import task

from . import services


@task()
def send_event_reminders():
    return services.send_due_reminders()


@task()
def purge_access_needs():
    return services.purge_access_needs()


@task()
def send_feedback_requests():
    return services.send_feedback_requests().sent
