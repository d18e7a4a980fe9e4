"""The errors of claim changes; their messages are shown to people as they are."""


class ClaimError(Exception):
    """A claim change that is not allowed; the message is shown to the person."""


class ClaimBusy(ClaimError):
    """Someone else is changing the same claim (or the same person's claims) right now."""
