"""portal.locking: the one way services lock rows (the PostgreSQL behaviour is proved by the events and
payments concurrency tests; these hold on every database)."""

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from portal import locking

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return [User.objects.create_user(email=f"lock{n}@example.org", password="x") for n in range(3)]


def test_lock_one_and_lock_rows_return_fresh_rows(users):
    User.objects.filter(pk=users[0].pk).update(first_name="Changed")
    with transaction.atomic():
        locked = locking.lock_one(User.objects.all(), pk=users[0].pk)
        rows = locking.lock_rows(User.objects.filter(pk__in=[u.pk for u in users]).order_by("-pk"))
    assert locked.first_name == "Changed"
    assert [u.pk for u in rows] == sorted((u.pk for u in users), reverse=True)


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_refused_on_every_database(users):
    with pytest.raises(TransactionManagementError):
        locking.lock_one(User.objects.all(), pk=users[0].pk)
    with pytest.raises(TransactionManagementError):
        locking.lock_rows(User.objects.all())


def test_the_lock_is_a_select_for_update_unless_switched_off(users):
    from django.db import connection

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no SELECT ... FOR UPDATE")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.lock_one(User.objects.all(), pk=users[0].pk)
    assert "lock_timeout" in queries[0]["sql"] and "FOR UPDATE" in queries[-1]["sql"]
    with locking.locks_disabled(), transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.lock_one(User.objects.all(), pk=users[0].pk)
    assert all("FOR UPDATE" not in q["sql"] and "lock_timeout" not in q["sql"] for q in queries)


def test_switched_off_locks_are_plain_reads_even_outside_a_transaction(users):
    with locking.locks_disabled():
        assert not locking.locks_enabled()
        assert locking.lock_one(User.objects.all(), pk=users[0].pk) == users[0]
    assert locking.locks_enabled()


def test_race_points_run_the_installed_hook_only_while_installed():
    seen = []
    locking.race_point("nobody listens")
    with locking.at_race_points(seen.append):
        locking.race_point("events.register")
    locking.race_point("after")
    assert seen == ["events.register"]
