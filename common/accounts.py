"""Accounts: registration and API tokens (services shared by the API and pages)."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from common.errors import ServiceError


def register(username: str, password: str, email: str = ""):
    """Create a user and their API token; clear errors for a taken name or a weak password."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(
            "username_taken", f"The username '{username}' is taken.", errors={"username": "This username is taken."}
        )
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ServiceError("weak_password", message, errors={"password": message}) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            token = Token.objects.create(user=user)
    except IntegrityError:
        raise ServiceError(
            "username_taken", f"The username '{username}' is taken.", errors={"username": "This username is taken."}
        ) from None
    return user, token


def check_credentials(username: str, password: str, request=None):
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ServiceError("invalid_credentials", "Unable to log in with this username and password.", status=400)
    return user


def token_for(username: str, password: str) -> Token:
    token, _ = Token.objects.get_or_create(user=check_credentials(username, password))
    return token
