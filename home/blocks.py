"""The shared block set every StreamField on the site is built from."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Level 2 (section)"), ("h3", "Level 3 (subsection)")],
        default="h2",
        help_text="Use level 2 for sections; level 3 only inside a level 2 section.",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        description = "A section heading, shown in the page's contents list"
        preview_value = {"text": "Why share power?", "level": "h2"}


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("info", "Information"), ("tip", "Tip"), ("important", "Important")], default="info"
    )
    title = blocks.CharBlock(max_length=120, required=False)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"
        description = "A highlighted box that draws attention to one point"
        preview_value = {"kind": "tip", "title": "Tip", "body": "<p>Agree ground rules together.</p>"}


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False)


class NumberedStepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, required=False)
    steps = blocks.ListBlock(StepBlock(), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "blocks/numbered_steps_block.html"
        description = "A numbered list of steps to follow in order"
        preview_value = {
            "title": "Getting started",
            "steps": [{"title": "Meet as equals", "body": ""}, {"title": "Agree roles", "body": ""}],
        }


class ReflectionQuestionsBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, default="Questions for reflection")
    introduction = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False)
    questions = blocks.ListBlock(blocks.CharBlock(max_length=500), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/reflection_questions_block.html"
        description = "Questions readers ask themselves, e.g. about their own sources of power"
        preview_value = {
            "title": "Questions for reflection",
            "questions": ["Where does my power in this project come from?"],
        }


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300)
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)


class AccordionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200, required=False)
    items = blocks.ListBlock(FaqItemBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/accordion_block.html"
        description = "Questions and answers that open one at a time (works without JavaScript)"
        preview_value = {
            "title": "FAQ",
            "items": [{"question": "Who is this for?", "answer": "<p>Everyone.</p>"}],
        }


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(max_length=200, required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = "A quotation with who said it"
        preview_value = {"text": "Nothing about us without us.", "attribution": "Disability rights movement"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        required=False,
        help_text="Describe what the image shows for people who cannot see it. "
        "Leave empty only if the image is decorative, and tick the box below.",
    )
    decorative = blocks.BooleanBlock(
        required=False, help_text="The image adds nothing the text does not say."
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        description = "An image with alternative text and an optional caption"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("alt_text") and not value.get("decorative"):
            raise StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError("Add alternative text, or mark the image as decorative.")
                }
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(max_length=200, required=False, help_text="Defaults to the document's title.")
    description = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        description = "A download link with the file's type and size"


class EmbedMediaBlock(blocks.StructBlock):
    embed = EmbedBlock(help_text="A YouTube or Vimeo address.")
    title = blocks.CharBlock(max_length=200, help_text="Describes the video for screen-reader users.")
    transcript = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, required=False)

    class Meta:
        icon = "media"
        template = "blocks/embed_block.html"
        description = "A video with a title and an optional transcript"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        description="Rich text: paragraphs, lists and links",
        preview_value="<p>Co-production means sharing power.</p>",
    )
    callout = CalloutBlock()
    steps = NumberedStepsBlock()
    reflection = ReflectionQuestionsBlock()
    accordion = AccordionBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    document = DocumentBlock()
    embed = EmbedMediaBlock()
