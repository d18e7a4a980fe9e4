"""Signals other apps may listen to (events never imports them).

`attendance_recorded` is sent after the transaction that recorded attendance commits, with
`registration=` (an events.Registration whose `attendance` is "attended" or "no_show", and whose
`event.is_paid_involvement` / `event.involvement_activity_type` say whether and how it is paid).
It is sent again if attendance is changed, so receivers must be idempotent (key on registration.pk).
"""

import django.dispatch

attendance_recorded = django.dispatch.Signal()
