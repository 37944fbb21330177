"""Figures of axes and boxes: batch vs layer normalisation, IoU, NMS, attention."""

from __future__ import annotations

import numpy as np

from kb.figures.base import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    SKY,
    TIMES,
    arrow,
    box,
    canvas,
    figure,
    label,
    line,
    outline,
    tint,
)


@figure("batch-vs-layer-norm")
def batch_vs_layer_norm():
    from matplotlib.patches import Polygon

    fig, ax = canvas(4.4, (-1.4, 17.4), (-1.9, 7.3))
    # An oblique-projected cube: x = channels C, y = batch N (downwards), depth = spatial H x W.
    nx, ny, nz = 6, 6, 4  # cells along C, N and H·W
    depth = np.array([0.45, 0.32])  # screen offset of one H·W step

    def face_poly(corner, u, v):
        return [corner, corner + u, corner + u + v, corner + v]

    def draw_cube(x0, shaded, title, caption):
        origin = np.array([x0, 5.0])
        ex, ey, ez = np.array([0.75, 0.0]), np.array([0.0, -0.75]), depth
        # front face (k = 0): cells (i = channel, j = sample)
        for i in range(nx):
            for j in range(ny):
                corner = origin + i * ex + j * ey
                fc = shaded["fill"] if shaded["test"](i, j) else "white"
                ax.add_patch(Polygon(face_poly(corner, ex, ey), closed=True, fc=fc, ec=GREY, lw=0.8, zorder=2))
        # top face (j = 0): cells (i = channel, k = spatial)
        for i in range(nx):
            for k in range(nz):
                corner = origin + i * ex + k * ez
                fc = tint(shaded["colour"], 0.55) if shaded["test"](i, 0) else "white"
                ax.add_patch(Polygon(face_poly(corner, ex, ez), closed=True, fc=fc, ec=GREY, lw=0.8, zorder=2))
        # right face (i = nx): cells (j = sample, k = spatial)
        for j in range(ny):
            for k in range(nz):
                corner = origin + nx * ex + j * ey + k * ez
                fc = tint(shaded["colour"], 0.55) if shaded["test"](nx - 1, j) else "white"
                ax.add_patch(Polygon(face_poly(corner, ey, ez), closed=True, fc=fc, ec=GREY, lw=0.8, zorder=2))
        label(ax, x0 + 2.25, 6.85, title, weight="bold", fontsize=13)
        label(ax, x0 + 2.25, -0.05, "C (channels / features)", fontsize=11)
        label(ax, x0 - 0.35, 2.75, "N (batch)", rotation=90, fontsize=11)
        corner = origin + nx * ex + ny * ey
        label(ax, corner[0] + 0.75, corner[1] + 0.35, "H, W", fontsize=11, rotation=35)
        label(ax, x0 + 2.25, -1.2, caption, fontsize=11)

    draw_cube(
        0.0,
        {"fill": tint(BLUE, 0.7), "colour": BLUE, "test": lambda i, j: i == 2},
        "Batch Norm",
        "one mean and variance per channel,\nover N, H, W (across the batch)",
    )
    draw_cube(
        9.3,
        {"fill": tint(ORANGE, 0.7), "colour": ORANGE, "test": lambda i, j: j == 2},
        "Layer Norm",
        "one mean and variance per example,\nover C, H, W (no batch dependence)",
    )
    return fig


# --- detection ------------------------------------------------------------------------------------------------


@figure("iou")
def iou():
    fig, ax = canvas(3.2, (-0.6, 21.0), (-2.0, 6.3))
    a, b = (0.0, 0.0, 4.0, 4.0), (2.0, 1.0, 6.0, 5.0)  # (x1, y1, x2, y2)
    ix = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    inter = area(ix)
    union = area(a) + area(b) - inter

    def boxes(x0, fill_inter, fill_union, title):
        if fill_union:
            for r in (a, b):
                outline(ax, x0 + r[0], r[3], r[2] - r[0], r[3] - r[1], "none", lw=0, fill=tint(SKY, 0.55), zorder=1)
        if fill_inter:
            outline(ax, x0 + ix[0], ix[3], ix[2] - ix[0], ix[3] - ix[1], "none", lw=0, fill=tint(ORANGE, 0.6), zorder=2)
        outline(ax, x0 + a[0], a[3], 4, 4, BLUE, lw=2.6)
        outline(ax, x0 + b[0], b[3], 4, 4, GREEN, lw=2.6, ls="--")
        label(ax, x0 + 3, 5.75, title, weight="bold")

    boxes(0.0, False, False, "boxes A and B")
    label(ax, 0.5, 3.5, "A", colour=BLUE, weight="bold", fontsize=14)
    label(ax, 5.5, 1.5, "B", colour=GREEN, weight="bold", fontsize=14)
    boxes(7.2, True, False, f"intersection = {inter:g}")
    boxes(14.4, False, True, f"union = {union:g}")
    label(ax, 3, -0.6, "each box 4 x 4 = 16", fontsize=11)
    label(ax, 10.2, -0.6, "overlap 2 x 3 = 6", fontsize=11)
    label(ax, 17.4, -0.6, "16 + 16 - 6 = 26", fontsize=11)
    label(
        ax,
        10.2,
        -1.5,
        f"IoU = intersection / union = {inter:g} / {union:g} = {inter / union:.2f}",
        fontsize=13,
        weight="bold",
    )
    return fig


