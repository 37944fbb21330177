from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from common.views import HealthView, RegisterView, SessionLoginView, SessionLogoutView, TokenView
from demos.views import DemoRunViewSet, DemoViewSet
from kb.views import AreaListView, ConceptViewSet
from quizzes.card_views import (
    AnkiExportView,
    BatchReviewView,
    CardViewSet,
    OptimizeView,
    ReviewsCsvView,
    SchedulerSettingsView,
    StatsView,
)
from quizzes.views import QuizViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("concepts", ConceptViewSet, basename="concept")
router.register("demos", DemoViewSet, basename="demo")
router.register("demo-runs", DemoRunViewSet, basename="demo-run")
router.register("quizzes", QuizViewSet, basename="quiz")
router.register("cards", CardViewSet, basename="card")

api_patterns = [
    path("", include(router.urls)),
    path("areas/", AreaListView.as_view(), name="area-list"),
    path("demo-runs/<uuid:pk>/plot.svg", DemoRunViewSet.as_view({"get": "plot"}), name="demo-run-plot"),
    path("health/", HealthView.as_view(), name="health"),
    path("reviews/batch/", BatchReviewView.as_view(), name="review-batch"),
    path("settings/scheduler/", SchedulerSettingsView.as_view(), name="scheduler-settings"),
    path("settings/scheduler/optimize/", OptimizeView.as_view(), name="scheduler-optimize"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("export/anki.apkg", AnkiExportView.as_view(), name="export-anki"),
    path("export/reviews.csv", ReviewsCsvView.as_view(), name="export-reviews"),
    path("auth/register/", RegisterView.as_view(), name="register"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/login/", SessionLoginView.as_view(), name="session-login"),
    path("auth/logout/", SessionLogoutView.as_view(), name="session-logout"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="api-docs", permanent=False)),
]

handler400 = "common.errors.json_bad_request"
handler403 = "common.errors.json_permission_denied"
handler404 = "common.errors.json_not_found"
handler500 = "common.errors.json_server_error"
