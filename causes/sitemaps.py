"""/sitemap.xml: every published page, each with its last change where one is known."""

from datetime import date, datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from causes.models import Article, Category, Cause, Drug, Mechanism


class StaticSitemap(Sitemap):
    def items(self):
        return ["causes:home", "causes:mechanism-table", "causes:open-data"]

    def location(self, item):
        return reverse(item)


class EntrySitemap(Sitemap):
    """An entry's last change is its newest history record (every save that went live:
    pending changes are not recorded until published) or its last review, whichever is
    later. Content loaded from the fixture has no history until it is first edited."""

    model = None

    def entries(self):
        return self.model.objects.all()

    def items(self):
        history = self.model.history.model.objects.filter(id=OuterRef("pk"))
        newest = history.order_by("-history_date").values("history_date")[:1]
        return self.entries().annotate(last_change=Subquery(newest))

    def lastmod(self, item) -> date | None:
        changed = item.last_change.date() if isinstance(item.last_change, datetime) else None
        # One type for every item: the sitemap compares them to find the newest.
        known = [d for d in (changed, getattr(item, "last_reviewed", None)) if d]
        return max(known, default=None)


class PublishedSitemap(EntrySitemap):
    def entries(self):
        return self.model.objects.published()


class CategorySitemap(PublishedSitemap):
    model = Category


class CauseSitemap(PublishedSitemap):
    model = Cause


class DrugSitemap(PublishedSitemap):
    model = Drug


class ArticleSitemap(PublishedSitemap):
    model = Article


class MechanismSitemap(EntrySitemap):
    model = Mechanism


SITEMAPS = {
    "static": StaticSitemap,
    "categories": CategorySitemap,
    "mechanisms": MechanismSitemap,
    "causes": CauseSitemap,
    "drugs": DrugSitemap,
    "articles": ArticleSitemap,
}
