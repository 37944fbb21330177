from django.urls import include, path
from rest_framework.routers import DefaultRouter

from kb import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("concepts", views.ConceptViewSet, basename="concept")

urlpatterns = [
    path("", include(router.urls)),
    path("areas/", views.AreaListView.as_view(), name="area-list"),
]
