"""Concepts that other apps say need practice now (e.g. flashcards due), for the adaptive quiz.

Apps register a provider in their AppConfig.ready(), so quizzes imports none of them.
"""

from collections.abc import Callable

ReviewNeed = Callable[[object], set[str]]  # owner -> concept slugs
_providers: list[ReviewNeed] = []


def register_review_need(provider: ReviewNeed) -> None:
    if provider not in _providers:
        _providers.append(provider)


def concepts_needing_review(owner) -> set[str]:
    return set().union(*(provider(owner) for provider in _providers))
