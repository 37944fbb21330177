"""What the portal's page tests check on a rendered page; personal pages' tests use these too."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

PASSWORD = "a long passphrase 42"


class PageParser(HTMLParser):
    """Collects what the page tests look at: elements with their attributes, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def assert_csp_ready(response) -> None:
    """No inline script, no style attribute, no inline event handler: the page runs under a strict CSP."""
    page = parse(response)
    for tag, attrs in page.elements:
        assert not (tag == "script" and "src" not in attrs), "inline <script> element"
        assert tag != "style", "inline <style> element"
        assert "style" not in attrs, f"style attribute on <{tag}>"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"inline event handler {handlers} on <{tag}>"
        if tag == "a":
            assert not attrs.get("href", "").lower().startswith("javascript:"), "javascript: link"


def assert_login_redirect(response, next_url: str) -> None:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [next_url]
