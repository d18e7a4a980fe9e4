"""Every change to a suggested resource: received, published, declined.

What must stay true:
- A suggestion is stored whole or not at all: its draft page, its revision, the workflow it is submitted
  to and the suggestion record are written in one transaction, and a file written for a suggestion that
  then fails is deleted again.
- A suggested file waits for review in private storage (`ResourceSuggestion.pending_file`, under a
  generated name), never in public MEDIA_ROOT. It becomes a Wagtail document, in the public collection
  and attached to the resource, only when the resource is published; a declined suggestion's file is
  deleted.
- Two suggestions of the same link or title are never both accepted, even at the same moment: the
  library's row is locked before the duplicate check, so suggestions to one library are checked one
  after the other.
- The suggester hears once that it arrived, and once more when it is published or declined; e-mails are
  queued after the transaction commits.
"""

import os

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, TaskState, Workflow, WorkflowState

from portal import cache as page_cache
from portal import ratelimit
from portal.audit import record_change
from portal.http import client_ip
from portal.locking import lock_one, race_point
from portal.mail import queue_email, render_email
from portal.storage import private_storage

from ..models import ResourcePage, ResourceSuggestion
from .normalise import normalise_title, normalise_url, url_search_core

WORKFLOW_NAME = "Community suggestions"  # made by migration 0006
AUDIT_ACTION = "library.suggestion"


class SuggestionRefused(Exception):
    """A suggestion that will not be stored; the message is shown to the person."""


class DuplicateSuggestion(SuggestionRefused):
    """The library already has (or is already reviewing) this resource. `existing` is its live page, if any."""

    def __init__(self, message, existing=None):
        super().__init__(message)
        self.existing = existing


def check_rate_limit(request):
    limit, window = settings.SUGGESTION_RATE_LIMIT
    if ratelimit.hit("suggestion", client_ip(request), window) > limit:
        raise SuggestionRefused(
            "You have sent several suggestions in a short time, thank you! Please wait an hour and try "
            "again; what you wrote is still in the form."
        )


def find_duplicate(library, *, title, url):
    """The live resource or pending suggestion with the same link or title, as (kind, object), or None.

    A fixed number of queries whatever the library's size: the database narrows the candidates (the
    address contains the link's core, the slug or title matches), Python compares normalised forms.
    """
    n_url, n_title = normalise_url(url), normalise_title(title)
    match = Q(slug=slugify(title)[:255]) | Q(title__iexact=" ".join(title.split()))
    if n_url:
        match |= Q(external_url__icontains=url_search_core(url))
    candidates = ResourcePage.objects.child_of(library).live().filter(match).only("title", "external_url")
    for resource in candidates:
        if n_url and normalise_url(resource.external_url) == n_url:
            return "link", resource
        if normalise_title(resource.title) == n_title:
            return "title", resource
    pending = ResourceSuggestion.objects.filter(status=ResourceSuggestion.Status.PENDING).filter(
        Q(normalised_title=n_title) | (Q(normalised_url=n_url) if n_url else Q(pk__in=[]))
    )
    suggestion = pending.first()
    if suggestion is not None:
        return ("link" if n_url and suggestion.normalised_url == n_url else "title"), suggestion
    return None


def _duplicate_error(found):
    kind, existing = found
    if isinstance(existing, ResourceSuggestion):
        return DuplicateSuggestion(
            f"Someone has already suggested this resource (the same {kind}), and our editors are looking "
            "at it now. Thank you for thinking of it!"
        )
    return DuplicateSuggestion(
        f"Good news: the library already has this resource (the same {kind}), “{existing.title}”. "
        "Thank you for thinking of it! If yours is a different one, please give it a clearer title.",
        existing=existing,
    )


def _email_context(suggestion, **extra):
    return {"suggestion": suggestion, "site_name": settings.WAGTAIL_SITE_NAME, **extra}


def suggest_resource(library, *, data, request=None):
    """Stores a visitor's suggestion as a draft resource submitted to the "Community suggestions" workflow.

    `data` is a valid `SuggestionForm`'s cleaned data. Raises SuggestionRefused (honeypot, rate limit)
    or DuplicateSuggestion before anything is written. Returns the ResourceSuggestion. The rate limit
    counts per client address, so it applies to web requests (`request`); the demo data passes none.
    """
    if data.get("website"):
        raise SuggestionRefused("Your suggestion could not be sent. Please leave the last field empty.")
    if request is not None:
        check_rate_limit(request)
    written = []
    try:
        with transaction.atomic():
            lock_one(Page.objects.all(), pk=library.pk)
            found = find_duplicate(library, title=data["title"], url=data.get("url", ""))
            if found:
                raise _duplicate_error(found)
            race_point("library.suggest")
            suggestion = _store(library, data, written)
    except BaseException:
        for name in written:
            private_storage.delete(name)
        raise
    return suggestion


