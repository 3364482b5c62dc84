from django.urls import path

from causes import views

app_name = "causes"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("causes/<slug:slug>/", views.CauseDetailView.as_view(), name="cause-detail"),
    path("drugs/<slug:slug>/", views.DrugDetailView.as_view(), name="drug-detail"),
    path("mechanisms/", views.MechanismTableView.as_view(), name="mechanism-table"),
    path("mechanisms/<slug:slug>/", views.MechanismDetailView.as_view(), name="mechanism-detail"),
    path("about/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("search/", views.search, name="search"),
    path("search/suggest", views.suggest, name="suggest"),
    path("check/", views.check_medicines, name="check"),
    path("data/", views.OpenDataView.as_view(), name="open-data"),
]
