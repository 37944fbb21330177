from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, or ``Bearer <key>`` as most HTTP clients send it."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if header and header[0].lower() == b"bearer":
            self.keyword = "Bearer"
        else:
            self.keyword = "Token"
        return super().authenticate(request)
