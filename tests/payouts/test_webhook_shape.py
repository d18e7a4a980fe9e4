"""Signed webhooks whose JSON is not the shape of a Stripe event: a 400 with a short reason, never a 500,
and nothing stored."""

import json
import time

import pytest

from payouts.models import StripeAccount, StripeWebhookEvent

from .fake_stripe import sign_payload
from .test_payout_webhooks import SECRET, URL, stripe_settings  # noqa: F401 - the autouse settings

pytestmark = pytest.mark.django_db


def post(client, body):
    """Posts `body` (text or bytes) to the webhook, signed with the right secret."""
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    data = body if isinstance(body, bytes) else body.encode()
    return client.post(
        URL, data=data, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign_payload(text, SECRET)
    )


def event(**changes):
    body = {
        "id": "evt_shape",
        "object": "event",
        "type": "account.updated",
        "created": int(time.time()),
        "data": {"object": {"id": "acct_shape", "object": "account", "payouts_enabled": True}},
    }
    for key, value in changes.items():
        if value is KeyError:
            body.pop(key)
        else:
            body[key] = value
    return json.dumps(body)


def with_object(**changes):
    obj = {"id": "acct_shape", "object": "account", "payouts_enabled": True}
    obj.update(changes)
    return event(data={"object": obj})


def deep(depth):
    return '{"id":"evt_deep","type":"a.b","created":1,"data":{"object":' + "[" * depth + "]" * depth + "}}"


HOSTILE = {
    "list": "[]",
    "empty object": "{}",
    "string": '"event"',
    "number": "42",
    "no id": event(id=KeyError),
    "no type": event(type=KeyError),
    "no created": event(created=KeyError),
    "created text": event(created="abc"),
    "created true": event(created=True),
    "created negative": event(created=-1),
    "created huge": event(created=10**30),
    "id 100 KB": event(id="evt_" + "x" * 100_000),
    "id number": event(id=12345),
    "id with NUL": event(id="evt_\u0000"),
    "NUL deep inside": with_object(requirements={"currently_due": ["a\u0000b"]}),
    "type not text": event(type=["account.updated"]),
    "no data": event(data=KeyError),
    "data a list": event(data=[]),
    "object missing": event(data={}),
    "object id missing": with_object(id=None),
    "object id huge": with_object(id="acct_" + "9" * 200),
    "account a dict": event(account={"id": "acct_1"}),
    "requirements numbers": with_object(requirements={"currently_due": [1, 2]}),
    "requirements a string": with_object(requirements="external_account"),
    "metadata a list": with_object(metadata=["payout_id"]),
    "payout id huge": with_object(metadata={"payout_id": "9" * 40}),
    "payout id not ASCII digits": with_object(metadata={"payout_id": "²"}),
    "nested 100,000 deep": deep(100_000),
    "invalid UTF-8": b'{"id": "evt_\xff"}',
    "raw NUL byte": b'{"id": "evt_1\x00"}',
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_signed_but_malformed_events_are_refused(client, contributor, payload):
    StripeAccount.objects.create(user=contributor, account_id="acct_shape")
    response = post(client, payload)
    assert response.status_code == 400
    assert response.content.startswith(b"Invalid payload: ")
    assert len(response.content) < 100
    assert not StripeWebhookEvent.objects.exists()
    assert not StripeAccount.objects.get().payouts_enabled


def test_a_well_formed_event_still_goes_through(client, contributor):
    StripeAccount.objects.create(user=contributor, account_id="acct_shape")
    response = post(client, with_object(requirements={"currently_due": []}, metadata={"payout_id": "12"}))
    assert response.status_code == 200
    assert StripeWebhookEvent.objects.get().event_id == "evt_shape"
    assert StripeAccount.objects.get().payouts_enabled


def test_an_unknown_event_type_without_object_id_is_accepted_and_ignored(client):
    response = post(
        client, event(type="balance.available", data={"object": {"object": "balance", "available": []}})
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
