"""URL map of the platform: each app mounts its own urls module."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from metroscope.web.exchange.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("metroscope.web.exchange.urls")),
]
