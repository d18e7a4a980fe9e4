"""Editors submit pages and moderators publish them: the admin tells an editor so, on the dashboard."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

PANEL = "How publishing works here"


def test_an_editor_is_told_that_a_moderator_publishes(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert PANEL in response.text and "a moderator reads it and publishes it" in response.text


@pytest.mark.parametrize("group", ["Moderators"])
def test_people_who_publish_are_not_told(client, user_factory, group):
    moderator = user_factory()
    moderator.groups.add(Group.objects.get(name=group))
    client.force_login(moderator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert PANEL not in response.text
