from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common import views

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/login/", views.SessionLoginView.as_view(), name="session-login"),
    path("auth/logout/", views.SessionLogoutView.as_view(), name="session-logout"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
