"""The editorial rules, written once. Every path that writes content (the admin form and its
inlines, bulk actions, import, revert, restore, any API) reaches them through
`causes.editing`, which checks the state an edit would leave behind against them.

A rule refuses with a `Refusal`: a ValidationError whose message tells the editor what to
do, shown by forms as a form error and by import as a row error, never a server error.
"""

from datetime import date

from django.core.exceptions import ValidationError

from causes.citations import CITED_FIELDS, problems

PUBLISHED = "published"
REVIEW_FIELDS = ("last_reviewed", "reviewed_by_id")
# Entries that make medical claims go public only with a source behind them.
NEEDS_SOURCE = {"cause", "drug"}


class Refusal(ValidationError):
    """An edit the rules do not allow; the message says why and what to do instead."""


class StaleEdit(Refusal):
    """A save based on a copy that someone else has saved over since it was opened."""


def may(user, action: str, model) -> bool:
    """Whether the user holds `causes.<action>_<model>`."""
    if user is None:
        return False
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def require(user, action: str, model, what: str) -> None:
    if not may(user, action, model):
        raise Refusal(denial(action, model, what), code="permission")


def denial(action: str, model, what: str) -> str:
    """Why an act is refused, and which role may do it."""
    return (
        f"You may not {what}: that needs the “{action}” right on "
        f"{model._meta.verbose_name_plural}, which {roles_with(action, model)} have."
    )


def roles_with(action: str, model) -> str:
    """The groups that hold `<action>_<model>` ('publishers'), or the usual role."""
    from django.contrib.auth.models import Group

    codename = f"{action}_{model._meta.model_name}"
    groups = Group.objects.filter(
        permissions__codename=codename, permissions__content_type__app_label=model._meta.app_label
    ).values_list("name", flat=True)
    names = sorted({name.lower() for name in groups})
    return " and ".join(names) if names else role_for(action)


def role_for(action: str) -> str:
    return "publishers" if action in {"publish", "delete", "review"} else "editors"


def status_of(snapshot: dict | None) -> str:
    if snapshot is None:
        return "draft"  # a new entry starts as a draft
    return snapshot["fields"].get("status", PUBLISHED)


def check_status(user, model, before: dict | None, after: dict) -> None:
    """Only publishers publish or unpublish, by any path."""
    old, new = status_of(before), status_of(after)
    if old != new:
        verb = "publish" if new == PUBLISHED else "unpublish"
        require(user, "publish", model, f"{verb} “{after['name']}”")


def check_public_needs_source(model, status: str, source_count: int, name: str) -> None:
    """A cause or a drug goes public only with at least one source attached."""
    if model._meta.model_name in NEEDS_SOURCE and status == PUBLISHED and not source_count:
        raise Refusal(
            f"“{name}” cannot be published without a source: attach at least one source "
            f"to the {model._meta.verbose_name} first.",
            code="needs_source",
        )


def check_review(user, model, before: dict | None, after: dict, reviewing: bool) -> None:
    """Only 'Mark reviewed' sets the review date and reviewer: to today and to the reviewer."""
    changed = [
        name
        for name in REVIEW_FIELDS
        if name in after["fields"]
        and after["fields"].get(name) != ((before or {"fields": {}})["fields"].get(name))
    ]
    if not changed:
        return
    if not reviewing:
        raise Refusal(
            f"The review date and reviewer of “{after['name']}” can only be set by "
            "“Mark reviewed”, which a publisher uses after checking the entry against "
            "its sources.",
            code="review",
        )
    require(user, "review", model, f"mark “{after['name']}” reviewed")
    if after["fields"].get("last_reviewed") != date.today().isoformat() or (
        after["fields"].get("reviewed_by_id") != user.pk
    ):
        raise Refusal("“Mark reviewed” records today's date and the reviewer.", code="review")


def check_children_removed(user, child_model, removed: list[str], name: str) -> None:
    """Removing a brand name or alias needs the right to delete it."""
    if removed and not may(user, "delete", child_model):
        names = ", ".join(f"“{n}”" for n in removed)
        raise Refusal(
            f"You may not remove {names} from “{name}”: removing "
            f"{child_model._meta.verbose_name_plural} needs the “delete” right, which "
            "publishers have.",
            code="permission",
        )


def check_source_change(user, source, cited_by_published: int, title: str) -> None:
    """A source cited by published entries changes what the public reads. `title` is the
    source's title before the edit: the one the editor knows it by."""
    if cited_by_published and not may(user, "publish", source):
        entries = "entry" if cited_by_published == 1 else "entries"
        raise Refusal(
            f"“{title}” is cited by {cited_by_published} published {entries}, so only a "
            "publisher may change it. Add a new source instead, or ask a publisher.",
            code="permission",
        )


def waits_for_publisher(user, model, publishable: bool, before: dict | None) -> bool:
    """An editor's change to an entry that is published is kept as pending changes."""
    return publishable and status_of(before) == PUBLISHED and not may(user, "publish", model)


def check_citations(model, after: dict, attached_slugs: list[str]) -> None:
    """Every citation marker in an entry's texts names a source attached to the entry."""
    texts = [after["fields"].get(name) or "" for name in CITED_FIELDS]
    unknown = problems(texts, attached_slugs).unknown
    if unknown:
        markers = ", ".join(f"[{slug}]" for slug in unknown)
        raise Refusal(
            f"“{after['name']}” cites {markers} in its text, but no such source is attached "
            f"to the {model._meta.verbose_name}. Attach the source under “Sources”, or correct "
            "the marker to the slug of an attached source.",
            code="citation",
        )


def check_source_slug_kept(old_slug: str, new_slug: str, citing: list[str]) -> None:
    """A source's slug is what texts cite it by: it cannot change while a text cites it."""
    if old_slug != new_slug and citing:
        names = ", ".join(f"“{n}”" for n in citing[:5])
        raise Refusal(
            f"The texts of {names} cite this source as [{old_slug}], so its slug cannot "
            "change. Change those markers first, or keep the slug.",
            code="citation",
        )


def check_source_not_cited(citing: list[str], title: str) -> None:
    """A source cited in a text cannot be deleted: the text would cite nothing."""
    if citing:
        names = ", ".join(f"“{n}”" for n in citing[:5])
        raise Refusal(
            f"“{title}” is cited in the texts of {names}: remove those citations before "
            "deleting it.",
            code="citation",
        )
