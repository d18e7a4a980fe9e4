from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import EventPage, Registration
from events.signals import attendance_recorded

pytestmark = pytest.mark.django_db


def statuses(event):
    return list(
        Registration.objects.filter(event=event).order_by("created_at", "pk").values_list("status", flat=True)
    )


def test_register_confirms_until_full_then_waits(event, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            services.register(event, data=person())
    assert statuses(event) == ["confirmed"] * 3 + ["waiting"] * 2
    assert services.confirmed_seats(event) == 3
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count(f"Your place is confirmed: {event.title}") == 3
    assert subjects.count(f"You are on the waiting list: {event.title}") == 2


def test_full_without_waiting_list_is_refused(event_factory, person):
    event = event_factory(capacity=1, waiting_list_enabled=False)
    services.register(event, data=person())
    with pytest.raises(services.EventFull):
        services.register(event, data=person())
    assert Registration.objects.filter(event=event).count() == 1


def test_unlimited_capacity_never_waits(event_factory, person):
    event = event_factory(capacity=None)
    for _ in range(30):
        services.register(event, data=person())
    assert set(statuses(event)) == {"confirmed"}


def test_carer_takes_a_seat(event, event_factory, person):
    services.register(event, data=person(brings_carer=True, carer_name="Sam"))
    assert services.confirmed_seats(event) == 2
    party = services.register(event, data=person(brings_carer=True)).registration  # needs 2, 1 left
    assert party.status == "waiting"
    single = services.register(event, data=person())  # fits, but does not overtake the waiting party
    assert statuses(event) == ["confirmed", "waiting", "waiting"]
    assert single.registration.status == "waiting"

    fresh = event_factory(capacity=3)  # without a queue, a carer's seat and a single fill it exactly
    assert services.register(fresh, data=person(brings_carer=True)).registration.status == "confirmed"
    assert services.register(fresh, data=person()).registration.status == "confirmed"
    assert services.confirmed_seats(fresh) == 3
    assert services.register(fresh, data=person()).registration.status == "waiting"


def test_duplicate_email_sends_fresh_link_and_never_duplicates(
    event, person, django_capture_on_commit_callbacks
):
    data = person(email="Same@Example.org")
    services.register(event, data=data)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.AlreadyRegistered) as exc:
        services.register(event, data={**data, "email": "same@example.org "})
    assert "already registered" in str(exc.value)
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["same@example.org"]
    assert "/events/manage/" in mail.outbox[0].body


def test_cancelled_person_can_register_again_at_the_back(event, person):
    data = person()
    first = services.register(event, data=data).registration
    services.cancel_registration(first)
    again = services.register(event, data=data)
    assert again.registration.pk == first.pk
    assert again.registration.status == "confirmed"
    assert Registration.objects.filter(event=event).count() == 1


def test_registration_window(event_factory, person):
    now = timezone.now()
    not_yet = event_factory(registration_opens_at=now + timedelta(days=1))
    with pytest.raises(services.RegistrationClosed, match="Registration opens on"):
        services.register(not_yet, data=person())
    closed = event_factory(registration_closes_at=now - timedelta(minutes=1))
    with pytest.raises(services.RegistrationClosed, match="closed"):
        services.register(closed, data=person())
    started = event_factory(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    with pytest.raises(services.RegistrationClosed, match="started"):
        services.register(started, data=person())
    open_now = event_factory(
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=1)
    )
    assert services.register(open_now, data=person()).registration.status == "confirmed"
    assert Registration.objects.filter(event__in=[not_yet, closed, started]).count() == 0


