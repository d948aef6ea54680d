from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.compliance_report, name="report"),
    path("export.csv", views.compliance_export_csv, name="export_csv"),
]
