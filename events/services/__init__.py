"""Every state change of events and registrations.

The capacity invariant: the confirmed seats of an event (carers and PAs count) never exceed its capacity.
It holds under concurrent requests because every change that can add confirmed seats locks the event row
first (`select_for_update`), then counts, then writes, all in one transaction. PostgreSQL makes the second
request wait at the lock; SQLite ignores the lock but its IMMEDIATE transactions serialise writers.

E-mails and signals go out only after the transaction commits (`transaction.on_commit`), so nobody is told
about a place that was rolled back.
"""

from .common import (
    AlreadyRegistered,
    EventBusy,
    EventFull,
    RegistrationClosed,
    RegistrationRefused,
    confirmed_seats,
)
from .event_changes import (
    cancel_event,
    change_event,
    create_follow_up,
    event_published,
    schedule_fingerprint,
)
from .housekeeping import due_reminder_ids, purge_access_needs, reminder_lead_time, send_due_reminders
from .registrations import (
    RegistrationResult,
    cancel_registration,
    change_needs,
    mark_attendance,
    promote,
    register,
)

__all__ = [
    "AlreadyRegistered",
    "EventBusy",
    "EventFull",
    "RegistrationClosed",
    "RegistrationRefused",
    "RegistrationResult",
    "cancel_event",
    "cancel_registration",
    "change_event",
    "change_needs",
    "confirmed_seats",
    "create_follow_up",
    "due_reminder_ids",
    "event_published",
    "mark_attendance",
    "promote",
    "purge_access_needs",
    "register",
    "reminder_lead_time",
    "schedule_fingerprint",
    "send_due_reminders",
]
