"""The URL map: every named URL leads back to its own view, so the order of the apps' patterns in config.urls (the
flashcards first, for the hot path) shadows nothing."""

from itertools import product

from django.urls import NoReverseMatch, get_resolver, resolve, reverse

# A value for each kind of URL parameter in the map: ids, format suffixes, run ids, slugs.
SAMPLES = ("1", "json", "00000000-0000-4000-8000-000000000000", "a-slug")


def _sample_path(name: str, params: list[str]) -> str:
    for values in product(SAMPLES, repeat=len(params)):
        try:
            return reverse(name, kwargs=dict(zip(params, values, strict=True)))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample value fits the parameters {params} of {name}")


def _named_paths() -> list[tuple[str, str]]:
    """(name, a path it reverses to) for each named URL and each of its forms (with and without parameters)."""
    named = []
    for name, possibilities in get_resolver().reverse_dict.lists():
        if isinstance(name, str):  # the view functions are keys too
            named += [(name, _sample_path(name, bits[0][1])) for bits, *_ in possibilities]
    return named


def test_every_named_url_resolves_to_itself():
    named = _named_paths()
    assert len(named) > 40
    assert [(name, path, resolve(path).url_name) for name, path in named if resolve(path).url_name != name] == []
