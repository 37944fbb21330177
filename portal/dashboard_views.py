"""``/`` for a learner: the dashboard. Cards due now, a 30-day forecast, the streak and a review heatmap, mastery
per area with its uncertainty, recent demo runs, and one Continue button (``study.selectors.next_step``). The
numbers come from ``cards.stats.stats`` and ``study.mastery.mastery``, the same functions as ``GET /api/stats/``;
the charts are drawn here as plain SVG, so the page needs no JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cards import selectors as card_selectors
from cards import stats
from demos.catalog import CATALOG
from demos.selectors import runs_of
from kb.models import Area
from study.mastery import mastery as study_mastery
from study.selectors import next_step

HEATMAP_WEEKS = 20
RECENT_RUNS = 5
# SVG geometry (user units); the CSS scales the drawings to the width of the page.
FORECAST = {"width": 600, "height": 150, "gap": 4}
CELL, CELL_GAP, DAY_LABELS = 14, 3, 28


def dashboard(request):
    owner = request.user
    numbers = stats.stats(owner)
    knowledge = study_mastery(owner)
    counts = card_selectors.due_counts(owner)
    today = timezone.localdate()
    per_day = {date.fromisoformat(row["date"]): row["reviews"] for row in numbers["reviews_per_day"]}
    context = {
        "step": next_step(owner, mastery=knowledge),
        "due": counts,
        "due_total": counts["new"] + counts["review"],
        "streak": numbers["streak_days"],
        "reviewed_today": per_day.get(today, 0),
        "retention": numbers["true_retention"],
        "forecast": forecast_chart(numbers["due_forecast"]),
        "heatmap": heatmap(per_day, today),
        "mastery": mastery_bars(knowledge["areas"]),
        "runs": recent_runs(owner),
    }
    return render(request, "portal/dashboard/dashboard.html", context)


def forecast_chart(forecast: list[dict]) -> dict:
    """Bars of the cards due each day of the next 30 days (today first, overdue cards counted today)."""
    width, height, gap = FORECAST["width"], FORECAST["height"], FORECAST["gap"]
    peak = max((day["due"] for day in forecast), default=0)
    slot = width / max(len(forecast), 1)
    bars = []
    for index, day in enumerate(forecast):
        bar_height = round(height * day["due"] / peak, 1) if peak else 0
        moment = date.fromisoformat(day["date"])
        bars.append(
            {
                "x": round(index * slot + gap / 2, 1),
                "y": round(height - bar_height, 1),
                "width": round(slot - gap, 1),
                "height": bar_height,
                "due": day["due"],
                "date": moment,
                "label": date_format(moment, "SHORT_DATE_FORMAT"),
                "today": index == 0,
            }
        )
    week = sum(day["due"] for day in forecast[:7])
    total = sum(day["due"] for day in forecast)
    summary = _(
        "%(week)d cards due in the next 7 days, %(total)d in the next 30 days; at most %(peak)d on one day."
    ) % {"week": week, "total": total, "peak": peak}
    return {"bars": bars, "peak": peak, "total": total, "summary": summary, "width": width, "height": height}


def heatmap(per_day: dict[date, int], today: date) -> dict:
    """The last ``HEATMAP_WEEKS`` weeks of reviews, a column per week (Monday at the top), darker for more."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=HEATMAP_WEEKS - 1)
    days = [first + timedelta(days=offset) for offset in range((today - first).days + 1)]
    peak = max((per_day.get(day, 0) for day in days), default=0)
    cells = []
    for offset, day in enumerate(days):
        count = per_day.get(day, 0)
        level = 1 + (4 * count - 1) // peak if count else 0  # 1-4: quarters of the busiest day
        week, weekday = divmod(offset, 7)
        label = ngettext("%(count)d review on %(date)s", "%(count)d reviews on %(date)s", count) % {
            "count": count,
            "date": date_format(day, "DATE_FORMAT"),
        }
        x, y = DAY_LABELS + week * (CELL + CELL_GAP), weekday * (CELL + CELL_GAP)
        cells.append({"x": x, "y": y, "level": level, "label": label})
    active = sum(1 for day in days if per_day.get(day))
    reviews = sum(per_day.get(day, 0) for day in days)
    summary = ngettext(
        "%(reviews)d reviews in the last %(weeks)d weeks, on %(active)d day.",
        "%(reviews)d reviews in the last %(weeks)d weeks, on %(active)d days.",
        active,
    ) % {"reviews": reviews, "weeks": HEATMAP_WEEKS, "active": active}
    rows = [(0, _("Mon")), (2, _("Wed")), (4, _("Fri"))]
    return {
        "cells": cells,
        "summary": summary,
        "width": DAY_LABELS + HEATMAP_WEEKS * (CELL + CELL_GAP),
        "height": 7 * (CELL + CELL_GAP),
        "cell": CELL,
        "rows": [{"y": row * (CELL + CELL_GAP) + CELL - 3, "label": label} for row, label in rows],
    }


def mastery_bars(areas: dict[str, dict]) -> list[dict]:
    """Every area in teaching order (``study.mastery``'s areas) as percentages: the estimate, its 90% interval
    (``low``, ``high``; None where nothing is studied yet), the label and how many concepts are studied."""
    rows = []
    for area, estimate in areas.items():
        low, high = estimate["interval"] or (None, None)
        rows.append(
            {
                "area": area,
                "title": _(Area(area).label),  # as the portal's other pages name it
                "percent": _percent(estimate["mastery"]),
                "low": _percent(low),
                "high": _percent(high),
                "spread": None if low is None else _percent(high) - _percent(low),
                "label": estimate["label"],
                "label_display": estimate["label_display"],
                "studied": estimate["studied"],
                "concepts": estimate["concepts"],
            }
        )
    return rows


def _percent(value: float | None) -> int | None:
    return None if value is None else round(100 * value)


def recent_runs(owner) -> list[dict]:
    return [
        {
            "run": run,
            "title": CATALOG[run.demo].title if run.demo in CATALOG else run.demo,
            "status": _(run.get_status_display()),
        }
        for run in runs_of(owner).order_by("-queued_at")[:RECENT_RUNS]
    ]
