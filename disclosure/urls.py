from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

app_name = "disclosure"
urlpatterns = [
    path("preview/", views.preview, name="preview"),
    path("drafts/", views.draft_create_view, name="draft_create"),
    path("drafts/<uuid:public_id>/assistance/", views.draft_record_view, name="draft_record"),
    # The editor script's strings in the reader's language (a script from this site: CSP script-src 'self').
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["disclosure"]), name="jsi18n"),
]
