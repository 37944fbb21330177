"""Figures of network parts: the LSTM and GRU cells, the residual block, dropout."""

from __future__ import annotations

from kb.figures.base import (
    AMBER,
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PINK,
    SIGMA,
    TIMES,
    arrow,
    box,
    canvas,
    dot,
    figure,
    label,
    line,
    node,
    tint,
)


@figure("lstm-cell")
def lstm_cell():
    fig, ax = canvas(4.6, (-1.2, 15.2), (-1.35, 7.1))
    box(ax, 7.0, 2.9, 12.6, 6.2, "", fc="#fbfbfb", ec=GREY, round_=0.4, zorder=0)
    top, bottom = 5.2, 0.4
    line(ax, [-0.8, 14.6], [top, top], colour=BLUE, lw=3.2)  # the cell state highway
    arrow(ax, (13.8, top), (14.8, top), colour=BLUE, lw=3.2)
    label(ax, -0.9, top + 0.45, "c(t-1)", colour=BLUE, ha="left", weight="bold")
    label(ax, 14.9, top + 0.45, "c(t)", colour=BLUE, ha="right", weight="bold")
    # Input: h(t-1) and x(t) are joined on the bottom line and feed the four layers.
    line(ax, [-0.8, 9.0], [bottom, bottom], lw=1.8)
    label(ax, -0.9, bottom - 0.45, "h(t-1)", ha="left")
    line(ax, [1.0, 1.0], [-1.1, bottom], lw=1.8)
    dot(ax, 1.0, bottom)
    label(ax, 1.0, -1.1, "x(t)", va="top")
    layers = [
        (2.0, SIGMA, ORANGE, "forget f"),
        (4.3, SIGMA, GREEN, "input i"),
        (6.0, "tanh", PINK, "candidate c~"),
        (8.3, SIGMA, AMBER, "output o"),
    ]
    for x, text, colour, name in layers:
        line(ax, [x, x], [bottom, 2.1], lw=1.6)
        box(ax, x, 2.45, 1.2 if text == "tanh" else 0.8, 0.7, text, fc=tint(colour, 0.45), ec=colour)
        label(ax, x + 0.12, 1.55, name, fontsize=10, colour="#333333", ha="left")
        dot(ax, x, bottom)
    # forget: multiply the cell state
    line(ax, [2.0, 2.0], [2.8, top - 0.3])
    node(ax, 2.0, top, TIMES)
    # input x candidate, then add
    line(ax, [4.3, 4.3], [2.8, 3.8])
    line(ax, [6.0, 6.0], [2.8, 3.8])
    node(ax, 5.15, 3.8, TIMES)
    line(ax, [4.3, 4.87], [3.8, 3.8])
    line(ax, [6.0, 5.43], [3.8, 3.8])
    line(ax, [5.15, 5.15], [4.08, top - 0.3])
    node(ax, 5.15, top, "+")
    # output: tanh(c) x o
    line(ax, [10.2, 10.2], [top, 3.65], colour=BLUE, lw=1.8)
    dot(ax, 10.2, top, BLUE)
    box(ax, 10.2, 3.3, 1.2, 0.6, "tanh", fc="white", ec=BLACK, fontsize=11)
    line(ax, [10.2, 10.2], [2.95, 2.75])
    node(ax, 10.2, 2.45, TIMES)
    line(ax, [8.3, 8.3, 9.92], [2.8, 2.8, 2.8])
    line(ax, [10.2, 10.2, 14.6], [2.17, bottom, bottom], lw=1.8)
    arrow(ax, (13.8, bottom), (14.8, bottom))
    label(ax, 14.9, bottom - 0.45, "h(t)", ha="right", weight="bold")
    label(
        ax, 7.0, 6.5, f"cell state: changed only by {TIMES} and +, so gradients flow along it", colour=BLUE, fontsize=11
    )
    label(ax, 2.0, -0.75, "c(t) = f ⊙ c(t-1) + i ⊙ c~", ha="left", fontsize=11.5)
    label(ax, 8.6, -0.75, "h(t) = o ⊙ tanh(c(t))", ha="left", fontsize=11.5)
    return fig


