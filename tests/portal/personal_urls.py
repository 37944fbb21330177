"""A URL map for tests/portal/test_access.py: two stand-in personal pages next to the portal's own."""

from django.http import HttpResponse
from django.urls import include, path
from django.views import View

from portal.access import PersonalPageMixin, personal_page


@personal_page
def function_page(request):
    return HttpResponse(f"personal page of {request.user.get_username()}")


class ClassPage(PersonalPageMixin, View):
    def get(self, request):
        return HttpResponse(f"class page of {request.user.get_username()}")


urlpatterns = [
    path("mine/", function_page),
    path("mine/class/", ClassPage.as_view()),
    path("", include("portal.urls")),
]
