"""Every state change of events and registrations, one module per subject: `registrations` (with the
capacity invariant), `event_changes`, `housekeeping`, `contact` (the call list for people without
e-mail); `common` holds what they share."""

from .common import (
    AlreadyRegistered,
    EventBusy,
    EventFull,
    RegistrationClosed,
    RegistrationRefused,
    confirmed_seats,
)
from .contact import complete_contact_task
from .event_changes import (
    cancel_event,
    change_event,
    create_follow_up,
    event_published,
    schedule_fingerprint,
)
from .feedback import (
    FeedbackRefused,
    FeedbackRun,
    due_feedback_ids,
    invitation_for,
    send_feedback_requests,
    submit_event_feedback,
)
from .housekeeping import due_reminder_ids, purge_access_needs, reminder_lead_time, send_due_reminders
from .registrations import (
    RegistrationResult,
    SeatTaken,
    cancel_registration,
    change_needs,
    mark_attendance,
    promote,
    register,
    undo_cancellation,
)

__all__ = [
    "AlreadyRegistered",
    "EventBusy",
    "EventFull",
    "FeedbackRefused",
    "FeedbackRun",
    "RegistrationClosed",
    "RegistrationRefused",
    "RegistrationResult",
    "SeatTaken",
    "cancel_event",
    "cancel_registration",
    "change_event",
    "change_needs",
    "complete_contact_task",
    "confirmed_seats",
    "create_follow_up",
    "due_feedback_ids",
    "due_reminder_ids",
    "invitation_for",
    "event_published",
    "mark_attendance",
    "promote",
    "purge_access_needs",
    "register",
    "reminder_lead_time",
    "schedule_fingerprint",
    "send_due_reminders",
    "send_feedback_requests",
    "submit_event_feedback",
    "undo_cancellation",
]
