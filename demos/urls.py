from django.urls import include, path
from rest_framework.routers import DefaultRouter

from demos import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("demos", views.DemoViewSet, basename="demo")
router.register("demo-runs", views.DemoRunViewSet, basename="demo-run")

urlpatterns = [
    path("", include(router.urls)),
    path("demo-runs/<uuid:pk>/plot.svg", views.DemoRunViewSet.as_view({"get": "plot"}), name="demo-run-plot"),
]
