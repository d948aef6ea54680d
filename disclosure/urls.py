from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("preview/", views.preview, name="preview"),
    path("drafts/", views.draft_create_view, name="draft_create"),
    path("drafts/<uuid:public_id>/assistance/", views.draft_record_view, name="draft_record"),
]
