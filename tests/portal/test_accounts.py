"""Sign up, log in and log out with Django's auth views; registration is common.accounts.register."""

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape
from rest_framework.authtoken.models import Token

from tests.portal.helpers import PASSWORD, assert_csp_ready, parse

pytestmark = pytest.mark.django_db
User = get_user_model()


def signup(client, next_url=None, **fields):
    data = {"username": "ada", "email": "", "password1": PASSWORD, "password2": PASSWORD, **fields}
    path = "/accounts/signup/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data)


def field_errors(response, field: str) -> str:
    html = response.content.decode()
    marker = f'<ul class="errorlist" id="id_{field}_error">'
    assert marker in html, f"no error shown for {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


def field_attrs(response, field: str) -> dict:
    return next(attrs for tag, attrs in parse(response).elements if tag == "input" and attrs.get("name") == field)


def logged_in_user(client):
    return client.session.get("_auth_user_id")


def test_signup_page_has_labelled_fields(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    for field, autocomplete in [("username", "username"), ("email", "email"), ("password1", "new-password")]:
        assert f'<label for="id_{field}"' in html
        assert field_attrs(response, field)["autocomplete"] == autocomplete


def test_signup_creates_the_account_logs_in_and_goes_home(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="ada")
    assert str(user.pk) == logged_in_user(client)
    assert Token.objects.filter(user=user).exists()  # made by common.accounts.register, like the API's
    assert "Welcome, ada." in client.get("/").content.decode()


def test_signup_goes_to_next_but_never_off_site(client):
    assert signup(client, next_url="/concepts/adam/")["Location"] == "/concepts/adam/"
    client.logout()
    assert signup(client, next_url="https://evil.example/", username="grace")["Location"] == "/"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short."),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        ({"password2": "something else 42"}, "password2", "The two passwords differ."),
        ({"username": "ada lovelace!"}, "username", "Enter a valid username"),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_signup_errors_name_the_field_and_create_nothing(client, fields, field, message):
    response = signup(client, **fields)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert field_attrs(response, field)["aria-invalid"] == "true"
    assert not User.objects.exists()
    assert logged_in_user(client) is None


def test_a_taken_name_is_refused_whatever_its_case(client, learner):
    response = signup(client, username="ADA")
    assert "This username is taken." in field_errors(response, "username")
    assert User.objects.count() == 1


def test_signup_applies_the_apis_password_rules(client):
    """The same password is refused by the API and by the page, with the same words (one rule, in accounts)."""
    api = client.post(
        "/api/auth/register/", {"username": "ada", "password": "password123"}, content_type="application/json"
    )
    assert api.status_code == 400
    message = api.json()["errors"]["password"][0]["message"]
    page = signup(client, password1="password123", password2="password123")
    assert escape(message) in field_errors(page, "password1")
    assert not User.objects.exists()


def test_login_goes_back_to_next(client, learner):
    page = client.get("/accounts/login/?next=/concepts/")
    assert page.status_code == 200
    assert_csp_ready(page)
    assert '<input type="hidden" name="next" value="/concepts/">' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD, "next": "/concepts/"})
    assert response.status_code == 302
    assert response["Location"] == "/concepts/"
    assert logged_in_user(client) == str(learner.pk)


def test_login_refuses_a_wrong_password(client, learner):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert logged_in_user(client) is None


def test_login_never_redirects_off_site(client, learner):
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD, "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_logout_is_post_only(learner_client, learner):
    assert learner_client.get("/accounts/logout/").status_code == 405
    assert logged_in_user(learner_client) == str(learner.pk)
    response = learner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user(learner_client) is None


def test_logout_needs_the_csrf_token(learner, learner_client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post("/accounts/logout/").status_code == 403
    assert strict.session.get("_auth_user_id") == str(learner.pk)


def test_a_learner_skips_the_login_and_signup_pages(learner_client):
    assert learner_client.get("/accounts/login/")["Location"] == "/"
    assert learner_client.get("/accounts/signup/?next=/concepts/")["Location"] == "/concepts/"
