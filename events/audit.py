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
EVENT_CANCELLED = "events.event.cancelled"


class PromotedFormatter(LogFormatter):
    label = "Given a place from the waiting list"

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("automatic"):
            return "Given a place from the waiting list when a seat came free (first come, first served)"
        return "Given a place from the waiting list by a coordinator"


class AttendanceFormatter(LogFormatter):
    label = "Attendance recorded"

    def format_message(self, log_entry):
        labels = {"attended": "attended", "no_show": "did not come"}
        return f"Attendance recorded: {labels.get((log_entry.data or {}).get('attendance'), 'changed')}"


ACTIONS = {
    REGISTERED: ("Registered", "Registered with a confirmed place"),
    JOINED_WAITING_LIST: ("Joined the waiting list", "Registered and joined the waiting list"),
    NEEDS_CHANGED: ("Changed needs or contact details", "Changed access needs, a carer or contact details"),
    CANCELLED: ("Place cancelled", "Place cancelled"),
    RESTORED: ("Cancellation undone", "The registrant undid their cancellation"),
    EVENT_CANCELLED: ("Event cancelled", "Event cancelled; everyone registered was told by e-mail"),
}
FORMATTERS = {PROMOTED: PromotedFormatter, ATTENDANCE: AttendanceFormatter}


def register_actions(actions):
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)


def log_change(instance, action, *, user=None, **data):
    """One log entry for a registration or an event page (user None: the registrant or the system)."""
    return log(instance=instance, action=action, user=user, data=data)
