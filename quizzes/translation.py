"""A question in the reader's language: its Chinese version where it has one, English otherwise.

Shared by the API (``?lang=zh`` / ``Accept-Language``) and the portal, and used by grading so that feedback
comes in the same language and Chinese answers to cloze blanks count.
"""

from __future__ import annotations


def localized(question, language: str) -> dict:
    """``prompt``, ``explanation``, ``spec`` (choice texts and feedback translated; cloze blanks accepting both
    languages, the reader's first) and ``language``: what the reader is shown for this question."""
    zh = question.zh or {}
    spec = dict(question.spec)
    if "blanks" in spec and zh.get("blanks"):
        extra = zh["blanks"]
        spec["blanks"] = [
            (chinese + english if language == "zh" else english + chinese) if chinese else english
            for english, chinese in zip(spec["blanks"], extra, strict=True)
        ]
    if language != "zh" or not zh.get("prompt"):
        return {"prompt": question.prompt, "explanation": question.explanation, "spec": spec, "language": "en"}
    if "choices" in spec:
        spec["choices"] = [{**choice, **zh.get("choices", {}).get(choice["key"], {})} for choice in spec["choices"]]
    if zh.get("unit"):
        spec["unit"] = zh["unit"]
    return {"prompt": zh["prompt"], "explanation": zh["explanation"], "spec": spec, "language": "zh"}
