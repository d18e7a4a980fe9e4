"""Who may see an event's course materials.

People with a confirmed place, once the materials are released (at once, or after the event ends), and
whoever coordinates events (permission `events.view_registration`), always. A place is shown either by
the registration's signed manage link or by the signed-in account it was made with.
"""

from django.utils import timezone

from .models import Registration

COORDINATE = "events.view_registration"


def is_coordinator(user):
    return bool(user and user.is_authenticated and user.has_perm(COORDINATE))


def confirmed_place(event, *, registration=None, user=None):
    """The confirmed registration that shows a place at `event`, or None."""
    if registration is not None:
        if registration.event_id == event.pk and registration.status == Registration.Status.CONFIRMED:
            return registration
        return None
    if user is not None and user.is_authenticated:
        return Registration.objects.filter(
            event=event, user=user, status=Registration.Status.CONFIRMED
        ).first()
    return None


def materials_access(event, *, registration=None, user=None, now=None):
    """("full" | "not_yet" | None): may see the materials now, has a place but must wait, or neither."""
    if is_coordinator(user):
        return "full"
    if confirmed_place(event, registration=registration, user=user) is None:
        return None
    return "full" if event.materials_released(now or timezone.now()) else "not_yet"
