"""The one declaration of the content models: which are entries with pages, which carry a
publication status, which own children, and in what order they are exported.

Signals, the search index, export, load, the editorial service, the admin and the tests
all read this list; nobody keeps a copy of it.
"""

from dataclasses import dataclass, field

from django.db import models

from causes.models import (
    Article,
    BrandName,
    Category,
    Cause,
    CauseAlias,
    Drug,
    DrugAlias,
    Mechanism,
    Source,
)


@dataclass(frozen=True)
class Child:
    """A row owned by an entry (CASCADE), edited inline on the entry's form."""

    model: type[models.Model]
    fk: str  # the foreign key to the owner
    identity: str = "name"  # what tells two children of one owner apart


@dataclass(frozen=True)
class ContentModel:
    model: type[models.Model]
    publishable: bool = False  # has a status; editors' changes to a published one wait
    reviewed: bool = False  # has a review date and reviewer
    has_page: bool = False  # shown on the public site (and in the sitemap)
    children: tuple[Child, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


# Parents first: the order of export and of loading.
CONTENT: tuple[ContentModel, ...] = (
    ContentModel(Source),
    ContentModel(Mechanism, has_page=True),
    ContentModel(Category, publishable=True, has_page=True),
    ContentModel(
        Cause,
        publishable=True,
        reviewed=True,
        has_page=True,
        children=(Child(CauseAlias, "cause"),),
    ),
    ContentModel(CauseAlias),
    ContentModel(
        Drug,
        publishable=True,
        reviewed=True,
        has_page=True,
        children=(Child(BrandName, "drug"), Child(DrugAlias, "drug")),
    ),
    ContentModel(DrugAlias),
    ContentModel(BrandName),
    ContentModel(Article, publishable=True, reviewed=True, has_page=True),
)

CONTENT_MODELS: tuple[type[models.Model], ...] = tuple(c.model for c in CONTENT)
# Entries: edited on a form of their own, versioned, recorded as whole revisions.
ENTRY_MODELS: tuple[type[models.Model], ...] = tuple(
    c.model
    for c in CONTENT
    if c.model not in {child.model for e in CONTENT for child in e.children}
)
CHILD_MODELS: tuple[type[models.Model], ...] = tuple(
    child.model for c in CONTENT for child in c.children
)


def declaration(model) -> ContentModel:
    for entry in CONTENT:
        if entry.model is model:
            return entry
    raise LookupError(f"{model} is not a content model")


def owner_of(child_model) -> tuple[type[models.Model], Child] | None:
    """The entry model that owns rows of this model, and how."""
    for entry in CONTENT:
        for child in entry.children:
            if child.model is child_model:
                return entry.model, child
    return None