def _store(library, data, written):
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME, active=True).first()
    if workflow is None:
        raise SuggestionRefused("Suggestions are closed at the moment. Please try again later.")
    page = ResourcePage(
        title=data["title"],
        summary=data["why_useful"][:2000],
        resource_type=data.get("resource_type"),
        external_url=data.get("url", ""),
        suggested_by=data["name"] if data.get("credit") else "",
        live=False,
        has_unpublished_changes=True,
    )
    # Parental relations are kept on the instance and written when the page is saved.
    page.topics.set(data.get("topics") or [])
    page.audiences.set(data.get("audiences") or [])
    library.add_child(instance=page)
    page.save_revision(log_action=False, clean=False)
    suggestion = ResourceSuggestion.objects.create(
        page=page,
        title=data["title"],
        url=data.get("url", ""),
        pending_file=data.get("file") or "",
        normalised_url=normalise_url(data.get("url", "")),
        normalised_title=normalise_title(data["title"]),
        why_useful=data["why_useful"],
        name=data["name"],
        email=data["email"],
        credit=bool(data.get("credit")),
    )
    if suggestion.pending_file:
        written.append(suggestion.pending_file.name)
    workflow.start(page, user=None)
    record_change(
        suggestion, AUDIT_ACTION, actor=None, from_status="", to_status=suggestion.status, note="Suggested"
    )
    queue_email(
        to=[suggestion.email], **render_email("library/email/suggestion_received", _email_context(suggestion))
    )
    return suggestion


def _reviewer(page):
    """Who approved the page's latest workflow, if a workflow published it."""
    state = (
        TaskState.objects.filter(
            workflow_state__base_content_type=page.get_base_content_type(),
            workflow_state__object_id=str(page.pk),
            workflow_state__status=WorkflowState.STATUS_APPROVED,
            status=TaskState.STATUS_APPROVED,
        )
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    return state.finished_by if state else None


def _decide(page, to_status, *, actor_for, note="", **fields):
    """Moves the page's pending suggestion to `to_status` once, under its row lock; returns (suggestion,
    changed). `actor_for(suggestion)` names who decided; `fields` are saved with the status."""
    try:
        suggestion = lock_one(ResourceSuggestion.objects.all(), page=page)
    except ResourceSuggestion.DoesNotExist:
        return None, False
    if suggestion.status != ResourceSuggestion.Status.PENDING:
        return suggestion, False
    previous = suggestion.status
    suggestion.status = to_status
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = actor_for(suggestion)
    for name, value in fields.items():
        setattr(suggestion, name, value)
    suggestion.save(update_fields=["status", "decided_at", "decided_by", *fields])
    record_change(
        suggestion,
        AUDIT_ACTION,
        actor=suggestion.decided_by,
        from_status=previous,
        to_status=to_status,
        note=note,
    )
    return suggestion, True


def suggestion_published(page):
    """The suggested resource went live (through the workflow or published by an editor directly).

    Its document joins the public collection, the suggestion is marked published and the suggester is
    e-mailed once. Idempotent: republishing the page changes nothing.
    """
    with transaction.atomic():
        suggestion, changed = _decide(
            page, ResourceSuggestion.Status.PUBLISHED, actor_for=lambda _suggestion: _reviewer(page)
        )
        if not changed:
            return suggestion
        _publish_file(suggestion, page)
        context = _email_context(suggestion, page_url=page.get_full_url() or "", credited=page.suggested_by)
        queue_email(to=[suggestion.email], **render_email("library/email/suggestion_published", context))
    return suggestion


def _publish_file(suggestion, page):
    """The suggested file becomes a public Wagtail document attached to the published resource (unless an
    editor attached another one while reviewing), named after the resource; the private file is deleted
    once the transaction commits."""
    if not suggestion.pending_file:
        return
    pending = suggestion.pending_file.name
    if page.document_id is None:
        document = get_document_model()(title=suggestion.title, collection=Collection.get_first_root_node())
        extension = os.path.splitext(pending)[1]
        with private_storage.open(pending, "rb") as handle:
            document.file.save(
                f"{slugify(suggestion.title)[:80] or 'resource'}{extension}", File(handle), save=False
            )
        document._set_document_file_metadata()
        document.save()
        # The page was just published from its revision: the live row and the revisions it came from
        # get the document, so the next edit keeps it.
        ResourcePage.objects.filter(pk=page.pk).update(document=document)
        page.document = document
        for revision in {page.live_revision, page.latest_revision} - {None}:
            revision.content["document"] = document.pk
            revision.save(update_fields=["content"])
        page_cache.purge(page, listings=True)
        suggestion.document = document
    suggestion.pending_file = ""
    suggestion.save(update_fields=["document", "pending_file"])
    transaction.on_commit(lambda: private_storage.delete(pending))


def _discard_file(suggestion):
    if suggestion.pending_file:
        pending = suggestion.pending_file.name
        suggestion.pending_file = ""
        suggestion.save(update_fields=["pending_file"])
        transaction.on_commit(lambda: private_storage.delete(pending))


def decline_suggestion(page, *, actor, reason):
    """An editor declined the suggestion in the workflow: recorded with the reason, the suggester told once."""
    with transaction.atomic():
        suggestion, changed = _decide(
            page,
            ResourceSuggestion.Status.DECLINED,
            actor_for=lambda _suggestion: actor,
            note=reason,
            decline_reason=reason[:3000],
        )
        if changed:
            _discard_file(suggestion)
            queue_email(
                to=[suggestion.email],
                **render_email("library/email/suggestion_declined", _email_context(suggestion)),
            )
    return suggestion
