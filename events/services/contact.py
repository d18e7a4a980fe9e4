"""Reaching people who have no e-mail address: the coordinators' call list and letters to post.

What would be an e-mail for everyone else is a `ContactTask` for them (made by `common._notify` inside the
change it reports). A coordinator makes the call or posts the letter, then marks it done here; the
registration's history says who did it and when. Marking done twice changes nothing the second time.
"""

from django.db import transaction
from django.utils import timezone

from portal.cache import purging
from portal.locking import lock_one

from ..audit import CONTACTED, log_change
from ..models import ContactTask
from .common import EventBusy, RegistrationRefused


def complete_contact_task(task, *, actor, outcome=""):
    """Marks a call made, a text sent or a letter posted, by `actor`. Idempotent."""
    outcome = " ".join((outcome or "").split())
    if len(outcome) > 200:
        raise RegistrationRefused("Keep the note to 200 characters or fewer.")
    with transaction.atomic(), purging():  # the call list shows on no public page
        task = lock_one(
            ContactTask.objects.select_related("registration"),
            of=("self",),
            pk=task.pk,
            timeout_error=EventBusy,
        )
        if task.done_at is not None:
            return task
        task.done_at = timezone.now()
        task.done_by = actor
        task.outcome = outcome
        task.save(update_fields=["done_at", "done_by", "outcome"])
        log_change(
            task.registration,
            CONTACTED,
            user=actor,
            kind=task.get_kind_display(),
            method=task.get_method_display(),
        )
    return task
