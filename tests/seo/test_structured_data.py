"""schema.org JSON-LD on each page type parses (extruct) and says what the page is: an Event with its
times, place and status, a CreativeWork for a resource, an Article for guidance, the Organization on the
home page and a BreadcrumbList everywhere."""

from datetime import timedelta

import extruct
from django.utils import timezone

SCHEMA = "https://schema.org/"


def json_ld(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    data = extruct.extract(response.content.decode(), base_url="http://localhost/", syntaxes=["json-ld"])
    return data["json-ld"]


def of_type(items, kind):
    found = [item for item in items if item.get("@type") == kind]
    assert len(found) == 1, f"{kind}: {[item.get('@type') for item in items]}"
    return found[0]


def test_every_page_has_a_breadcrumb_trail(client, home_page, guidance, resource, event, library):
    for page in (home_page, guidance.get_parent(), guidance, library, resource, event.get_parent(), event):
        page = page.specific
        crumbs = of_type(json_ld(client, page.url), "BreadcrumbList")
        items = crumbs["itemListElement"]
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        assert items[0]["item"] == "http://localhost/"
        assert items[-1] == {
            "@type": "ListItem",
            "position": len(items),
            "name": page.title,
            "item": page.get_full_url(),
        }
        assert len(items) == page.depth - 1


def test_home_page_names_the_organisation_and_how_to_reach_it(client, home_page):
    items = json_ld(client, "/")
    organisation = of_type(items, "Organization")
    assert organisation["name"] == "Co-production Portal"
    assert organisation["url"] == "http://localhost/"
    assert organisation["logo"].endswith("/static/brand/icon-512.png")
    point = organisation["contactPoint"][0]
    assert point["@type"] == "ContactPoint"
    assert point["email"] == "hello@example.org"
    assert point["telephone"] == "0117 496 0000"
    assert organisation["address"]["streetAddress"] == "PO Box 1234 Bristol BS1 1AA"
    assert of_type(items, "WebSite")["url"] == "http://localhost/"


def test_guidance_is_an_article(client, guidance):
    article = of_type(json_ld(client, guidance.url), "Article")
    assert article["headline"] == guidance.title
    assert article["url"] == guidance.get_full_url()
    assert article["description"] == guidance.summary
    assert article["datePublished"] == guidance.first_published_at.isoformat()
    assert article["dateModified"] == guidance.last_published_at.isoformat()
    assert article["publisher"]["@type"] == "Organization"
    assert article["image"][0].startswith("http://localhost/")


def test_resource_is_a_creative_work(client, resource):
    work = of_type(json_ld(client, resource.url), "CreativeWork")
    assert work["name"] == "Paying people fairly"
    assert work["url"] == resource.get_full_url()
    assert work["description"] == resource.summary
    assert work["creditText"] == "Involvement Network"
    assert work["datePublished"] == "2023"
    assert work["genre"] == "Toolkit"
    assert work["keywords"] == "Payment and recognition"
    assert work["audience"] == [{"@type": "Audience", "audienceType": "Public contributors"}]
    assert work["isAccessibleForFree"] is True
    assert work["sameAs"] == resource.external_url


def test_event_says_when_where_who_and_how(client, event):
    data = of_type(json_ld(client, event.url), "Event")
    assert data["name"] == "Shaping the study"
    assert data["url"] == event.get_full_url()
    # Times in the event's own zone, with its offset.
    assert data["startDate"] == event.start.astimezone(event.zone).isoformat()
    assert data["endDate"] == event.end.astimezone(event.zone).isoformat()
    assert data["startDate"][-6:] in ("+00:00", "+01:00")
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["location"] == {
        "@type": "Place",
        "name": "Greenway Centre",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "12 Greenway Road, Bristol, BS5 6XX",
            "addressCountry": "GB",
        },
    }
    assert data["organizer"]["@type"] == "Organization"
    assert data["organizer"]["email"] == "events@example.org"
    assert data["isAccessibleForFree"] is True
    assert data["offers"]["price"] == "0"
    assert data["offers"]["priceCurrency"] == "GBP"
    assert data["offers"]["availability"] == SCHEMA + "InStock"
    assert data["offers"]["url"] == event.get_full_url() + "#register"


def test_online_and_hybrid_events_have_a_virtual_location_without_the_joining_link(client, event):
    event.format = event.Format.ONLINE
    event.joining_details = "https://meet.example.org/secret-room"
    event.save()
    data = of_type(json_ld(client, event.url), "Event")
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": event.get_full_url()}
    assert "secret-room" not in client.get(event.url).content.decode()

    event.format = event.Format.HYBRID
    event.save()
    data = of_type(json_ld(client, event.url), "Event")
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]


def test_a_full_event_offers_no_places(client, event):
    from events.factories import RegistrationFactory

    event.capacity = 1
    event.save()
    RegistrationFactory(event=event)
    data = of_type(json_ld(client, event.url), "Event")
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"


def test_a_cancelled_event_says_event_cancelled(client, event):
    from events.services.event_changes import cancel_event

    cancel_event(event)
    data = of_type(json_ld(client, event.url), "Event")
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert "offers" not in data


def test_an_event_moved_after_publication_says_rescheduled_with_its_previous_start(client, event):
    event.save_revision().publish()
    first_start = event.start
    event.refresh_from_db()
    event.start = first_start + timedelta(days=7)
    event.end = event.start + timedelta(hours=3)
    event.save_revision().publish()

    data = of_type(json_ld(client, event.url), "Event")
    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert data["previousStartDate"] == first_start.astimezone(event.zone).isoformat()
    assert data["startDate"] == (first_start + timedelta(days=7)).astimezone(event.zone).isoformat()


def test_a_change_that_keeps_the_time_is_not_a_rescheduling(client, event):
    event.save_revision().publish()
    event.refresh_from_db()
    event.venue_name = "Greenway Centre, upstairs"
    event.save_revision().publish()
    data = of_type(json_ld(client, event.url), "Event")
    assert data["eventStatus"] == SCHEMA + "EventScheduled"


def test_text_in_the_data_cannot_close_the_script_element(client, resource):
    resource.title = "Bad </script><script>alert(1)</script> & co"
    resource.save_revision().publish()
    html = client.get(resource.url).content.decode()
    assert "</script><script>alert(1)" not in html
    work = of_type(json_ld(client, resource.url), "CreativeWork")
    assert work["name"] == "Bad </script><script>alert(1)</script> & co"


def test_a_past_event_offers_nothing(client, event):
    event.start = timezone.now() - timedelta(days=2)
    event.end = event.start + timedelta(hours=2)
    event.save()
    data = of_type(json_ld(client, event.url), "Event")
    assert "offers" not in data
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
