from django.urls import path

from . import views

app_name = "forum"
urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<uuid:public_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:public_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<uuid:public_id>/appeal/", views.post_appeal, name="post_appeal"),
    path("posts/<uuid:public_id>/report/", views.post_report, name="post_report"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("preferences/", views.preferences, name="preferences"),
]
