"""One audit trail for the whole site: Wagtail's log (ModelLogEntry), which the admin's History pages show.

A status change is one log entry whose data holds where it moved from and to and a note for people. It is
written inside the service's transaction, so a change that rolls back leaves no entry. `trail(instance)`
reads an object's entries back, oldest first, for the pages that show them (a contributor's claim, a
payout's history).
"""

from dataclasses import dataclass
from datetime import datetime

from wagtail.log_actions import LogFormatter, log
from wagtail.models import ModelLogEntry


class StatusChangeFormatter(LogFormatter):
    label = "Changed"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        moved = (
            f"{data.get('from') or 'new'} → {data.get('to')}" if data.get("from") != data.get("to") else ""
        )
        return " ".join(part for part in (moved, data.get("note", "")) if part) or self.label


def register(actions, action, label):
    """Registers a status-change action (for the `register_log_actions` hook)."""
    formatter = type("Formatter", (StatusChangeFormatter,), {"label": label})
    actions.register_action(action)(formatter)


def record_change(instance, action, *, actor, from_status, to_status, note=""):
    return log(
        instance=instance,
        action=action,
        user=actor,
        data={"from": from_status, "to": to_status, "note": note[:1000]},
    )


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: object
    from_status: str
    to_status: str
    note: str
    action: str


def trail(instance):
    """The object's audit entries, oldest first."""
    entries = ModelLogEntry.objects.for_instance(instance).select_related("user").order_by("timestamp", "pk")
    return [
        Entry(
            at=entry.timestamp,
            actor=entry.user,
            from_status=(entry.data or {}).get("from", ""),
            to_status=(entry.data or {}).get("to", ""),
            note=(entry.data or {}).get("note", ""),
            action=entry.action,
        )
        for entry in entries
    ]
