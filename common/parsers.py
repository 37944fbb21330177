"""The API's JSON parser: DRF's, with the nesting depth bounded.

Python's ``json`` recurses once per level, so a 2 KB body of 1,000 nested brackets raised RecursionError (a 500)
before any view saw it. No request of this API nests deeper than a few levels; anything past ``MAX_DEPTH`` is a
400 with a message saying the limit, checked before the body is decoded."""

import codecs
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """The deepest level of arrays and objects in a JSON text (brackets inside strings do not count)."""
    deepest = depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}: {exc}") from None
        # Cheap first: a body with few brackets cannot be too deep.
        if text.count("[") + text.count("{") > self.max_depth and nesting_depth(text) > self.max_depth:
            raise ParseError(f"JSON nested deeper than {self.max_depth} levels; this API accepts at most that.")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