@figure("gru-cell")
def gru_cell():
    fig, ax = canvas(4.6, (-1.2, 15.2), (-1.35, 7.1))
    box(ax, 7.0, 2.9, 12.6, 6.2, "", fc="#fbfbfb", ec=GREY, round_=0.4, zorder=0)
    top, bottom = 5.2, 0.4
    line(ax, [-0.8, 14.6], [top, top], colour=BLUE, lw=3.2)
    arrow(ax, (13.8, top), (14.8, top), colour=BLUE, lw=3.2)
    label(ax, -0.9, top + 0.45, "h(t-1)", colour=BLUE, ha="left", weight="bold")
    label(ax, 14.9, top + 0.45, "h(t)", colour=BLUE, ha="right", weight="bold")
    line(ax, [0.3, 0.3], [top, bottom], colour=BLUE, lw=1.8)  # the old state also feeds the gates
    line(ax, [0.3, 9.6], [bottom, bottom], lw=1.8)
    line(ax, [1.0, 1.0], [-1.1, bottom], lw=1.8)
    label(ax, 1.0, -1.1, "x(t)", va="top")
    # reset gate r and update gate z
    for x, name, colour in ((2.2, "reset r", ORANGE), (4.4, "update z", GREEN)):
        line(ax, [x, x], [bottom, 2.1])
        box(ax, x, 2.45, 0.8, 0.7, SIGMA, fc=tint(colour, 0.45), ec=colour)
        label(ax, x + 0.12, 1.55, name, fontsize=10, colour="#333333", ha="left")
        dot(ax, x, bottom)
    dot(ax, 1.0, bottom)
    dot(ax, 0.3, top, BLUE)
    dot(ax, 8.5, 1.2)
    dot(ax, 4.4, 3.8)
    dot(ax, 2.2, top, BLUE)
    # z keeps the old state: h = z ⊙ h(t-1) + (1 - z) ⊙ h~
    line(ax, [4.4, 4.4], [2.8, top - 0.3])
    node(ax, 4.4, top, TIMES)
    label(ax, 4.65, 4.25, "z", fontsize=11, ha="left")
    line(ax, [4.4, 7.0], [3.8, 3.8])
    box(ax, 7.0, 3.8, 0.9, 0.55, "1 -", fc="white", fontsize=11)
    line(ax, [7.45, 10.9], [3.8, 3.8])
    node(ax, 10.9, 3.8, TIMES)
    label(ax, 9.3, 4.1, "1 - z", fontsize=11)
    line(ax, [10.9, 10.9], [4.08, top - 0.3])
    node(ax, 10.9, top, "+")
    # candidate: tanh(W x + U (r ⊙ h(t-1)))
    line(ax, [2.2, 2.2], [2.8, 3.3])
    node(ax, 2.2, 3.6, TIMES)
    line(ax, [2.2, 2.2], [3.88, top])
    line(ax, [2.5, 3.3, 3.3, 8.5, 8.5], [3.6, 3.6, 1.2, 1.2, 2.1])
    label(ax, 5.9, 1.0, "r ⊙ h(t-1)", fontsize=10, colour="#333333", va="top")
    line(ax, [8.5, 8.5], [bottom, 1.2], lw=1.6)
    box(ax, 8.5, 2.45, 1.2, 0.7, "tanh", fc=tint(PINK, 0.45), ec=PINK)
    label(ax, 8.5, 1.45 + 1.75, "candidate h~", fontsize=10, colour="#333333")
    line(ax, [9.1, 10.9, 10.9], [2.45, 2.45, 3.52])
    line(ax, [10.9, 10.9, 14.6], [top, top, top], colour=BLUE, lw=3.2)
    label(ax, 7.0, 6.5, "one state, two gates: z near 1 keeps the old state", colour=BLUE, fontsize=11)
    label(ax, 2.5, -0.75, "h(t) = z ⊙ h(t-1) + (1 - z) ⊙ h~", ha="left", fontsize=11.5)
    return fig


# --- architectures and regularisation ---------------------------------------------------------------------------


