"""Row locks for service functions: one way to lock, a lock timeout, and one switch for race tests.

Use inside the service's `transaction.atomic()` block, before reading the state you re-check:

    with transaction.atomic():
        event = lock_one(EventPage.objects.all(), pk=event.pk, timeout_error=EventBusy)
        waiting = lock_rows(Registration.objects.filter(event=event, status="waiting").order_by("pk"))
        ...count, decide, write...

`lock_one(queryset, **lookup)` locks and returns one row (`DoesNotExist` as `get()` would);
`lock_rows(queryset)` locks and returns a list of rows, in the queryset's order.

What must stay true:
- Each lock is `SELECT ... FOR UPDATE` in the caller's transaction and is held until that transaction ends.
  Calling either function outside `transaction.atomic()` is a `TransactionManagementError` on every
  database, so a missing transaction is caught by the SQLite tests too.
- Lock in one order everywhere (the parent before its children, rows by primary key), so two
  transactions never wait for each other.
- A lock not granted within `settings.ROW_LOCK_TIMEOUT_SECONDS` (default 10) raises `timeout_error`
  (`LockTimeout` unless the caller names its own domain error) with a message for people, instead of
  the request hanging until the proxy gives up. On PostgreSQL this is `lock_timeout`, set with
  `set_config(..., is_local => true)`, so it ends with the transaction. The transaction is unusable
  afterwards: let the error leave the atomic block.
- SQLite ignores FOR UPDATE (its writers are serialised by the database itself) and has no lock timeout.

For race tests (PostgreSQL, marker `postgres`):
- `locks_disabled()` (or the setting `ROW_LOCKS_ENABLED = False`) turns every lock into a plain read.
  Only the control tests use it, to show that the race is real without the lock.
- `race_point(label)` marks, in a service, the gap between reading the state and writing the decision.
  It does nothing unless a test installs a hook with `at_race_points(hook)`: a short pause to widen
  the gap, or a barrier that makes every thread read before any writes.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connections
from django.db.transaction import TransactionManagementError
from django.test.utils import override_settings

DEFAULT_TIMEOUT_SECONDS = 10
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout that expired


class LockTimeout(Exception):
    """Someone else holds the row for longer than the lock timeout; the message is shown to people."""

    default_message = (
        "Someone else is changing this at the same moment. Nothing was saved: please try again in a minute."
    )

    def __init__(self, message=None):
        super().__init__(message or self.default_message)


def locks_enabled():
    return getattr(settings, "ROW_LOCKS_ENABLED", True)


def lock_timeout_seconds():
    return float(getattr(settings, "ROW_LOCK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def lock_one(queryset, *, of=(), timeout_error=LockTimeout, **lookup):
    """Locks and returns the one row of `queryset` matching `lookup` (like `get()`)."""
    if not locks_enabled():
        return queryset.get(**lookup)
    with _lock_timeout(queryset.db, timeout_error):
        return queryset.select_for_update(of=of).get(**lookup)


def lock_rows(queryset, *, of=(), timeout_error=LockTimeout):
    """Locks every row of `queryset` and returns them as a list, in the queryset's order."""
    if not locks_enabled():
        return list(queryset)
    with _lock_timeout(queryset.db, timeout_error):
        return list(queryset.select_for_update(of=of))


@contextmanager
def _lock_timeout(using, timeout_error):
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError("Rows can only be locked inside transaction.atomic().")
    if connection.vendor == "postgresql":
        milliseconds = max(int(lock_timeout_seconds() * 1000), 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])
    try:
        yield
    except OperationalError as exc:
        cause = exc.__cause__
        if LOCK_NOT_AVAILABLE in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None)):
            raise timeout_error(LockTimeout.default_message) from exc
        raise


def locks_disabled():
    """For control tests only: every lock becomes a plain read (a context manager or decorator)."""
    return override_settings(ROW_LOCKS_ENABLED=False)


_race_hooks = []
_race_hooks_lock = threading.Lock()


def race_point(label):
    """Marks the gap between reading and writing in a service; runs the hook a test installed, if any."""
    for hook in list(_race_hooks):
        hook(label)


@contextmanager
def at_race_points(hook):
    """Runs `hook(label)` at every `race_point` (in every thread) while the block runs."""
    with _race_hooks_lock:
        _race_hooks.append(hook)
    try:
        yield
    finally:
        with _race_hooks_lock:
            _race_hooks.remove(hook)
