"""The questions an editor asks applicants for one opportunity (a StreamField of question blocks)."""

from wagtail import blocks


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300, help_text="Ask one thing, in plain words.")
    help_text = blocks.CharBlock(max_length=300, required=False, help_text="A hint shown under the question.")
    kind = blocks.ChoiceBlock(
        choices=[("short", "Short answer"), ("long", "Longer answer"), ("yes_no", "Yes or no")],
        default="long",
    )
    required = blocks.BooleanBlock(required=False, default=False, help_text="Must people answer it?")

    class Meta:
        icon = "help"
        label = "Question"


class QuestionsBlock(blocks.StreamBlock):
    question = QuestionBlock()

    class Meta:
        max_num = 10
