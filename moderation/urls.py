"""The moderator queue, mounted by the host at ``/moderation/`` with namespace ``moderation``."""
from django.urls import path

from . import statement_views, views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<uuid:public_id>/", views.item_detail, name="item_detail"),
    path("items/<uuid:public_id>/claim/", views.item_claim, name="item_claim"),
    path("items/<uuid:public_id>/release/", views.item_release, name="item_release"),
    path("items/<uuid:public_id>/snooze/", views.item_snooze, name="item_snooze"),
    path("items/<uuid:public_id>/wake/", views.item_wake, name="item_wake"),
    path("items/<uuid:public_id>/note/", views.item_note, name="item_note"),
    path("items/<uuid:public_id>/<slug:action>/", views.item_decide, name="item_decide"),
    path("results/<int:result_id>/mark/", views.result_mark, name="result_mark"),
    path("bulk/", views.bulk, name="bulk"),
    path("audit/", views.audit, name="audit"),
    path("log/", views.public_log, name="public_log"),
    path("stats/", views.stats, name="stats"),
    path("statements.jsonl", statement_views.statements_export, name="statements_export"),
]
