from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [path("preview/", views.preview, name="preview")]
