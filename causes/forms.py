from django import forms

from causes.medicines import MAX_ITEM_LENGTH, MAX_ITEMS, MAX_TEXT_LENGTH, parse_items
from causes.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """Validates what a visitor typed before it reaches the search."""

    q = forms.CharField(
        label="Search causes, drugs and brand names",
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        error_messages={
            "max_length": (
                "Your search is too long (%(show_value)d characters). "
                "Please use at most %(limit_value)d characters: a name or a few words work best."
            ),
        },
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                # Short enough to show whole in the box on a 320 px phone.
                "placeholder": "Drug, brand or illness",
            }
        ),
    )
    page = forms.IntegerField(min_value=1, required=False)

    def clean_q(self):
        value = self.cleaned_data["q"]
        # Control characters can't be typed on purpose and break nothing but the page.
        return "".join(ch for ch in value if ch.isprintable())


class MedicinesForm(forms.Form):
    """A visitor's list of medicines, for the "Check my medicines" page; never stored."""

    medicines = forms.CharField(
        label="Your medicines",
        help_text=(
            "Brand or generic names, one per line or separated by commas: up to "
            f"{MAX_ITEMS} medicines, each up to {MAX_ITEM_LENGTH} characters. Your list is "
            "not stored or kept anywhere: it is checked and shown only to you."
        ),
        max_length=MAX_TEXT_LENGTH,
        error_messages={
            "required": "Please type at least one medicine.",
            "max_length": (
                "Your list is too long (%(show_value)d characters). Please check at most "
                f"{MAX_ITEMS} medicines at a time, one per line."
            ),
        },
        # No autofill memory, and no browser spelling service (some send the text away).
        widget=forms.Textarea(
            attrs={"rows": 8, "cols": 40, "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_medicines(self) -> list[str]:
        return parse_items(self.cleaned_data["medicines"])
