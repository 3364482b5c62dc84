from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from causes.admin.search_all import search_all_view
from causes.api.endpoints import api
from causes.sitemaps import SITEMAPS
from site_config.health import healthz
from site_config.robots import favicon, robots_txt

admin.site.site_header = "Neutropenia causes: editors"
admin.site.site_title = "Neutropenia causes admin"
admin.site.index_title = "Content"

urlpatterns = [
    # Before admin.site.urls, which would read "search" as an app label.
    path("admin/search/", admin.site.admin_view(search_all_view), name="admin-search-all"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the icon.
    path("favicon.ico", favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/v1/", api.urls),
    path("", include("causes.urls")),
]

handler403 = "site_config.errors.permission_denied"
handler404 = "site_config.errors.page_not_found"
# 500, or the 503 page when the database is unavailable.
handler500 = "site_config.errors.server_error"
