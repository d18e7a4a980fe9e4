"""Events, their registrations and the choices both share.

Times are stored in UTC (USE_TZ) and shown in the event's own `time_zone`, which defaults to the site's
zone. Fields that identify an event to calendar apps (`ical_uid`, `ical_sequence`) and its cancellation
state are owned by services, not by page revisions: `with_content_json` keeps the live values so
publishing an old draft can never reset them.
"""

import hashlib
import uuid
import zoneinfo
from datetime import UTC, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES, BaseStreamBlock


class AccessProvision(models.TextChoices):
    STEP_FREE = "step_free", "Step-free route"
    ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
    HEARING_LOOP = "hearing_loop", "Tested hearing loop"
    BSL = "bsl", "BSL interpreters"
    LIVE_CAPTIONS = "live_captions", "Live captions"
    QUIET_ROOM = "quiet_room", "Quiet room"
    BREAKS = "breaks", "Regular breaks"
    MATERIALS_IN_ADVANCE = "materials_in_advance", "Materials in advance"
    LARGE_PRINT = "large_print", "Large print"


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON (works on SQLite and PostgreSQL), edited as checkboxes."""

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_class"] = self.choice_class
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choice_class.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=kwargs.get("label") or self.verbose_name.capitalize(),
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        unknown = set(value or []) - set(self.choice_class.values)
        if unknown:
            raise ValidationError(f"Unknown choice(s): {', '.join(sorted(unknown))}")


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
SERVICE_OWNED_FIELDS = ("ical_uid", "ical_sequence", "status", "cancelled_at", "schedule_fingerprint")


def new_ical_uid():
    return f"{uuid.uuid4()}@events.coproduction-portal"


def time_zone_choices():
    zones = {settings.TIME_ZONE, "UTC", "Europe/London", "Europe/Dublin"}
    return [(zone, zone) for zone in sorted(zones)]


class EventIndexPage(Page):
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="Who the events are for, and how to ask about access."),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = "event index page"

    def events(self):
        """Live, public events under this index, each annotated with its confirmed seats (one query)."""
        return EventPage.objects.child_of(self).live().public().with_seat_counts()

    def get_context(self, request, *args, **kwargs):
        from .filters import EventFilter

        context = super().get_context(request, *args, **kwargs)
        event_filter = EventFilter(request.GET or None, queryset=self.events(), request=request)
        paginator = Paginator(event_filter.qs, 20)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        context["filter"] = event_filter
        context["events"] = page_obj
        context["showing_past"] = event_filter.showing_past
        return context


class EventPageQuerySet(PageQuerySet):
    def with_seat_counts(self):
        """Annotates `confirmed_seats` in the same query, so listings never count per row.

        A correlated subquery (on the event/status index), not a join with GROUP BY: the database only
        sums the registrations of the rows it returns, instead of grouping every registration first.
        """
        seats = (
            Registration.objects.filter(event=OuterRef("pk"), status=Registration.Status.CONFIRMED)
            .order_by()
            .values("event")
            .annotate(total=Sum("seats"))
            .values("total")
        )
        return self.annotate(confirmed_seats=Coalesce(Subquery(seats, output_field=models.IntegerField()), 0))

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now())


class EventPageManager(PageManager.from_queryset(EventPageQuerySet)):
    pass


class EventPage(Page):
    class EventType(models.TextChoices):
        WORKSHOP = "workshop", "Workshop"
        TRAINING = "training", "Training"
        MEETING = "meeting", "Meeting"
        FOLLOW_UP = "follow_up", "Follow-up"
        SOCIAL = "social", "Social"
        OTHER = "other", "Other"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid (in person and online)"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Going ahead"
        CANCELLED = "cancelled", "Cancelled"

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

    # Owned by services (see the module docstring).
    ical_uid = models.CharField(max_length=255, unique=True, default=new_ical_uid, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    schedule_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = EventPageManager()

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
            [FieldPanel("is_paid_involvement"), FieldPanel("involvement_activity_type")],
            heading="Payment for involvement",
        ),
        PageChooserPanel("follows_up_on", "events.EventPage"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("venue_name"),
        index.FilterField("start"),
    ]

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

    def save(self, *args, **kwargs):
        if not self.ical_uid:
            self.ical_uid = new_ical_uid()
        if not self.schedule_fingerprint and self.start and self.end:
            # Recorded from the first save, so even an event that was never published through the editor
            # (demo, bench, imports) tells its registrants when its time or place later changes.
            self.schedule_fingerprint = self.compute_schedule_fingerprint()
        return super().save(*args, **kwargs)

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
            return False, f"Registration opens on {opens:%A %-d %B %Y at %H:%M}."
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False, "Registration has closed."
        return True, ""

    def seat_counts(self):
        """Counts for this event in one query: confirmed seats, waiting and cancelled people."""
        regs = Registration.objects.filter(event=self)
        counts = regs.aggregate(
            confirmed_seats=Coalesce(Sum("seats", filter=Q(status=Registration.Status.CONFIRMED)), 0),
            confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
            cancelled=Count("pk", filter=Q(status=Registration.Status.CANCELLED)),
            attended=Count("pk", filter=Q(attendance=Registration.Attendance.ATTENDED)),
            no_show=Count("pk", filter=Q(attendance=Registration.Attendance.NO_SHOW)),
        )
        return counts

    def places_left(self, confirmed_seats):
        if self.capacity is None:
            return None
        return max(self.capacity - confirmed_seats, 0)

    @property
    def listed_places_left(self):
        """Places left from the `confirmed_seats` annotation of `with_seat_counts` (None: no limit)."""
        return self.places_left(getattr(self, "confirmed_seats", 0) or 0)

    @cached_property
    def provision_labels(self):
        return [
            AccessProvision(value).label
            for value in self.access_provisions
            if value in AccessProvision.values
        ]

    # Serving -----------------------------------------------------------------------------------
    def get_context(self, request, *args, **kwargs):
        from .forms import RegistrationForm

        context = super().get_context(request, *args, **kwargs)
        counts = self.seat_counts()
        context["counts"] = counts
        context["places_left"] = self.places_left(counts["confirmed_seats"])
        is_open, reason = self.registration_state()
        context["registration_open"] = is_open
        context["registration_closed_reason"] = reason
        if is_open and "form" not in context:
            context["form"] = RegistrationForm(event=self, user=request.user)
        context["follow_ups"] = list(self.follow_ups.live().public().order_by("start"))
        follows = self.follows_up_on
        context["follows_up_on_page"] = follows if follows and follows.live else None
        return context

    def serve(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        from .forms import RegistrationForm
        from .services import AlreadyRegistered, RegistrationRefused, register

        form = RegistrationForm(request.POST, event=self, user=request.user)
        if form.is_valid():
            try:
                result = register(
                    self, data=form.cleaned_data, user=request.user if request.user.is_authenticated else None
                )
            except AlreadyRegistered:
                return HttpResponseRedirect(self.url + "?already=1#register")
            except RegistrationRefused as exc:
                form.add_error(None, str(exc))
            else:
                from django.urls import reverse

                from .signing import make_manage_token

                url = reverse("events:manage", args=[make_manage_token(result.registration)])
                return HttpResponseRedirect(f"{url}?new={result.registration.status}")
        context = self.get_context(request, *args, **kwargs)
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context, status=400)


class Registration(models.Model):
    """One person's place (and their carer's or PA's) at an event.

    `seats` is 2 when a carer or PA comes along; capacity counts seats, not people. `created_at` orders the
    waiting list: first come, first served.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not come"

    class ContactPreference(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    brings_carer = models.BooleanField("a carer or PA comes with me", default=False)
    carer_name = models.CharField(max_length=200, blank=True)
    seats = models.PositiveSmallIntegerField(default=1, editable=False)

    access_needs = ChoiceListField(choice_class=AccessProvision)
    access_needs_other = models.TextField(blank=True)
    dietary_needs = models.TextField(blank=True)
    consent_to_keep_access_info = models.BooleanField(default=False)
    access_info_retain_until = models.DateTimeField(null=True, blank=True, db_index=True)
    access_info_purged_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="events_one_registration_per_email"),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()}) at {self.event_id}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.seats = 2 if self.brings_carer else 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "brings_carer" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"seats"}
        super().save(*args, **kwargs)

    @property
    def has_access_info(self):
        return bool(self.access_needs or self.access_needs_other or self.dietary_needs)

    @property
    def access_need_labels(self):
        return [
            AccessProvision(value).label for value in self.access_needs if value in AccessProvision.values
        ]


def access_retention_period():
    return timedelta(days=getattr(settings, "EVENTS_ACCESS_RETENTION_DAYS", 90))
