"""Registration and event changes in Wagtail's log, so the admin History pages show who did what.

Services write these inside their transaction (a change that rolls back leaves no entry); the actions are
registered with the `register_log_actions` hook in `wagtail_hooks`. An entry holds the action, the person
who did it (None when it was the registrant through their signed link, or the system), and a little data;
never access needs or other personal details beyond the registration's own name.
"""

from wagtail.log_actions import LogFormatter, log

REGISTERED = "events.registration.registered"
JOINED_WAITING_LIST = "events.registration.waiting"
PROMOTED = "events.registration.promoted"
NEEDS_CHANGED = "events.registration.changed"
CANCELLED = "events.registration.cancelled"
RESTORED = "events.registration.restored"
ATTENDANCE = "events.registration.attendance"
CONTACTED = "events.registration.contacted"
EVENT_CANCELLED = "events.event.cancelled"


class PromotedFormatter(LogFormatter):
    label = "Given a place from the waiting list"

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("automatic"):
            return "Given a place from the waiting list when a seat came free (first come, first served)"
        return "Given a place from the waiting list by a coordinator"


class RegisteredFormatter(LogFormatter):
    """Registered or joined the waiting list: by the person online, or by a coordinator for them (the
    entry's user is then the coordinator, `data` says how the booking came)."""

    online = ""
    outcome = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if not data.get("on_behalf"):
            return self.online
        via = {"phone": "by phone", "post": "by post", "in_person": "in person"}.get(data.get("via"), "")
        whom = data.get("for") or "the person"
        return " ".join(f"Booked {via} by a coordinator on behalf of {whom}, {self.outcome}".split())


class RegisteredConfirmedFormatter(RegisteredFormatter):
    label = "Registered"
    online = "Registered with a confirmed place"
    outcome = "with a confirmed place"


class RegisteredWaitingFormatter(RegisteredFormatter):
    label = "Joined the waiting list"
    online = "Registered and joined the waiting list"
    outcome = "on the waiting list"


class ContactedFormatter(LogFormatter):
    label = "Contacted by a coordinator"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return f"{data.get('method', 'Contacted')} done: {data.get('kind', 'a change to their place')}"


class AttendanceFormatter(LogFormatter):
    label = "Attendance recorded"

    def format_message(self, log_entry):
        labels = {"attended": "attended", "no_show": "did not come"}
        return f"Attendance recorded: {labels.get((log_entry.data or {}).get('attendance'), 'changed')}"


ACTIONS = {
    NEEDS_CHANGED: ("Changed needs or contact details", "Changed access needs, a carer or contact details"),
    CANCELLED: ("Place cancelled", "Place cancelled"),
    RESTORED: ("Cancellation undone", "The registrant undid their cancellation"),
    EVENT_CANCELLED: ("Event cancelled", "Event cancelled; everyone registered was told by e-mail"),
}
FORMATTERS = {
    REGISTERED: RegisteredConfirmedFormatter,
    JOINED_WAITING_LIST: RegisteredWaitingFormatter,
    PROMOTED: PromotedFormatter,
    ATTENDANCE: AttendanceFormatter,
    CONTACTED: ContactedFormatter,
}


def register_actions(actions):
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)


def log_change(instance, action, *, user=None, **data):
    """One log entry for a registration or an event page (user None: the registrant or the system)."""
    return log(instance=instance, action=action, user=user, data=data)
