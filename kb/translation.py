"""A concept's prose in the reader's language: Chinese where the entry has it, English otherwise (and saying so).

Shared by the API (``?lang=zh`` / ``Accept-Language``) and the portal (the interface language).
"""

from __future__ import annotations

PROSE_FIELDS = ("summary", "body", "formulas", "pros", "cons", "corrections")


def _english(concept, field: str):
    if field == "formulas":
        return [formula["caption"] for formula in concept.formulas]
    value = getattr(concept, field)
    return list(value) if isinstance(value, list) else value


def concept_prose(concept, language: str, fields: tuple[str, ...] = PROSE_FIELDS) -> dict:
    """The ``fields`` in ``language`` ("en" or "zh"; formulas as their captions), plus ``language`` and
    ``untranslated``: the fields that fell back to English because the entry has no Chinese for them. Only the
    fields asked for are read, so a list that loaded only the summary stays one query."""
    prose = {field: _english(concept, field) for field in fields}
    untranslated = []
    if language == "zh":
        chinese = concept.zh or {}
        for field in fields:
            wanted, english = chinese.get(field), prose[field]
            if wanted and (not isinstance(english, list) or len(wanted) == len(english)):
                prose[field] = wanted
            elif english:
                untranslated.append(field)
    return {**prose, "language": "zh" if language == "zh" else "en", "untranslated": untranslated}
