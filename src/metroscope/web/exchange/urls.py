"""Page routes of the exchange (the JSON API is mounted separately at /api/)."""

from __future__ import annotations

from django.urls import path

from metroscope.web.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<slug:slug>/", views.case_detail, name="case"),
    path("compare/", views.compare, name="compare"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("metros/<slug:slug>/", views.metro_detail, name="metro"),
    path("sdgs/", views.sdg_index, name="sdgs"),
    path("sdgs/<int:number>/", views.sdg_detail, name="sdg"),
    path("map/", views.map_page, name="map"),
]
