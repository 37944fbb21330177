"""Personal pages send anonymous visitors to the login page and bring them back (portal.access)."""

import pytest

from tests.portal.helpers import PASSWORD, assert_login_redirect

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.personal_urls")]


@pytest.mark.parametrize("path", ["/mine/", "/mine/class/", "/mine/?tab=due&page=2"])
def test_anonymous_visitors_go_to_login_with_next(client, path):
    assert_login_redirect(client.get(path), path)


def test_after_login_the_visitor_is_back_on_the_page(client, learner):
    login_page = client.get("/mine/", follow=True)
    assert login_page.redirect_chain[-1][0] == "/accounts/login/?next=/mine/"
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD, "next": "/mine/"}, follow=True)
    assert response.redirect_chain == [("/mine/", 302)]
    assert response.content == b"personal page of ada"


@pytest.mark.parametrize("path", ["/mine/", "/mine/class/"])
def test_learners_see_their_page(learner_client, path):
    response = learner_client.get(path)
    assert response.status_code == 200
    assert response.content.endswith(b"of ada")


def test_an_htmx_fragment_redirects_the_whole_page(client):
    response = client.get(
        "/mine/class/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/review/?deck=adam"},
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == "/accounts/login/?next=/review/%3Fdeck%3Dadam"


def test_an_htmx_redirect_ignores_another_sites_url(client):
    response = client.get("/mine/", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"})
    assert response["HX-Redirect"] == "/accounts/login/?next=/"
