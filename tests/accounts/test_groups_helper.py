"""accounts.groups: replaying the data migrations leaves the real app registry as it was."""

import pytest
from django.apps import apps


@pytest.mark.django_db(transaction=True)
def test_replaying_the_migrations_keeps_every_apps_models_module(restore_migration_data):
    for label in ("accounts", "home", "library", "events", "payments"):
        assert apps.get_app_config(label).models_module is not None, label
