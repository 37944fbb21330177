"""Hooks through which apps above kb add to a concept's entry, so that kb imports none of them.

An app registers a finder in its AppConfig.ready(); kb calls the finders when it shows a concept.
"""

from collections.abc import Callable

DemoFinder = Callable[[str], list[dict]]  # concept slug -> [{"name", "title", "shows"}]
_demo_finders: list[DemoFinder] = []


def register_demo_finder(finder: DemoFinder) -> None:
    if finder not in _demo_finders:
        _demo_finders.append(finder)


def demos_for_concept(slug: str) -> list[dict]:
    """The demo trainings that make this concept visible, from every registered finder."""
    return [demo for finder in _demo_finders for demo in finder(slug)]
