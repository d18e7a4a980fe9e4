"""Blocks for course materials: what attendees read before or after an event.

Files for attendees only are not blocks: they are `EventMaterialFile`s in private storage, served by a
view that checks the person's place. The rich text here has no document links, which would point at
public files.
"""

from wagtail import blocks

from home.blocks import CalloutBlock, HeadingBlock, NumberedStepsBlock

MATERIALS_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class MaterialLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    url = blocks.URLBlock(label="Address")
    description = blocks.TextBlock(required=False, max_length=500)

    class Meta:
        icon = "link"
        template = "blocks/material_link_block.html"
        description = "A link to something attendees should read or watch"
        preview_value = {"title": "Reading list", "url": "https://example.org/", "description": ""}


class MaterialsStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=MATERIALS_RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        description="Rich text: paragraphs, lists and links",
        preview_value="<p>Please read the introduction before the session.</p>",
    )
    callout = CalloutBlock()
    steps = NumberedStepsBlock()
    link = MaterialLinkBlock()
