"""The URL map: each app declares its own URLs, included here once."""

from django.contrib import admin
from django.urls import include, path

api_patterns = [
    path("", include("common.urls")),
    path("", include("kb.urls")),
    path("", include("quizzes.urls")),
    path("", include("cards.urls")),
    path("", include("demos.urls")),
    path("", include("study.urls")),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("", include("portal.urls")),
]

handler400 = "common.errors.json_bad_request"
handler403 = "common.errors.json_permission_denied"
handler404 = "portal.errors.not_found"
handler500 = "common.errors.json_server_error"
