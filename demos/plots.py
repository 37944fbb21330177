"""Draws a run's series as an SVG chart: one panel per series group, with axes, labels and a legend."""

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

MAX_LEGEND_ENTRIES = 12  # beyond this a legend hides the plot; such panels label their lines by colour groups


def render_svg(title: str, series: dict[str, dict]) -> str:
    panels = list(series.values())
    columns = min(len(panels), 2)
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(6.4 * columns, 4.2 * rows), layout="constrained")
    figure.suptitle(title)
    for index, panel in enumerate(panels, start=1):
        axes = figure.add_subplot(rows, columns, index)
        _draw_panel(axes, panel)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    return buffer.getvalue()


def _draw_panel(axes, panel: dict) -> None:
    lines = panel.get("lines", [])
    groups = list(dict.fromkeys(line["group"] for line in lines if line.get("group")))
    colours = {group: f"C{i % 10}" for i, group in enumerate(groups)}
    for line in lines:
        group = line.get("group")
        axes.plot(
            line["x"],
            line["y"],
            label=group or line.get("label", ""),
            color=colours.get(group),
            linewidth=1.5,
            marker="o" if len(line["x"]) <= 12 else None,
            markersize=3,
        )
    if panel.get("log_y") and any(y is not None and y > 0 for line in lines for y in line["y"]):
        axes.set_yscale("log")
    axes.set_title(panel.get("title", ""))
    axes.set_xlabel(panel.get("x_label", ""))
    axes.set_ylabel(panel.get("y_label", ""))
    axes.grid(True, alpha=0.3)
    handles = {h.get_label(): h for h in axes.get_lines() if h.get_label() and not h.get_label().startswith("_")}
    if 0 < len(handles) <= MAX_LEGEND_ENTRIES:  # one entry per label or group
        axes.legend(handles.values(), handles.keys(), fontsize="small")