def test_cancel_promotes_first_come_first_served(event, person, django_capture_on_commit_callbacks):
    regs = [services.register(event, data=person()).registration for _ in range(5)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _, promoted = services.cancel_registration(regs[0])
    assert [r.pk for r in promoted] == [regs[3].pk]
    regs[3].refresh_from_db()
    regs[4].refresh_from_db()
    assert regs[3].status == "confirmed" and regs[4].status == "waiting"
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[regs[0].email].startswith("Your place is cancelled")
    assert subjects[regs[3].email].startswith("Good news, a place is free for you")
    assert regs[4].email not in subjects


def test_cancel_is_idempotent(event, person):
    reg = services.register(event, data=person()).registration
    services.cancel_registration(reg)
    _, promoted = services.cancel_registration(reg)
    assert promoted == []
    assert Registration.objects.get(pk=reg.pk).status == "cancelled"


def test_promotion_moves_whole_parties_only_and_keeps_the_queue(event, person):
    a = services.register(event, data=person()).registration
    services.register(event, data=person())
    services.register(event, data=person())
    party = services.register(event, data=person(brings_carer=True)).registration  # first in queue, 2 seats
    single = services.register(event, data=person()).registration
    services.cancel_registration(a)  # one seat free: the party does not fit, and nobody jumps the queue
    party.refresh_from_db()
    single.refresh_from_db()
    assert party.status == "waiting" and single.status == "waiting"
    services.cancel_registration(Registration.objects.filter(event=event, status="confirmed").first())
    party.refresh_from_db()
    single.refresh_from_db()
    assert party.status == "confirmed" and single.status == "waiting"
    assert services.confirmed_seats(event) == 3


def test_change_needs_adding_carer_respects_capacity(event, person):
    regs = [services.register(event, data=person()).registration for _ in range(3)]
    with pytest.raises(services.EventFull):
        services.change_needs(regs[0], data={"brings_carer": True})
    services.cancel_registration(regs[1])
    changed = services.change_needs(
        regs[0], data={"brings_carer": True, "access_needs": ["bsl"], "dietary_needs": "Vegan"}
    )
    assert changed.seats == 2 and changed.access_needs == ["bsl"] and changed.dietary_needs == "Vegan"
    assert services.confirmed_seats(event) == 3


def test_dropping_carer_promotes(event, person):
    party = services.register(event, data=person(brings_carer=True)).registration
    services.register(event, data=person())
    waiting = services.register(event, data=person()).registration
    assert waiting.status == "waiting"
    services.change_needs(party, data={"brings_carer": False})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_promote_by_hand_respects_capacity(event, person):
    for _ in range(3):
        services.register(event, data=person())
    waiting = services.register(event, data=person()).registration
    with pytest.raises(services.EventFull):
        services.promote(waiting)
    EventPage.objects.filter(pk=event.pk).update(capacity=4)
    assert services.promote(waiting).status == "confirmed"
    with pytest.raises(services.RegistrationRefused):
        services.promote(waiting)


def test_mark_attendance_sends_signal_after_commit(event, person, django_capture_on_commit_callbacks):
    reg = services.register(event, data=person()).registration
    received = []

    def receiver(sender, registration, **kwargs):
        received.append((registration.pk, registration.attendance))

    attendance_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.mark_attendance(reg, "attended")
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert received == [(reg.pk, "attended")]
        services.mark_attendance(reg, "attended")  # unchanged: no second signal
    finally:
        attendance_recorded.disconnect(receiver)
    with pytest.raises(services.RegistrationRefused):
        services.mark_attendance(reg, "maybe")
    waiting_event_reg = services.register(event, data=person()).registration
    services.register(event, data=person())
    services.register(event, data=person())
    waiting = services.register(event, data=person()).registration
    assert waiting.status == "waiting" and waiting_event_reg.status == "confirmed"
    with pytest.raises(services.RegistrationRefused):
        services.mark_attendance(waiting, "attended")


def test_retention_purge(event, person):
    kept = services.register(
        event, data=person(access_needs=["bsl"], consent_to_keep_access_info=True)
    ).registration
    not_kept = services.register(
        event, data=person(access_needs=["quiet_room"], dietary_needs="No nuts")
    ).registration
    assert kept.access_info_retain_until == event.end + timedelta(days=90)
    assert not_kept.access_info_retain_until == event.end + timedelta(days=1)
    assert services.purge_access_needs(now=event.end) == 0
    assert services.purge_access_needs(now=event.end + timedelta(days=2)) == 1
    not_kept.refresh_from_db()
    kept.refresh_from_db()
    assert not_kept.access_needs == [] and not_kept.dietary_needs == "" and not_kept.access_info_purged_at
    assert kept.access_needs == ["bsl"]
    assert services.purge_access_needs(now=event.end + timedelta(days=91)) == 1
    kept.refresh_from_db()
    assert kept.access_needs == []
    assert services.purge_access_needs(now=event.end + timedelta(days=400)) == 0


def test_purge_command(event, person):
    from django.core.management import call_command

    reg = services.register(event, data=person(access_needs=["bsl"])).registration
    Registration.objects.filter(pk=reg.pk).update(
        access_info_retain_until=timezone.now() - timedelta(minutes=1)
    )
    call_command("purge_access_needs")
    reg.refresh_from_db()
    assert reg.access_needs == []


def test_reminders_sent_once(event_factory, person, settings):
    settings.EVENTS_REMINDER_HOURS_BEFORE = 48
    soon = event_factory(start=timezone.now() + timedelta(hours=24), end=timezone.now() + timedelta(hours=26))
    later = event_factory(
        start=timezone.now() + timedelta(days=10), end=timezone.now() + timedelta(days=10, hours=2)
    )
    a = services.register(soon, data=person()).registration
    services.register(soon, data=person())
    cancelled = services.register(soon, data=person()).registration
    services.cancel_registration(cancelled)
    services.register(later, data=person())
    mail.outbox.clear()
    assert services.send_due_reminders() == 2
    assert services.send_due_reminders() == 0
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox)
    a.refresh_from_db()
    assert a.reminder_sent_at is not None


