from django.urls import include, path
from rest_framework.routers import DefaultRouter

from quizzes import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("quizzes", views.QuizViewSet, basename="quiz")

urlpatterns = [
    path("questions/calibration/", views.QuestionCalibrationList.as_view(), name="question-calibration"),
    path("", include(router.urls)),
]
