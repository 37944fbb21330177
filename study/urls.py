from django.urls import path

from study import views

urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("next/", views.NextStepView.as_view(), name="next-step"),
]
