"""Event pages.

Times are stored in UTC (USE_TZ) and shown in the event's own `time_zone`, which defaults to the site's
zone. Fields that identify an event to calendar apps (`ical_uid`, `ical_sequence`), its cancellation
state and its confirmed seats are owned by services, not by page revisions: `with_content_json` keeps
the live values so publishing an old draft can never reset them, and `save()` never writes the seat
count of an existing event (only the services' UPDATE under the event's lock does).
"""

import hashlib
import uuid
import zoneinfo
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from home.blocks import BaseStreamBlock
from portal.cache import cache_until, vary_on_query
from portal.visibility import restricted_above

from ..blocks import MaterialsStreamBlock
from ..choices import AccessProvision, EventStatus, EventType, Format, MaterialsRelease
from ..forms import RegistrationForm
from ..structured_data import event_structured_data
from .fields import ChoiceListField
from .registration import Registration

SCHEDULE_FIELDS = (
    "start",
    "end",
    "time_zone",
    "format",
    "venue_name",
    "venue_address",
    "joining_details",
    "title",
)
SERVICE_OWNED_FIELDS = (
    "ical_uid",
    "ical_sequence",
    "status",
    "cancelled_at",
    "schedule_fingerprint",
    "confirmed_seats",
)


def new_ical_uid():
    return f"{uuid.uuid4()}@events.coproduction-portal"


# The words people use for the zones events are held in (`time_zone_choices`).
ZONE_LABELS = {"Europe/London": "UK time", "Europe/Dublin": "Irish time", "UTC": "UTC"}


def time_zone_choices():
    zones = {settings.TIME_ZONE, "UTC", "Europe/London", "Europe/Dublin"}
    return [(zone, zone) for zone in sorted(zones)]


class EventPageQuerySet(PageQuerySet):
    def recount_confirmed_seats(self):
        """Writes each event's `confirmed_seats` column from its registrations, in one UPDATE.

        The services call it under the event's lock, in the transaction that changed the registrations,
        so the column is exact whenever that transaction commits. An UPDATE of this one column, never
        `page.save()`, which writes every field of a page object that may be stale (and keeps the row's
        own count: see `save`).
        """
        return self.update(confirmed_seats=Registration.objects.confirmed_seats_of(OuterRef("pk")))

    def public(self):
        """Wagtail's `public()` in the same query (`portal.visibility.restricted_above`)."""
        return self.exclude(Exists(restricted_above()))

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now())


class EventPageManager(PageManager.from_queryset(EventPageQuerySet)):
    pass


