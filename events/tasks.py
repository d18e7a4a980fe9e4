"""Background work for events: e-mails to registrants, sent by a worker (queue `email`) after the
transaction that caused them commits."""

from django_tasks import task

from .emails import deliver_feedback_email, deliver_registration_email


@task(queue_name="email")
def send_registration_email(registration_id, kind):
    return deliver_registration_email(registration_id, kind)


@task(queue_name="email")
def send_feedback_email(invitation_id):
    return deliver_feedback_email(invitation_id)
