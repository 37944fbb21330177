"""The URL map: each app declares its own URLs, included here once."""

from django.contrib import admin
from django.urls import include, path

# Django tries the patterns in order: the flashcards come first, since the due list and reviews are the most
# frequent requests. No two apps' patterns match the same path, so the order changes nothing else.
api_patterns = [
    path("", include("cards.urls")),
    path("", include("common.urls")),
    path("", include("kb.urls")),
    path("", include("quizzes.urls")),
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
handler500 = "portal.errors.server_error"
