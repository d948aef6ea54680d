from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from config.views import favicon
from forum.forms import LoginForm

urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("moderation/compliance/", include("moderation.compliance.urls")),
    path("moderation/", include("moderation.urls", namespace="moderation")),
    path("api/v1/", include("moderation.api.urls")),
    path("", include("forum.urls")),
]
handler400 = "config.views.bad_request"
