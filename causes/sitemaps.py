from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from causes.models import Article, Category, Cause, Drug, Mechanism


class StaticSitemap(Sitemap):
    def items(self):
        return ["causes:home", "causes:mechanism-table"]

    def location(self, item):
        return reverse(item)


class PublishedSitemap(Sitemap):
    model = None

    def items(self):
        return self.model.objects.published()

    def lastmod(self, item):
        return getattr(item, "last_reviewed", None)


class CategorySitemap(PublishedSitemap):
    model = Category


class CauseSitemap(PublishedSitemap):
    model = Cause


class DrugSitemap(PublishedSitemap):
    model = Drug


class ArticleSitemap(PublishedSitemap):
    model = Article


class MechanismSitemap(Sitemap):
    def items(self):
        return Mechanism.objects.all()


SITEMAPS = {
    "static": StaticSitemap,
    "categories": CategorySitemap,
    "mechanisms": MechanismSitemap,
    "causes": CauseSitemap,
    "drugs": DrugSitemap,
    "articles": ArticleSitemap,
}
