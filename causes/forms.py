from django import forms

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
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    page = forms.IntegerField(min_value=1, required=False)

    def clean_q(self):
        value = self.cleaned_data["q"]
        # Control characters can't be typed on purpose and break nothing but the page.
        return "".join(ch for ch in value if ch.isprintable())
