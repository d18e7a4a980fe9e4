"""E-mail for every app: rendered from templates, queued as a task, sent only after the transaction commits.

A task's arguments must survive JSON (the database backend stores them), so messages travel as plain
strings and attachments as {"filename", "content", "mimetype"} dicts. A mimetype may carry parameters,
e.g. "text/calendar; method=REQUEST", which end up on the MIME part where calendar clients look for them.
"""

from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


def _mime_part(filename, content, mimetype):
    maintype, _, rest = mimetype.partition("/")
    subtype, *params = [piece.strip() for piece in rest.split(";")]
    if maintype == "text":
        part = MIMEText(content, subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content.encode() if isinstance(content, str) else content)
        encoders.encode_base64(part)
    for param in params:
        key, _, value = param.partition("=")
        part.set_param(key.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build_message(*, subject, to, text, html=None, attachments=(), reply_to=None, headers=None):
    message = EmailMultiAlternatives(
        subject=subject.strip().replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to or []),
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for item in attachments:
        message.attach(_mime_part(item["filename"], item["content"], item["mimetype"]))
    return message


@task()
def send_email(*, subject, to, text, html=None, attachments=(), reply_to=None, headers=None):
    """Sends one message. Runs in a task worker (or at once with the immediate backend)."""
    build_message(
        subject=subject,
        to=to,
        text=text,
        html=html,
        attachments=attachments,
        reply_to=reply_to,
        headers=headers,
    ).send()


def queue_email(**message):
    """Queues `send_email` to run once the current transaction commits (at once outside a transaction).

    A rolled-back transaction sends nothing, and a worker never reads data that is not yet committed.
    """
    transaction.on_commit(lambda: send_email.enqueue(**message))


def render_email(template_base, context):
    """Renders `<template_base>_subject.txt`, `.txt` and `.html` into subject, text and html."""
    return {
        "subject": render_to_string(f"{template_base}_subject.txt", context).strip(),
        "text": render_to_string(f"{template_base}.txt", context),
        "html": render_to_string(f"{template_base}.html", context),
    }
