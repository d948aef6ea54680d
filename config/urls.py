from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # pages without our <link rel="icon"> (admin, API docs) still ask for /favicon.ico
    path("favicon.ico", RedirectView.as_view(url=static("forum/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("moderation/compliance/", include("moderation.compliance.urls")),
    path("moderation/", include("moderation.urls", namespace="moderation")),
    path("api/v1/", include("moderation.api.urls")),
    path("", include("forum.urls")),
]
handler400 = "config.views.bad_request"
