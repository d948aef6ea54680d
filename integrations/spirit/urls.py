"""Spirit's URLs with the plugin: the editor views wrapped (same paths, so Spirit's ``{% url %}`` names still
point at them), the review queue, the disclosure preview, the API, and the rest of Spirit unchanged."""
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from . import views

urlpatterns = [
    # Before include("spirit.urls"): the first match wins, and these are Spirit's own paths.
    path("comment/<int:topic_id>/publish/", views.comment_publish),
    path("comment/<int:topic_id>/publish/<int:pk>/quote/", views.comment_publish),
    path("comment/<int:pk>/update/", views.comment_update),
    path("comment/<int:pk>/delete/", views.comment_delete),
    path("comment/<int:topic_id>/move/", views.comment_move),
    path("comment/<int:pk>/appeal/", views.comment_appeal, name="ai_spirit_comment_appeal"),
    path("comment/<int:pk>/report-ai/", views.comment_report, name="ai_spirit_comment_report"),
    path("comment/<int:pk>/undelete/", views.comment_undelete),
    path("topic/<int:pk>/", views.topic_detail),
    re_path(r"^topic/(?P<pk>[0-9]+)/(?P<slug>[\w-]+)/$", views.topic_detail),  # Spirit's own pattern
    path("topic/moderate/delete/<int:pk>/", views.topic_delete),
    path("topic/moderate/undelete/<int:pk>/", views.topic_undelete),
    path("topic/publish/", views.topic_publish),
    path("topic/private/publish/", views.private_topic_publish),
    path("topic/private/publish/<int:user_id>/", views.private_topic_publish),
    path("topic/publish/<int:category_id>/", views.topic_publish),
    path("admin/", admin.site.urls),
    # the plugin's JavaScript catalogue and this integration's (the words of the toolbar button it adds)
    path("ai-spirit/jsi18n/", JavaScriptCatalog.as_view(packages=["disclosure", "integrations.spirit"]),
         name="ai_spirit_jsi18n"),
    path("disclosure/", include("disclosure.urls")),
    path("moderation/compliance/", include("moderation.compliance.urls")),
    path("moderation/", include("moderation.urls", namespace="moderation")),
    path("api/v1/", include("moderation.api.urls")),
    path("", include("spirit.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
handler400 = "config.views.bad_request"