@figure("residual-block")
def residual_block():
    fig, ax = canvas(4.4, (-4.6, 11.4), (-0.6, 8.2))
    xs = 3.4
    label(ax, xs, 7.75, "x", weight="bold", fontsize=14)
    arrow(ax, (xs, 7.45), (xs, 6.75))
    box(ax, xs, 6.35, 4.3, 0.75, "weight layer (conv + BN)", fc=tint(BLUE, 0.3), ec=BLUE, fontsize=11)
    arrow(ax, (xs, 5.95), (xs, 5.3))
    box(ax, xs, 4.95, 1.6, 0.6, "ReLU", fc=tint(GREEN, 0.3), ec=GREEN, fontsize=11)
    arrow(ax, (xs, 4.63), (xs, 4.0))
    box(ax, xs, 3.6, 4.3, 0.75, "weight layer (conv + BN)", fc=tint(BLUE, 0.3), ec=BLUE, fontsize=11)
    arrow(ax, (xs, 3.2), (xs, 2.55))
    label(ax, xs - 0.3, 2.85, "F(x)", ha="right", fontsize=12, colour=BLUE)
    node(ax, xs, 2.25, "+", r=0.3, fontsize=15)
    line(ax, [xs, xs + 3.6, xs + 3.6, xs + 0.3], [7.2, 7.2, 2.25, 2.25], colour=ORANGE, lw=2.6)
    arrow(ax, (xs + 1.0, 2.25), (xs + 0.32, 2.25), colour=ORANGE, lw=2.6)
    label(ax, xs + 3.8, 4.8, "identity\nshortcut x", ha="left", colour=ORANGE, fontsize=12)
    arrow(ax, (xs, 1.93), (xs, 1.4))
    box(ax, xs, 1.05, 1.6, 0.6, "ReLU", fc=tint(GREEN, 0.3), ec=GREEN, fontsize=11)
    arrow(ax, (xs, 0.73), (xs, 0.1))
    label(ax, xs - 0.3, 1.7, "F(x) + x", ha="right", fontsize=12)
    label(ax, xs, -0.25, "ReLU(F(x) + x)", weight="bold", fontsize=13)
    label(ax, -4.4, 5.6, "The layers learn only\nthe residual F(x).", ha="left", fontsize=11.5)
    label(
        ax,
        -4.4,
        3.6,
        "If F(x) = 0 the block\nis the identity, so\nextra blocks cannot\nmake training worse.",
        ha="left",
        fontsize=11.5,
    )
    label(ax, -4.4, 1.2, "The shortcut adds 1 to\nthe gradient:\nd(F + x)/dx = F' + 1", ha="left", fontsize=11.5)
    return fig


@figure("dropout")
def dropout():
    fig, ax = canvas(4.4, (-0.6, 16.6), (-1.6, 6.9))
    layers = [4, 5, 5, 2]
    dropped = {(1, 1), (1, 3), (2, 0), (2, 2), (2, 4)}  # (layer, unit) of hidden units dropped in this step
    for panel, x0 in enumerate((0.0, 8.8)):
        positions = []
        for k, count in enumerate(layers):
            gap = 1.15
            y0 = 2.8 + gap * (count - 1) / 2
            positions.append([(x0 + k * 2.3, y0 - i * gap) for i in range(count)])
        for k in range(len(layers) - 1):
            for i, a in enumerate(positions[k]):
                for j, b in enumerate(positions[k + 1]):
                    off = panel == 1 and ((k, i) in dropped or (k + 1, j) in dropped)
                    if not off:
                        line(ax, [a[0], b[0]], [a[1], b[1]], colour=GREY, lw=0.9, zorder=1)
        for k, units in enumerate(positions):
            for i, (x, y) in enumerate(units):
                off = panel == 1 and (k, i) in dropped
                colour = BLUE if k == 0 else ORANGE if k == len(layers) - 1 else GREEN
                from matplotlib.patches import Circle

                ax.add_patch(
                    Circle(
                        (x, y),
                        0.32,
                        fc="white" if off else tint(colour, 0.45),
                        ec=GREY if off else colour,
                        lw=1.6,
                        ls="--" if off else "-",
                        zorder=3,
                    )
                )
                if off:
                    label(ax, x, y, TIMES, colour=ORANGE, fontsize=16, weight="bold")
        title = "standard network" if panel == 0 else "one training step with dropout"
        label(ax, x0 + 3.45, 6.45, title, weight="bold")
    label(
        ax,
        12.25,
        -0.75,
        "each step drops every hidden unit with\nprobability p (here 0.5) and scales the\nkept ones by 1 / (1 - p)",
        fontsize=11,
    )
    label(ax, 3.45, -0.55, "at test time all units are used\n(no dropping, no scaling)", fontsize=11)
    return fig
