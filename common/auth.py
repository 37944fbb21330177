from functools import cache

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common import sql


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, or ``Bearer <key>`` as most HTTP clients send it. The token and its user
    are read in one hand-written statement: every request of a study session makes it."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if header and header[0].lower() == b"bearer":
            self.keyword = "Bearer"
        else:
            self.keyword = "Token"
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        found = sql.rows(_token_and_user(), {"key": key})
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        width = len(Token._meta.concrete_fields)
        token = sql.instance(Token, found[0][:width])
        token.user = sql.instance(get_user_model(), found[0][width:])
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


@cache
def _token_and_user() -> str:
    users = get_user_model()
    return (
        f"SELECT {sql.columns(Token, 't')}, {sql.columns(users, 'u')} "
        f'FROM "{Token._meta.db_table}" t JOIN "{users._meta.db_table}" u ON u.id = t.user_id WHERE t.key = %(key)s'
    )
