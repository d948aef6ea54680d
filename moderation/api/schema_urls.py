"""The URL patterns the OpenAPI document describes: the API under /api/v1/, nothing else of the site."""
from django.urls import include, path

urlpatterns = [path("api/v1/", include("moderation.api.urls"))]
