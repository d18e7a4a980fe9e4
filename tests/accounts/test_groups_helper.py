"""accounts.groups: replaying the data migrations leaves the real app registry as it was."""

import pytest
from django.apps import apps


@pytest.mark.django_db(transaction=True)
def test_replaying_the_migrations_keeps_every_apps_models_module(restore_migration_data):
    for label in ("accounts", "home", "library", "events", "payments"):
        assert apps.get_app_config(label).models_module is not None, label


@pytest.mark.django_db
def test_emails_with_perm_follows_the_permission_not_the_group_name():
    from django.contrib.auth.models import Group, Permission

    from accounts.factories import UserFactory
    from accounts.models import User

    perm = Permission.objects.get(content_type__app_label="payouts", codename="change_payout")
    group = Group.objects.create(name="Finance team")
    group.permissions.add(perm)
    in_group = UserFactory(email="group@example.org")
    in_group.groups.add(group)
    direct = UserFactory(email="direct@example.org")
    direct.user_permissions.add(perm)
    UserFactory(email="super@example.org", is_superuser=True)
    UserFactory(email="gone@example.org", is_superuser=True, is_active=False)
    UserFactory(email="other@example.org")

    assert User.objects.emails_with_perm("payouts.change_payout") == [
        "direct@example.org",
        "group@example.org",
        "super@example.org",
    ]
