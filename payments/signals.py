"""Signals the payments app sends; other apps may listen (payments never imports them).

`release_requested` is sent by payments.services inside the transaction that is about to decline or
cancel an approved claim that a payout still holds, with `claim=` (locked), `actor=` and `reason=`.
The holder must, in that same transaction, either let go of the claim (recording why) or raise
payments.services.ClaimError with a message for people (e.g. the money is already on its way).
Afterwards services check that nothing holds the claim any more, so a missing receiver refuses the
change rather than paying a declined claim.
"""

import django.dispatch

release_requested = django.dispatch.Signal()
