"""Interchange: the learner's cards as an Anki package, and the review log as CSV."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zlib
from pathlib import Path

import genanki

from cards.models import Card
from cards.selectors import review_log_rows

# Fixed ids: Anki recognises the note type and deck on re-import, and notes by their GUID, so a second
# import updates the cards instead of duplicating them.
MODEL_ID = 1_607_392_319
MODEL = genanki.Model(
    MODEL_ID,
    "DeepRecall card",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Concept"}],
    templates=[
        {
            "name": "Card",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<div class="concept">{{Concept}}</div>',
        }
    ],
    css=".card { font-family: sans-serif; font-size: 18px; } .concept { color: #888; font-size: 13px; }",
)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"\$(.+?)\$")


def to_mathjax(text: str) -> str:
    """$$...$$ and $...$ become Anki's MathJax delimiters \\[...\\] and \\(...\\); newlines become <br>."""
    text = DISPLAY_MATH.sub(lambda m: f"\\[{m.group(1)}\\]", text)
    text = INLINE_MATH.sub(lambda m: f"\\({m.group(1)}\\)", text)
    return text.replace("\n", "<br>")


def anki_package(owner) -> bytes:
    deck = genanki.Deck(_deck_id(owner.pk), "DeepRecall")
    for card in Card.objects.filter(owner=owner).select_related("concept").order_by("id"):
        deck.add_note(
            genanki.Note(
                model=MODEL,
                fields=[
                    to_mathjax(card.front),
                    to_mathjax(card.back),
                    f"{card.concept.title} ({card.concept.title_zh})",
                ],
                guid=genanki.guid_for("deeprecall", owner.pk, card.key),
                tags=[f"deeprecall::{card.concept.area}", f"concept::{card.concept.slug}", f"kind::{card.kind}"],
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deeprecall.apkg"
        genanki.Package(deck).write_to_file(path)
        return path.read_bytes()


def _deck_id(user_id: int) -> int:
    return 1 << 30 | zlib.crc32(f"deeprecall-deck-{user_id}".encode())


CSV_HEADER = ("card_id", "reviewed_at", "rating", "duration_ms", "state_before", "state_after", "due_after")


def reviews_csv(owner) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for card_id, reviewed_at, rating, duration, before, after, due in review_log_rows(owner):
        writer.writerow(
            (
                card_id,
                reviewed_at.isoformat(),
                rating,
                "" if duration is None else duration,
                before,
                after,
                due.isoformat(),
            )
        )
    return buffer.getvalue()