@figure("nms")
def nms():
    fig, ax = canvas(4.2, (-0.4, 16.4), (-1.6, 6.6))
    # (x, y of the top-left corner, w, h, score, object); y upwards
    boxes = [
        (0.6, 4.7, 3.0, 3.4, 0.92, 0),
        (0.9, 5.0, 3.1, 3.5, 0.81, 0),
        (0.3, 4.4, 3.3, 3.0, 0.64, 0),
        (3.9, 4.0, 2.6, 3.2, 0.88, 1),
        (4.2, 4.4, 2.5, 3.5, 0.70, 1),
    ]
    kept = {0, 3}
    corners = ["top-left", "top-right", "bottom-left", "top-left", "bottom-right"]  # where each score is written
    for panel, x0 in enumerate((0.0, 8.9)):
        outline(ax, x0, 5.6, 7.1, 5.8, GREY, lw=1.2, zorder=1)
        label(
            ax, x0 + 3.55, 6.1, "before NMS: 5 boxes" if panel == 0 else "after NMS (IoU threshold 0.5)", weight="bold"
        )
        for k, (x, y, w, h, score, obj) in enumerate(boxes):
            colour = BLUE if obj == 0 else ORANGE
            if panel == 1 and k not in kept:
                outline(ax, x0 + x, y, w, h, GREY, lw=1.2, ls=":")
                continue
            outline(
                ax,
                x0 + x,
                y,
                w,
                h,
                colour,
                lw=2.6 if panel == 1 else 1.8,
                ls="-" if k in kept else ["--", ":", "-."][k % 3],
            )
            vertical, horizontal = corners[k].split("-")
            ax.text(
                x0 + x + (0.05 if horizontal == "left" else w - 0.05),
                y - 0.05 if vertical == "top" else y - h + 0.05,
                f"{score:.2f}",
                ha=horizontal,
                va="top" if vertical == "top" else "bottom",
                fontsize=10.5,
                color="white",
                bbox={"fc": colour, "ec": "none", "pad": 1.5},
                zorder=6,
            )
    arrow(ax, (7.3, 2.7), (8.7, 2.7))
    label(
        ax,
        8.0,
        -0.75,
        "keep the highest score, remove boxes overlapping it with IoU >= 0.5, repeat;\n"
        "dotted grey: suppressed duplicates",
        fontsize=11,
    )
    return fig


# --- attention ------------------------------------------------------------------------------------------------


@figure("attention")
def attention():
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    scores = np.array(
        [
            [2.0, 1.2, 0.2, 0.1, 0.5, 0.3],
            [0.6, 2.2, 1.4, 0.1, 0.2, 0.9],
            [0.1, 1.9, 1.6, 0.8, 0.1, 1.1],
            [0.1, 0.3, 1.0, 1.8, 0.7, 1.5],
            [0.4, 0.2, 0.1, 0.6, 1.8, 1.9],
            [0.2, 1.1, 0.8, 1.0, 1.4, 2.1],
        ]
    )
    weights = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    query = 2
    fig, ax = canvas(4.6, (-0.6, 16.6), (-1.7, 7.2))
    # Left: one query attends over every key.
    from matplotlib.patches import Rectangle

    qy = 4.9 - 2.5 * 0.78
    box(ax, 0.6, qy, 1.3, 0.6, "sat", fc=tint(ORANGE, 0.45), ec=ORANGE, fontsize=12)
    label(ax, 0.6, qy - 0.6, "query", fontsize=11)
    label(ax, 3.6, 5.75, "keys", fontsize=11)
    label(ax, 5.6, 5.75, "weights", fontsize=11)
    top = weights[query].max()
    for k, token in enumerate(tokens):
        y = 4.9 - k * 0.78
        w = weights[query, k]
        line(ax, [1.25, 2.95], [qy, y], colour=BLUE, lw=0.6 + 9 * w, zorder=1)
        box(ax, 3.6, y, 1.3, 0.58, token, fc=tint(BLUE, 0.3), ec=BLUE, fontsize=11)
        ax.add_patch(Rectangle((4.4, y - 0.2), 2.3 * w / top, 0.4, fc=BLUE, ec="none"))
        label(ax, 4.5 + 2.3 * w / top, y, f"{w:.2f}", ha="left", fontsize=10.5)
    label(ax, 3.8, -0.05, "weights = softmax(q · k / √d)", fontsize=11)
    label(ax, 3.8, -0.65, f"output = Σ weight {TIMES} value", fontsize=11)
    # Right: the whole attention map, the query's row outlined.
    x0, y0, cell = 10.1, 6.2, 0.8

    for r in range(6):
        for c in range(6):
            w = weights[r, c]
            ax.add_patch(
                Rectangle(
                    (x0 + c * cell, y0 - (r + 1) * cell),
                    cell,
                    cell,
                    fc=tint(BLUE, min(1.0, 1.6 * w)),
                    ec="white",
                    lw=1.0,
                )
            )
            label(
                ax,
                x0 + (c + 0.5) * cell,
                y0 - (r + 0.5) * cell,
                f"{w:.2f}"[1:],
                fontsize=9,
                colour="white" if w > 0.35 else BLACK,
            )
        label(ax, x0 - 0.15, y0 - (r + 0.5) * cell, tokens[r], ha="right", fontsize=10.5)
        label(ax, x0 + (r + 0.5) * cell, y0 + 0.15, tokens[r], va="bottom", rotation=45, fontsize=10.5)
    outline(ax, x0, y0 - query * cell, 6 * cell, cell, ORANGE, lw=3)
    label(ax, x0 - 1.3, y0 - 3.0 * cell, "queries", rotation=90, fontsize=11)
    label(ax, x0 + 3 * cell, y0 + 1.05, "keys", fontsize=11)
    label(ax, x0 + 3 * cell, 0.05, "attention map: each row sums to 1", fontsize=11)
    label(ax, 8.0, -1.3, "Attention(Q, K, V) = softmax(Q Kᵀ / √d) V", fontsize=12.5, weight="bold")
    return fig