class EventPage(Page):
    EventType = EventType
    Format = Format

    Status = EventStatus

    summary = models.TextField(max_length=500, help_text="One or two plain-English sentences for listings.")
    body = StreamField(BaseStreamBlock(), blank=True)
    event_type = models.CharField(max_length=20, choices=EventType.choices, default=EventType.WORKSHOP)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.IN_PERSON)

    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(db_index=True)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=settings.TIME_ZONE,
        help_text="The zone the event's times are shown in.",
    )

    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True, help_text="Full postal address, including the postcode.")
    directions = models.TextField(
        blank=True,
        help_text="How to get there: step-free route from the station, bus stop and drop-off point.",
    )
    joining_details = models.TextField(
        blank=True,
        help_text="Online link and dial-in. Only confirmed attendees see this (in their e-mail and manage page).",
    )

    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats, counting carers and PAs. Leave blank for no limit."
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Blank: open now.")
    registration_closes_at = models.DateTimeField(null=True, blank=True, help_text="Blank: until the start.")
    waiting_list_enabled = models.BooleanField(
        default=True, help_text="When full, people can join a waiting list."
    )

    access_provisions = ChoiceListField(choice_class=AccessProvision, help_text="What is in place.")
    access_provisions_other = models.TextField(blank=True, help_text="Anything else that is in place.")
    access_requests_by = models.DateTimeField(
        null=True, blank=True, help_text="The last day to ask for an adjustment (e.g. an interpreter)."
    )
    expenses_covered = models.TextField(
        blank=True, help_text="What expenses are repaid: travel, carer or PA, childcare, subsistence..."
    )
    contact_phone = models.CharField(max_length=40, blank=True, help_text="A number to call with questions.")
    contact_email = models.EmailField(blank=True)

    is_paid_involvement = models.BooleanField(
        default=False, help_text="Attendees can claim payment for their time under the payment policy."
    )
    involvement_activity_type = models.CharField(
        max_length=60, blank=True, help_text="The activity type the payment policy pays for (e.g. workshop)."
    )

    follows_up_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    changes_from_feedback = models.TextField(
        "what changed because of your feedback",
        blank=True,
        help_text="On a follow-up event: what you changed because of what people said about the last one.",
    )

    materials = StreamField(
        MaterialsStreamBlock(),
        blank=True,
        help_text="Course materials: only people with a confirmed place and coordinators see them.",
    )
    materials_release = models.CharField(
        "show materials",
        max_length=10,
        choices=MaterialsRelease.choices,
        default=MaterialsRelease.BEFORE,
    )
    asks_for_feedback = models.BooleanField(
        "ask attendees for feedback",
        default=True,
        help_text="After the event, everyone with a confirmed place gets an e-mail with a short feedback form.",
    )

    # Owned by services (see the module docstring).
    ical_uid = models.CharField(max_length=255, unique=True, default=new_ical_uid, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    schedule_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The seats of the confirmed places (`Registration.objects.confirmed_seats_of(event)`), kept by the
    # services under the event's lock, so listings filter and show places left without counting rows.
    confirmed_seats = models.PositiveIntegerField(default=0, editable=False)

    objects = EventPageManager()

    # What `get_context` reads from the address (the page cache keeps a copy per valid value).
    cache_query_params = ("already",)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("event_type"), FieldPanel("format")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("time_zone")], heading="When"
        ),
        MultiFieldPanel(
            [
                FieldPanel("venue_name"),
                FieldPanel("venue_address"),
                FieldPanel("directions"),
                FieldPanel("joining_details"),
            ],
            heading="Where",
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]),
                FieldPanel("waiting_list_enabled"),
            ],
            heading="Places",
        ),
        MultiFieldPanel(
            [
                FieldPanel("access_provisions"),
                FieldPanel("access_provisions_other"),
                FieldPanel("access_requests_by"),
                FieldPanel("expenses_covered"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
            ],
            heading="Access, expenses and contact",
        ),
        MultiFieldPanel(
            [
                # The label a person reads (the field's name would read "Is paid involvement").
                FieldPanel("is_paid_involvement", heading="Paid involvement"),
                FieldPanel("involvement_activity_type"),
            ],
            heading="Payment for involvement",
        ),
        MultiFieldPanel(
            [PageChooserPanel("follows_up_on", "events.EventPage"), FieldPanel("changes_from_feedback")],
            heading="Follow-up",
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("materials_release"),
                FieldPanel("materials"),
                InlinePanel("material_files", label="File"),
            ],
            heading="Course materials (attendees only)",
        ),
        FieldPanel("asks_for_feedback"),
    ]
    # What a visitor reads on the event page, so the site search finds an event by its body or its
    # access arrangements ("access needs", "BSL interpreter"). Never the joining details or the
    # materials: only confirmed attendees see those.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("venue_name"),
        index.SearchField("provisions_text"),
        index.SearchField("access_provisions_other"),
        index.SearchField("expenses_covered"),
        index.FilterField("start"),
    ]

    # Long text and blocks no card shows: lists of events (the index, the home page's section) leave
    # them unread.
    LISTING_DEFERRED = (
        "body",
        "materials",
        "directions",
        "joining_details",
        "venue_address",
        "access_provisions_other",
        "expenses_covered",
        "changes_from_feedback",
    )

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []
    exclude_fields_in_copy = list(SERVICE_OWNED_FIELDS)

    class Meta:
        verbose_name = "event page"
        # Granted to Editors and Moderators (migration 0003); checked by
        # events.admin_views.can_cancel_event, never by group name.
        permissions = [("cancel_event", "Can cancel an event and tell everyone registered")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            raise ValidationError({"registration_closes_at": "Registration must close after it opens."})
        if self.follows_up_on_id and self.follows_up_on_id == self.pk:
            raise ValidationError({"follows_up_on": "An event cannot follow up on itself."})

    def save(self, clean=True, **kwargs):
        if not self.ical_uid:
            self.ical_uid = new_ical_uid()
        if not self.schedule_fingerprint and self.start and self.end:
            # Recorded from the first save, so even an event that was never published through the editor
            # (demo, bench, imports) tells its registrants when its time or place later changes.
            self.schedule_fingerprint = self.compute_schedule_fingerprint()
        if self.pk is None or kwargs.get("update_fields") is not None:
            return super().save(clean=clean, **kwargs)
        # An existing event: the seat count this object holds may be older than its row (a registration
        # since it was read, a revision's copy), so the UPDATE keeps the row's own value, in the same
        # statement. Validated first, as Wagtail's save would, while the field still holds a number.
        if clean:
            if self.live:
                self.full_clean()
            else:
                self.minimal_clean()
        self.confirmed_seats = F("confirmed_seats")
        try:
            return super().save(clean=False, **kwargs)
        finally:
            # Read from the row when next used (Django loads a missing field as a deferred one).
            self.__dict__.pop("confirmed_seats", None)

    def compute_schedule_fingerprint(self):
        """A hash of what attendees rely on: time, zone, format, place, joining details and title."""
        parts = []
        for name in SCHEDULE_FIELDS:
            value = getattr(self, name)
            if hasattr(value, "astimezone"):
                value = value.astimezone(UTC).isoformat()  # the same instant, however it was given
            parts.append(str(value))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def with_content_json(self, content):
        # Read the service-owned fields from the database, not from this (possibly stale) instance, so
        # publishing any revision keeps the UID, SEQUENCE and cancellation that services wrote.
        obj = super().with_content_json(content)
        current = (
            EventPage.objects.filter(pk=self.pk).values(*SERVICE_OWNED_FIELDS).first() if self.pk else None
        )
        for name in SERVICE_OWNED_FIELDS:
            setattr(obj, name, current[name] if current else getattr(self, name))
        return obj

    # Times in the event's zone -------------------------------------------------------------------
    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def time_zone_label(self):
        """How times are labelled for people: "UK time" rather than "Europe/London"."""
        return ZONE_LABELS.get(self.time_zone, f"{self.time_zone} time")

    @property
    def local_start(self):
        return self.start.astimezone(self.zone)

    @property
    def local_end(self):
        return self.end.astimezone(self.zone)

    # State -------------------------------------------------------------------------------------
    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self):
        return self.end < timezone.now()

    def registration_state(self, now=None):
        """(is_open, reason): why people can or cannot register right now."""
        now = now or timezone.now()
        if self.is_cancelled:
            return False, "This event has been cancelled."
        if self.start <= now:
            return False, "This event has already started, so registration has closed."
        if self.registration_opens_at and now < self.registration_opens_at:
            opens = timezone.localtime(self.registration_opens_at, self.zone)
            return False, f"Registration opens on {opens:%A %-d %B %Y at %H:%M} ({self.time_zone_label})."
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False, "Registration has closed."
        return True, ""

    def seat_counts(self):
        """Counts for this event in one query: confirmed seats, waiting and cancelled people."""
        if self.pk is None:  # the preview of an event not yet saved: nobody can have registered
            return Registration.objects.none().counts()
        return Registration.objects.filter(event=self).counts()

    def places_left(self, confirmed_seats=None):
        """Places left (None: no limit), from the `confirmed_seats` column unless a count is given."""
        if self.capacity is None:
            return None
        taken = self.confirmed_seats if confirmed_seats is None else confirmed_seats
        return max(self.capacity - taken, 0)

    def materials_released(self, now=None):
        """Whether attendees may see the materials yet (coordinators always may)."""
        if self.materials_release == MaterialsRelease.AFTER:
            return self.end <= (now or timezone.now())
        return True

    @property
    def has_materials(self):
        if self.materials:
            return True
        known = getattr(self, "has_material_files", None)  # read with the page (EventIndexPage.route)
        return known if known is not None else self.material_files.exists()

    @property
    def listed_places_left(self):
        """Places left, as the cards and the page show them (None: no limit)."""
        return self.places_left()

    @cached_property
    def provision_labels(self):
        return [
            AccessProvision(value).label
            for value in self.access_provisions
            if value in AccessProvision.values
        ]

    def provisions_text(self):
        """The access arrangements in words, for the search index (the stored values are codes)."""
        return "; ".join(self.provision_labels)

    def next_change(self, now=None):
        """The next moment time alone changes what the page shows (registration opening or closing,
        the start), or None."""
        now = now or timezone.now()
        moments = (self.registration_opens_at, self.registration_closes_at, self.start)
        return min((moment for moment in moments if moment and moment > now), default=None)

    # Serving -----------------------------------------------------------------------------------
    def structured_data(self, request):
        """schema.org data for search engines (see home/seo.py and events/structured_data.py)."""
        return [event_structured_data(self, request)]

    def get_context(self, request, *args, **kwargs):
        """What the page shows; the posted form is handled by `events.views.register`."""
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context["places_left"] = self.places_left()
        is_open, reason = self.registration_state(now)
        context["registration_open"] = is_open
        context["registration_closed_reason"] = reason
        # A signed-in person with a place (or on the waiting list) is sent to it, not given the form again.
        # Signed-in pages never enter the shared page cache (portal.cache), so this stays theirs.
        context["your_registration"] = yours = self.registration_of(getattr(request, "user", None))
        if yours is not None:
            from ..signing import make_manage_token  # the signing module imports the models

            context["your_manage_url"] = reverse("events:manage", args=[make_manage_token(yours)])
        if is_open and "form" not in context and context["your_registration"] is None:
            context["form"] = RegistrationForm(event=self, user=request.user)
        # Sent back here after registering twice (`events.views.register`): the same words for everyone.
        context["already_registered"] = request.GET.get("already") == "1"
        vary_on_query(request, [("already", "1")] if context["already_registered"] else [])
        if (moment := self.next_change(now)) is not None:
            cache_until(request, moment)
        # Routing says whether there are any (EventIndexPage.route): most events have none to read.
        has_follow_ups = self.pk is not None and getattr(self, "has_follow_ups", True)
        context["follow_ups"] = (
            list(self.follow_ups.live().public().order_by("start")) if has_follow_ups else []
        )
        context["follows_up_on_page"] = self._live_follows_up_on()
        return context

    def registration_of(self, user):
        """The signed-in person's confirmed or waiting registration for this event, made with their
        account or their account's e-mail address, or None."""
        if self.pk is None or user is None or not user.is_authenticated:
            return None
        mine = models.Q(user=user)
        if user.email:
            mine |= models.Q(email=user.email.strip().lower())
        return (
            Registration.objects.filter(mine, event=self)
            .exclude(status=Registration.Status.CANCELLED)
            .order_by("pk")
            .first()
        )

    def _live_follows_up_on(self):
        follows = self.follows_up_on
        return follows if follows and follows.live else None