def test_reminder_command(event_factory, person):
    from io import StringIO

    from django.core.management import call_command

    soon = event_factory(start=timezone.now() + timedelta(hours=2), end=timezone.now() + timedelta(hours=3))
    services.register(soon, data=person())
    mail.outbox.clear()
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    call_command("send_event_reminders", stdout=out)
    assert len(mail.outbox) == 1
    assert "Sent 1 reminder" in out.getvalue()


def test_cancel_event_notifies_everyone_once(event, person, django_capture_on_commit_callbacks):
    for _ in range(4):
        services.register(event, data=person())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event)
        services.cancel_event(event)
    event.refresh_from_db()
    assert event.is_cancelled and event.cancelled_at and event.ical_sequence == 1
    assert len(mail.outbox) == 4
    with pytest.raises(services.RegistrationClosed, match="cancelled"):
        services.register(event, data=person())


def test_change_event_bumps_sequence_and_notifies(event, person, django_capture_on_commit_callbacks):
    event.save_revision().publish()  # first publish records the fingerprint
    event.refresh_from_db()
    assert event.ical_sequence == 0
    services.register(event, data=person())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1))
    assert event.ical_sequence == 1
    assert [m.subject for m in mail.outbox] == [f"Changed: {event.title}"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(event, summary="A new summary only")  # not a schedule change
    assert event.ical_sequence == 1
    assert mail.outbox == []


def test_publishing_an_old_revision_keeps_uid_and_sequence(event):
    uid = event.ical_uid
    old = event.save_revision()
    old.publish()
    services.cancel_event(event)
    from wagtail.models import Revision

    Revision.objects.get(pk=old.pk).publish()  # as an editor would, from a freshly loaded revision
    event.refresh_from_db()
    assert event.ical_uid == uid
    assert event.ical_sequence == 1 and event.is_cancelled


def test_raising_capacity_promotes_waiting(event, person):
    for _ in range(4):
        services.register(event, data=person())
    services.change_event(event, capacity=4)
    assert statuses(event) == ["confirmed"] * 4


def test_create_follow_up_copies_and_links(event):
    start = event.start + timedelta(days=180)
    follow_up = services.create_follow_up(event, start=start)
    assert follow_up.follows_up_on_id == event.pk
    assert follow_up.end - follow_up.start == event.end - event.start
    assert follow_up.ical_uid != event.ical_uid
    assert follow_up.access_provisions == event.access_provisions
    assert follow_up.live is False
    assert follow_up.event_type == EventPage.EventType.FOLLOW_UP
    assert list(event.follow_ups.all()) == [follow_up]
    second = services.create_follow_up(event, start=start)
    assert second.slug != follow_up.slug


def test_wagtail_copy_gives_a_new_uid(event):
    copy = event.copy(update_attrs={"slug": "copied", "title": "Copied"})
    assert copy.ical_uid and copy.ical_uid != event.ical_uid
    assert copy.ical_sequence == 0


def test_reminder_and_purge_tasks(event_factory, person):
    from events.jobs import purge_access_needs, send_event_reminders

    soon = event_factory(start=timezone.now() + timedelta(hours=3), end=timezone.now() + timedelta(hours=4))
    reg = services.register(soon, data=person(access_needs=["bsl"])).registration
    mail.outbox.clear()
    assert send_event_reminders.enqueue().return_value == 1
    assert send_event_reminders.enqueue().return_value == 0
    assert len(mail.outbox) == 1
    Registration.objects.filter(pk=reg.pk).update(access_info_retain_until=timezone.now())
    assert purge_access_needs.enqueue().return_value == 1


def test_failed_reminder_is_released_for_the_next_run(event_factory, person, monkeypatch):
    from events import emails

    soon = event_factory(start=timezone.now() + timedelta(hours=3), end=timezone.now() + timedelta(hours=4))
    failing = services.register(soon, data=person()).registration
    services.register(soon, data=person())
    real = emails.deliver_registration_email

    def flaky(pk, kind):
        if pk == failing.pk:
            raise ConnectionError("SMTP down")
        return real(pk, kind)

    monkeypatch.setattr(emails, "deliver_registration_email", flaky)
    mail.outbox.clear()
    assert services.send_due_reminders() == 1
    failing.refresh_from_db()
    assert failing.reminder_sent_at is None
    monkeypatch.setattr(emails, "deliver_registration_email", real)
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0
    assert len(mail.outbox) == 2


def test_newcomers_do_not_overtake_the_waiting_list(event, person):
    services.register(event, data=person())
    services.register(event, data=person())
    leaving = services.register(event, data=person()).registration
    party = services.register(event, data=person(brings_carer=True)).registration
    services.cancel_registration(leaving)  # one seat free, the waiting party needs two
    newcomer = services.register(event, data=person()).registration
    assert newcomer.status == "waiting"
    party.refresh_from_db()
    assert party.status == "waiting"
    assert services.confirmed_seats(event) == 2
    services.promote(newcomer)  # a coordinator may still fill the seat out of turn
    assert services.confirmed_seats(event) == 3


def test_waiting_head_leaving_lets_the_next_party_in(event, person):
    services.register(event, data=person())
    services.register(event, data=person())
    leaving = services.register(event, data=person()).registration
    party = services.register(event, data=person(brings_carer=True)).registration
    single = services.register(event, data=person()).registration
    services.cancel_registration(leaving)  # 1 seat free; the party at the front needs 2
    single.refresh_from_db()
    assert single.status == "waiting"
    services.cancel_registration(party)  # the front of the queue leaves: the single now fits
    single.refresh_from_db()
    assert single.status == "confirmed"


def test_change_is_noticed_on_an_event_never_published_through_the_editor(
    event, person, django_capture_on_commit_callbacks
):
    # Demo and bench events are created without a publish; the fingerprint from their first save counts.
    services.register(event, data=person())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(event, summary="Only the summary")
    assert event.ical_sequence == 0 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(event, venue_name="A different hall")
    assert event.ical_sequence == 1
    assert [m.subject for m in mail.outbox] == [f"Changed: {event.title}"]


def test_moving_an_event_moves_the_retention_date(event, person):
    kept = services.register(
        event, data=person(access_needs=["bsl"], consent_to_keep_access_info=True)
    ).registration
    brief = services.register(event, data=person(access_needs=["quiet_room"])).registration
    later = timedelta(days=120)
    services.change_event(event, start=event.start + later, end=event.end + later)
    kept.refresh_from_db()
    brief.refresh_from_db()
    assert brief.access_info_retain_until == event.end + timedelta(days=1)
    assert kept.access_info_retain_until == event.end + timedelta(days=90)
    # Nothing is purged between the old date and the new one.
    assert services.purge_access_needs(now=event.end - timedelta(days=30)) == 0


def test_register_as_of_an_earlier_time_checks_the_window_then(event_factory, person):
    past = event_factory(
        start=timezone.now() - timedelta(days=3), end=timezone.now() - timedelta(days=3, hours=-2)
    )
    with pytest.raises(services.RegistrationClosed):
        services.register(past, data=person())
    earlier = past.start - timedelta(days=10)
    registration = services.register(past, data=person(), now=earlier).registration
    assert registration.created_at == earlier == registration.confirmed_at
    services.mark_attendance(registration, "attended", now=past.end)
    registration.refresh_from_db()
    assert registration.attendance == "attended" and registration.attendance_recorded_at == past.end


def test_state_changes_are_in_wagtails_log(event, person, coordinator):
    from wagtail.models import ModelLogEntry

    first = services.register(event, data=person(brings_carer=True)).registration
    services.register(event, data=person())
    waiting = services.register(event, data=person()).registration
    services.cancel_registration(first)
    entries = ModelLogEntry.objects.filter(object_id=str(waiting.pk)).order_by("timestamp", "pk")
    assert [(e.action, e.data.get("automatic"), e.user_id) for e in entries] == [
        ("events.registration.waiting", None, None),
        ("events.registration.promoted", True, None),
    ]
    assert ModelLogEntry.objects.filter(
        object_id=str(first.pk), action="events.registration.cancelled"
    ).exists()
