from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..choices import AccessProvision, BookingChannel, ContactPreference
from .fields import ChoiceListField

# How long after cancelling a person may undo it from their manage page (and never once the event has
# started, registration has closed or the event is cancelled).
UNDO_CANCELLATION_WITHIN = timedelta(hours=24)


class RegistrationQuerySet(models.QuerySet):
    """The capacity rule's one measure: the seats of confirmed places (a carer or PA takes one too)."""

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def confirmed_seats(self):
        """The seats taken by the confirmed places in this queryset (0 when none)."""
        return self.confirmed().aggregate(seats=Coalesce(Sum("seats"), 0))["seats"]

    def confirmed_seats_of(self, event):
        """The confirmed seats of `event` (an event or `OuterRef("pk")`) as an expression.

        A correlated subquery (on the event/status index), not a join with GROUP BY: the database only
        sums the registrations of the rows it returns, instead of grouping every registration first.
        """
        seats = (
            self.confirmed()
            .filter(event=event)
            .order_by()
            .values("event")
            .annotate(total=Sum("seats"))
            .values("total")
        )
        return Coalesce(Subquery(seats, output_field=models.IntegerField()), 0)

    def counts(self):
        """Confirmed seats, and the people confirmed, waiting, cancelled, attended and absent, in one query."""
        confirmed = Q(status=Registration.Status.CONFIRMED)
        return self.aggregate(
            confirmed_seats=Coalesce(Sum("seats", filter=confirmed), 0),
            confirmed=Count("pk", filter=confirmed),
            waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
            cancelled=Count("pk", filter=Q(status=Registration.Status.CANCELLED)),
            attended=Count("pk", filter=Q(attendance=Registration.Attendance.ATTENDED)),
            no_show=Count("pk", filter=Q(attendance=Registration.Attendance.NO_SHOW)),
        )


def normalise_name(value):
    """A name as duplicates are compared: case and spacing do not matter."""
    return " ".join((value or "").split()).casefold()


def normalise_phone(value):
    """A phone number as duplicates are compared: its digits, a leading +44 or 44 read as 0."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if (value or "").strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    return digits


class Registration(models.Model):
    """One person's place (and their carer's or PA's) at an event.

    `seats` is 2 when a carer or PA comes along; capacity counts seats, not people. `created_at` orders the
    waiting list: first come, first served.

    People without e-mail: a coordinator may book someone by phone, post or in person
    (`booked_via`, `entered_by`), and then `email` may be blank (""). The one-registration-per-e-mail
    constraint holds only for registrations that have an address; without one, a duplicate is the same
    name with the same phone number or postal address at the same event (`services.registrations`
    looks under the event's lock). Nothing is e-mailed to a blank address: what would have been an
    e-mail becomes a `ContactTask` (a call to make or a letter to post, as `preferred_contact` says).
    `consent_to_keep_contact_details` records that the person agreed we keep their phone number and
    postal address.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not come"

    ContactPreference = ContactPreference

    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    consent_to_keep_contact_details = models.BooleanField(
        "agreed that we keep their phone number and postal address", default=False
    )
    booked_via = models.CharField(
        max_length=20, choices=BookingChannel.choices, default=BookingChannel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations_entered",
        help_text="The coordinator who booked this place for the person.",
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

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Only for people with an address; people booked without e-mail are told apart by name and
            # phone or address (see the class docstring).
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(email=""),
                name="events_one_registration_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"]),
            # Covers the seat count of every listed event (a sum of `seats` per event and status),
            # so the events index reads no registration row.
            models.Index(fields=["event", "status", "seats"], name="events_reg_seat_count"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()}) at {self.event_id}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.seats = 2 if self.brings_carer else 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "brings_carer" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"seats"}
        super().save(*args, **kwargs)

    def waiting_position(self):
        """1 for the first party on the waiting list, 2 for the next...; None when not waiting.

        The queue's order is the promotion order of `services.registrations._promote_waiting`:
        `created_at`, then id."""
        if self.status != self.Status.WAITING:
            return None
        ahead = (
            Registration.objects.filter(event_id=self.event_id, status=self.Status.WAITING)
            .filter(Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk))
            .count()
        )
        return ahead + 1

    def undo_until(self):
        """The moment undoing this cancellation stops being possible, or None when it never was (not
        cancelled, or the whole event was)."""
        if self.status != self.Status.CANCELLED or self.cancelled_at is None or self.event.is_cancelled:
            return None
        event = self.event
        moments = [self.cancelled_at + UNDO_CANCELLATION_WITHIN, event.start]
        if event.registration_closes_at:
            moments.append(event.registration_closes_at)
        return min(moments)

    def local_undo_until(self):
        """`undo_until` in the event's zone, for pages and e-mails."""
        until = self.undo_until()
        return until.astimezone(self.event.zone) if until else None

    def can_undo_cancellation(self, now=None):
        until = self.undo_until()
        return until is not None and (now or timezone.now()) < until

    @property
    def has_email(self):
        return bool(self.email)

    @property
    def entered_on_behalf(self):
        return self.booked_via != BookingChannel.ONLINE

    @property
    def has_access_info(self):
        return bool(self.access_needs or self.access_needs_other or self.dietary_needs)

    @property
    def access_need_labels(self):
        return [
            AccessProvision(value).label for value in self.access_needs if value in AccessProvision.values
        ]
