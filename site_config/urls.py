from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from causes import views
from causes.sitemaps import SITEMAPS

admin.site.site_header = "Neutropenia causes: editors"
admin.site.site_title = "Neutropenia causes admin"
admin.site.index_title = "Content"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("causes.urls")),
]

handler404 = "causes.views.page_not_found"
