"""`{% search_box %}`: the search form on every page, rendered from `SearchForm`, so its
label, length limit and input attributes are written once, where the search validates."""

from django import template

from causes.forms import SearchForm

register = template.Library()


@register.inclusion_tag("includes/search_form.html", takes_context=True)
def search_box(context, field_id: str = "search-q"):
    """The box, holding what the page searched for; `field_id` where a page has two."""
    field = SearchForm(initial={"q": context.get("query") or ""})["q"]
    return {"field": field, "field_id": field_id, "input": field.as_widget(attrs={"id": field_id})}
