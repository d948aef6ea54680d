"""Mounted at ``/api/v1/`` by config/urls.py (namespace ``api``)."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import drafts, reports, views

app_name = "api"
urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("disclosure-schema", views.DisclosureSchemaView.as_view(), name="disclosure-schema"),
    path("schema", SpectacularAPIView.as_view(urlconf="moderation.api.schema_urls"), name="schema"),
    path("docs", views.docs_view, name="docs"),
    path("submissions", views.SubmissionCreateView.as_view(), name="submissions"),
    path("submissions/<uuid:public_id>", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<uuid:public_id>/removal", views.SubmissionRemovalView.as_view(), name="submission-removal"),
    path("submissions/<uuid:public_id>/reports", reports.SubmissionReportsView.as_view(), name="submission-reports"),
    path("submissions/<uuid:public_id>/appeal", reports.SubmissionAppealView.as_view(), name="submission-appeal"),
    path("submissions/<uuid:public_id>/statement-of-reasons", reports.SubmissionStatementView.as_view(),
         name="submission-statement"),
    path("erasures", views.ErasureView.as_view(), name="erasures"),
    path("author-data", views.AuthorDataView.as_view(), name="author-data"),
    path("review-items", views.ReviewItemListView.as_view(), name="review-items"),
    path("review-items/<uuid:public_id>/claim", views.ReviewItemClaimView.as_view(), name="review-item-claim"),
    path("review-items/<uuid:public_id>/decision", views.ReviewItemDecisionView.as_view(),
         name="review-item-decision"),
    path("review-items/<uuid:public_id>/notes", views.ReviewItemNotesView.as_view(), name="review-item-notes"),
    path("webhooks", views.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<uuid:public_id>", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:public_id>/deliveries", views.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
    path("drafts", drafts.DraftCreateView.as_view(), name="drafts"),
    path("drafts/<uuid:public_id>", drafts.DraftDetailView.as_view(), name="draft-detail"),
    path("drafts/<uuid:public_id>/assistance", drafts.DraftAssistanceView.as_view(), name="draft-assistance"),
    re_path(r"^[\s\S]*$", views.not_found),  # [\s\S], not ".": a path may hold a newline (%0A)
]
