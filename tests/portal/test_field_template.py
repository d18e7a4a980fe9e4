"""The one field template (templates/components/field.html) and the error summary, for every kind of
field: help text and "(required)" shown, and tied to the input (or to the fieldset of a group) by
aria-describedby naming ids that exist; errors tied the same way, with aria-invalid. Then the real
public forms, as the demo serves them, blank and sent back with errors.
"""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from lxml import html as lxml_html

HELP = {
    "keep_info": "If you do not tick this, we delete it the day after the event.",
    "consent": "We only use your details for this opportunity.",
    "needs": "Tick all that apply. Only the event organisers see this.",
    "contact": "We use the one you choose.",
    "email": "We send your confirmation here.",
}


class EveryKindForm(forms.Form):
    keep_info = forms.BooleanField(
        required=False, label="Keep my access information", help_text=HELP["keep_info"]
    )
    consent = forms.BooleanField(label="You may contact me", help_text=HELP["consent"])
    needs = forms.MultipleChoiceField(
        choices=[("ramp", "Step-free route"), ("loop", "Hearing loop")],
        widget=forms.CheckboxSelectMultiple,
        label="What do you need?",
        help_text=HELP["needs"],
    )
    contact = forms.ChoiceField(
        choices=[("email", "E-mail"), ("phone", "Phone call")],
        widget=forms.RadioSelect,
        label="How should we contact you?",
        help_text=HELP["contact"],
    )
    email = forms.EmailField(label="Email address", help_text=HELP["email"])
    nickname = forms.CharField(required=False, label="What we call you")


# The element aria-describedby belongs on: the input for one control, the fieldset for a group.
GROUPS = {"needs", "contact"}


def render(form, name):
    return lxml_html.fragment_fromstring(
        render_to_string("components/field.html", {"field": form[name]}), create_parent="div"
    )


def described(tree, name):
    if name in GROUPS:
        return tree.xpath("//fieldset")[0]
    return tree.xpath(f'//input[@name="{name}"]')[0]


def described_ids(element):
    return element.get("aria-describedby", "").split()


def label_text(tree, name):
    if name in GROUPS:
        return tree.xpath("//legend")[0].text_content()
    return tree.xpath(f'//label[@for="id_{name}"]')[0].text_content()


@pytest.mark.parametrize("name", ["keep_info", "consent", "needs", "contact", "email"])
def test_help_text_is_shown_and_named_by_aria_describedby(name):
    tree = render(EveryKindForm(), name)
    help_id = f"id_{name}_helptext"
    help_paragraph = tree.xpath(f'//*[@id="{help_id}"]')
    assert len(help_paragraph) == 1
    assert help_paragraph[0].text_content() == HELP[name]
    assert described_ids(described(tree, name)) == [help_id]


@pytest.mark.parametrize(
    ("name", "required"),
    [
        ("keep_info", False),
        ("consent", True),
        ("needs", True),
        ("contact", True),
        ("email", True),
        ("nickname", False),
    ],
)
def test_required_is_said_in_the_label_or_legend(name, required):
    tree = render(EveryKindForm(), name)
    assert ("(required)" in label_text(tree, name)) is required


@pytest.mark.parametrize("name", ["keep_info", "consent", "needs", "contact", "email", "nickname"])
def test_every_id_aria_describedby_names_exists(name):
    for data in ({}, {"email": "not an address"}):
        form = EveryKindForm(data=data)
        form.is_valid()
        tree = render(form, name)
        ids = {element.get("id") for element in tree.xpath("//*[@id]")}
        for element in tree.xpath("//*[@aria-describedby]"):
            assert set(described_ids(element)) <= ids, (name, described_ids(element), ids)


@pytest.mark.parametrize("name", ["consent", "needs", "contact", "email"])
def test_an_error_is_named_by_aria_describedby_and_marks_the_input_invalid(name):
    form = EveryKindForm(data={"email": "not an address"})
    assert not form.is_valid()
    tree = render(form, name)
    error_id = f"id_{name}_error"
    error = tree.xpath(f'//*[@id="{error_id}"]')
    assert len(error) == 1
    assert error[0].text_content().startswith("Error:")
    assert described_ids(described(tree, name)) == [f"id_{name}_helptext", error_id]
    inputs = tree.xpath(f'//input[@name="{name}"]')
    assert inputs and all(element.get("aria-invalid") == "true" for element in inputs)


def test_two_errors_on_one_field_share_one_element():
    form = EveryKindForm(data={})
    form.is_valid()
    form.add_error("email", "Give an address we can write to.")
    tree = render(form, "email")
    assert len(tree.xpath('//*[@id="id_email_error"]')) == 1
    assert "Give an address we can write to." in tree.xpath('//*[@id="id_email_error"]')[0].text_content()


