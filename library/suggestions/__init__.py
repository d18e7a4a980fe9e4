"""Suggested resources: comparing a suggestion with the library (`normalise`) and every change to a
suggestion (`services`)."""
