"""Model fields of the events app."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class ChoiceListField(models.JSONField):
    """A list of choice values stored as JSON (works on SQLite and PostgreSQL), edited as checkboxes."""

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_class"] = self.choice_class
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choice_class.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=kwargs.get("label") or self.verbose_name.capitalize(),
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        unknown = set(value or []) - set(self.choice_class.values)
        if unknown:
            raise ValidationError(f"Unknown choice(s): {', '.join(sorted(unknown))}")