def test_the_error_summary_links_each_error_to_its_field():
    form = EveryKindForm(data={"email": "not an address"})
    form.is_valid()
    tree = lxml_html.fragment_fromstring(
        render_to_string("components/form_errors.html", {"form": form}), create_parent="div"
    )
    links = {a.get("href") for a in tree.xpath('//*[contains(@class, "error-summary")]//a')}
    # A group of radios or checkboxes is reached at its first input, which has that id.
    assert links == {"#id_consent", "#id_needs_0", "#id_contact_0", "#id_email"}
    rendered = render_to_string("components/field.html", {"field": form["needs"]})
    assert 'id="id_needs_0"' in rendered


# The demo's public forms ----------------------------------------------------------------------


@pytest.fixture
def demo(db, settings):
    settings.PAGE_CACHE_ENABLED = False
    from tests.portal.page_types import page_addresses, seed_world

    world = seed_world()
    found, _unreached = page_addresses(world)
    return world, found


def check_descriptions(content, where):
    """Every aria-describedby names ids that exist; every help text and error is named by one."""
    tree = lxml_html.fromstring(content)
    ids = {element.get("id") for element in tree.xpath("//*[@id]")}
    named = set()
    for element in tree.xpath("//*[@aria-describedby]"):
        refs = described_ids(element)
        assert set(refs) <= ids, f"{where}: aria-describedby names {set(refs) - ids}"
        named.update(refs)
    for element in tree.xpath('//*[contains(@class, "field__help") or contains(@class, "field__error")]'):
        if element.get("id"):
            assert element.get("id") in named, f"{where}: nothing names #{element.get('id')}"
    return tree


def test_every_demo_page_ties_help_and_errors_to_their_fields(demo):
    world, found = demo
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(world["contributor"])
    forms_seen = 0
    for address in found:
        response = (signed_in if address.signed_in else anonymous).get(address.url)
        tree = check_descriptions(response.content, address.url)
        forms_seen += len(tree.xpath('//div[contains(@class, "field ")]'))
    assert forms_seen > 50


def test_single_checkboxes_show_their_help_on_the_event_and_opportunity_pages(demo):
    from events.models import EventPage
    from opportunities.models import OpportunityPage

    client = Client()
    event = next(page for page in EventPage.objects.live() if page.registration_state()[0])
    content = client.get(event.url).content.decode()
    tree = check_descriptions(content, event.url)
    for name, text in (
        ("brings_carer", "They take a seat too; there is no charge for them."),
        ("consent_to_keep_access_info", "If you do not tick this, we delete it the day after the event."),
    ):
        checkbox = tree.xpath(f'//input[@name="{name}"]')[0]
        assert checkbox.get("aria-describedby") == f"id_{name}_helptext"
        assert tree.xpath(f'//*[@id="id_{name}_helptext"]')[0].text_content() == text

    opportunity = OpportunityPage.objects.live().order_by("pk").first()
    tree = check_descriptions(client.get(opportunity.url).content, opportunity.url)
    consent = tree.xpath('//input[@name="consent_to_contact"]')[0]
    assert consent.get("aria-describedby") == "id_consent_to_contact_helptext"
    label = tree.xpath('//label[@for="id_consent_to_contact"]')[0].text_content()
    assert "(required)" in label
    assert (
        "delete access information"
        in tree.xpath('//*[@id="id_consent_to_contact_helptext"]')[0].text_content()
    )


def test_forms_sent_back_with_errors_say_so_in_the_title_and_tie_each_error(demo):
    from events.models import EventPage
    from home.models import GuidancePage
    from opportunities.models import OpportunityPage

    client = Client()
    event = next(page for page in EventPage.objects.live() if page.registration_state()[0])
    opportunity = OpportunityPage.objects.live().order_by("pk").first()
    feedback_page = GuidancePage.objects.get(slug="draft-manifesto")
    for url, data, invalid in (
        (event.url, {"name": "", "email": "nope"}, ["name", "email"]),
        (opportunity.url, {"name": "Sam"}, ["email", "consent_to_contact"]),
        (feedback_page.url, {"comment": ""}, ["comment"]),
        ("/account/sign-in/", {"username": "", "password": ""}, ["username", "password"]),
    ):
        response = client.post(url, data)
        assert response.status_code in (200, 400), url
        tree = check_descriptions(response.content, url)
        assert tree.findtext(".//title").startswith("Error: "), url
        summary = tree.xpath('//*[contains(@class, "error-summary")]')
        assert summary and summary[0].get("tabindex") == "-1", url
        for name in invalid:
            element = tree.xpath(f'//*[@name="{name}"]')[0]
            assert element.get("aria-invalid") == "true", (url, name)
            assert f"id_{name}_error" in described_ids(element), (url, name)
        # The same page without errors has a plain title.
        assert not client.get(url).content.decode().split("<title>")[1].startswith("Error: ")
