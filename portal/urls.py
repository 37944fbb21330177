from django.urls import include, path

from portal import card_views, demo_views, quiz_views, review_views, settings_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("concepts/", views.concept_list, name="concept-list"),
    path("concepts/<slug:slug>/", views.concept_detail, name="concept-detail"),
    path("demos/", demo_views.demo_list, name="demo-list"),
    path("demos/<slug:name>/", demo_views.demo_detail, name="demo-detail"),
    path("runs/", demo_views.run_list, name="run-list"),
    path("runs/compare/", demo_views.run_compare, name="run-compare"),
    path("runs/<uuid:run_id>/", demo_views.run_detail, name="run-detail"),
    path("runs/<uuid:run_id>/cancel/", demo_views.run_cancel, name="run-cancel"),
    # The study pages (portal-B): quizzes, review, the card browser and the scheduler settings.
    path("quiz/", quiz_views.start, name="quiz-start"),
    path("quiz/history/", quiz_views.history, name="quiz-history"),
    path("quiz/<uuid:quiz_id>/", quiz_views.take, name="quiz"),
    path("review/", review_views.review, name="review"),
    path("review/undo/", review_views.undo, name="review-undo"),
    path("cards/", card_views.card_list, name="card-list"),
    path("cards/enroll/", card_views.enroll, name="card-enroll"),
    path("cards/<int:card_id>/", card_views.card_detail, name="card-detail"),
    path("cards/<int:card_id>/unsuspend/", card_views.unsuspend, name="card-unsuspend"),
    path("cards/<int:card_id>/suspend/", card_views.suspend, name="card-suspend"),
    path("cards/<int:card_id>/forget/", card_views.forget, name="card-forget"),
    path("settings/", settings_views.scheduler_settings, name="settings"),
    path("settings/optimize/", settings_views.optimize, name="settings-optimize"),
    # Django's set_language view (POST language, next): the choice is kept in the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
]
