from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cards import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cards", views.CardViewSet, basename="card")

urlpatterns = [
    path("", include(router.urls)),
    path("reviews/batch/", views.BatchReviewView.as_view(), name="review-batch"),
    path("reviews/undo/", views.UndoReviewView.as_view(), name="review-undo"),
    path("settings/scheduler/", views.SchedulerSettingsView.as_view(), name="scheduler-settings"),
    path("settings/scheduler/optimize/", views.OptimizeView.as_view(), name="scheduler-optimize"),
    path("stats/workload/", views.WorkloadView.as_view(), name="stats-workload"),
    path("export/anki.apkg", views.AnkiExportView.as_view(), name="export-anki"),
    path("export/reviews.csv", views.ReviewsCsvView.as_view(), name="export-reviews"),
]
