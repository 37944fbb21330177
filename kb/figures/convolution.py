"""Figures of convolutions: the sliding window, padding and stride, pooling, dilation, transposed convolution."""

from __future__ import annotations

import numpy as np

from kb.figures.base import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    LIGHT,
    ORANGE,
    PINK,
    SKY,
    YELLOW,
    arrow,
    canvas,
    figure,
    grid,
    label,
    outline,
    tint,
)


@figure("conv-sliding-window")
def conv_sliding_window():
    image = np.array([[3, 0, 1, 2, 7], [1, 5, 8, 9, 3], [2, 7, 2, 5, 1], [0, 1, 3, 1, 7], [4, 2, 1, 6, 2]])
    kernel = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    out = np.array([[sum((image[i : i + 3, j : j + 3] * kernel).ravel()) for j in range(3)] for i in range(3)])
    fig, ax = canvas(4.0, (-0.3, 15.7), (-2.4, 5.6))
    at = (0, 1)  # the window drawn: output row 0, column 1
    window = {(at[0] + r, at[1] + c): tint(BLUE) for r in range(3) for c in range(3)}
    grid(ax, 0, 5, image, fill=window)
    outline(ax, at[1], 5 - at[0], 3, 3, BLUE, lw=3.5)
    label(ax, 2.5, 5.35, "input  5 x 5  (n = 5)")
    label(ax, 6.2, 2.5, "*", fontsize=22)
    grid(ax, 7, 4, kernel, fill={(r, c): tint(ORANGE) for r in range(3) for c in range(3)})
    label(ax, 8.5, 4.35, "kernel 3 x 3 (f = 3)")
    label(ax, 10.7, 2.5, "=", fontsize=22)
    grid(ax, 11.8, 4, out, fill={at: tint(GREEN, 0.45)})
    outline(ax, 11.8 + at[1], 4 - at[0], 1, 1, GREEN, lw=3.5)
    label(ax, 13.3, 4.35, "output 3 x 3")
    arrow(ax, (4.0, 4.1), (12.95, 3.6), colour=BLUE, rad=-0.25, shrink=2)
    patch = image[at[0] : at[0] + 3, at[1] : at[1] + 3]
    terms = " + ".join(f"{v}" if k == 1 else f"(-{v})" for v, k in zip(patch.ravel(), kernel.ravel(), strict=True) if k)
    label(ax, 7.7, -0.55, f"one output = sum of window x kernel:  {terms} = {out[at]}", fontsize=11.5)
    label(
        ax,
        7.7,
        -1.6,
        "slide by stride s = 1:   output size = (n - f) / s + 1 = (5 - 3) / 1 + 1 = 3",
        fontsize=12.5,
        weight="bold",
    )
    return fig


@figure("padding-stride")
def padding_stride():
    fig, ax = canvas(4.3, (-0.4, 15.6), (-2.1, 7.9))
    n, p, s, f = 5, 1, 2, 3
    size = n + 2 * p
    fill = {(r, c): LIGHT for r in range(size) for c in range(size)}
    fill.update({(r, c): "white" for r in range(p, p + n) for c in range(p, p + n)})
    fill.update({(r, c): tint(BLUE, 0.3) for r in range(f) for c in range(f)})
    grid(ax, 0, 7, np.full((size, size), np.nan), fill=fill, text=False)
    for r in range(size):
        for c in range(size):
            if not (p <= r < p + n and p <= c < p + n):
                label(ax, c + 0.5, 7 - r - 0.5, "0", colour="#777777", fontsize=11)
    outline(ax, p, 7 - p, n, n, BLACK, lw=2.2)
    outline(ax, 0, 7, f, f, BLUE, lw=3)
    outline(ax, s + 0.08, 7 - 0.08, f - 0.16, f - 0.16, ORANGE, lw=3, ls="--")
    outline(ax, 0.08, 7 - s - 0.08, f - 0.16, f - 0.16, GREEN, lw=3, ls=":")
    arrow(ax, (0.5, 7.25), (2.5, 7.25), colour=ORANGE, lw=1.6)
    label(ax, 1.5, 7.6, "s = 2", colour=ORANGE, fontsize=11)
    label(ax, 4.9, 7.45, "padded input 7 x 7", fontsize=11.5, ha="left")
    label(ax, 3.5, -0.35, "grey zeros: padding p = 1 around the 5 x 5 input", fontsize=10.5, colour="#333333")
    arrow(ax, (7.4, 3.5), (9.6, 3.5))
    label(ax, 8.5, 4.0, "3 x 3 kernel", fontsize=11)
    out = (n + 2 * p - f) // s + 1
    out_fill = {(0, 0): tint(BLUE, 0.45), (0, 1): tint(ORANGE, 0.45), (1, 0): tint(GREEN, 0.45)}
    grid(ax, 10.5, 5.5, np.full((out, out), np.nan), cell=1.3, fill=out_fill, text=False)
    label(ax, 12.45, 5.9, "output 3 x 3")
    label(
        ax,
        12.45,
        0.9,
        "each window position\n(stride 2 right or down)\ngives one output",
        fontsize=10.5,
        colour="#333333",
    )
    label(
        ax,
        7.4,
        -1.5,
        "output size = floor((n + 2p - f) / s) + 1 = floor((5 + 2 - 3) / 2) + 1 = 3",
        fontsize=12.5,
        weight="bold",
    )
    return fig


@figure("pooling-max-average")
def pooling():
    x = np.array([[1, 3, 2, 1], [4, 6, 5, 7], [3, 1, 1, 0], [1, 2, 2, 4]])
    colours = {(0, 0): BLUE, (0, 1): ORANGE, (1, 0): GREEN, (1, 1): PINK}
    fill = {(r, c): tint(colours[(r // 2, c // 2)], 0.3) for r in range(4) for c in range(4)}
    fig, ax = canvas(3.9, (-0.3, 15.3), (-1.5, 5.8))
    grid(ax, 0, 4.5, x, fill=fill)
    for (r, c), colour in colours.items():
        outline(ax, 2 * c, 4.5 - 2 * r, 2, 2, colour, lw=2.5)
    label(ax, 2, 4.95, "input 4 x 4")
    label(ax, 2, -0.45, "2 x 2 windows, stride 2", fontsize=11)
    big = {(r, c): tint(colours[(r, c)], 0.45) for r in range(2) for c in range(2)}
    blocks = x.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
    grid(ax, 7.2, 5.0, blocks.max(axis=2), cell=1.2, fill=big)
    label(ax, 8.4, 5.4, "max pooling")
    label(ax, 8.4, 2.15, "keeps the strongest\nresponse", fontsize=10.5, colour="#444444")
    grid(ax, 11.9, 5.0, blocks.mean(axis=2), cell=1.2, fill=big, fmt="{:.2f}")
    label(ax, 13.1, 5.4, "average pooling")
    label(ax, 13.1, 2.15, "keeps the mean\nresponse", fontsize=10.5, colour="#444444")
    arrow(ax, (4.3, 3.3), (7.0, 3.9), rad=-0.15)
    arrow(ax, (4.3, 2.9), (11.7, 2.9), rad=0.35)
    label(ax, 7.6, -1.0, "no weights to learn; each channel is pooled on its own", fontsize=11.5)
    return fig


@figure("dilated-convolution")
def dilated():
    fig, ax = canvas(4.3, (-0.5, 16.5), (-1.6, 8.6))
    n = 7
    for k, d in enumerate((1, 2)):
        x0 = k * 8.8
        centre = 3
        taps = {(centre + d * i, centre + d * j) for i in (-1, 0, 1) for j in (-1, 0, 1)}
        field = 2 * d + 1
        fill = {
            (r, c): tint(SKY, 0.25) for r in range(n) for c in range(n) if abs(r - centre) <= d and abs(c - centre) <= d
        }
        fill.update({t: BLUE for t in taps})
        grid(ax, x0, 7.5, np.zeros((n, n)), fill=fill, text=False, edge=GREY)
        outline(ax, x0 + centre - d, 7.5 - (centre - d), field, field, ORANGE, lw=2.6, ls="--")
        label(ax, x0 + 3.5, 8.0, f"dilation d = {d}", weight="bold")
        k_eff = 3 + 2 * (d - 1)
        label(ax, x0 + 3.5, -0.15, f"3 x 3 kernel covers {k_eff} x {k_eff}", fontsize=11.5)
    label(ax, 7.95, -1.15, "blue: the 9 weighted inputs;  dashed: effective kernel k + (k - 1)(d - 1)", fontsize=11.5)
    return fig


@figure("transposed-convolution")
def transposed():
    x = np.array([[1, 2], [3, 4]])
    colours = [[BLUE, ORANGE], [GREEN, PINK]]
    out = np.zeros((5, 5))
    for r in range(2):
        for c in range(2):
            out[2 * r : 2 * r + 3, 2 * c : 2 * c + 3] += x[r, c]
    fig, ax = canvas(4.6, (-0.4, 16.6), (-2.2, 6.6))
    grid(ax, 0, 4.2, x, cell=1.2, fill={(r, c): tint(colours[r][c], 0.45) for r in range(2) for c in range(2)})
    label(ax, 1.2, 4.75, "input 2 x 2")
    grid(ax, 0.3, 0.9, np.ones((3, 3)), cell=0.6, fontsize=9, fill={(r, c): LIGHT for r in range(3) for c in range(3)})
    label(ax, 1.2, 1.35, "kernel 3 x 3 (ones)", fontsize=10.5)
    arrow(ax, (3.0, 2.9), (5.6, 2.9))
    label(ax, 4.3, 3.35, "stride 2", fontsize=11)
    x0, y0, cell = 6.2, 5.6, 1.1
    counts = np.zeros((5, 5), dtype=int)
    for r in range(2):
        for c in range(2):
            counts[2 * r : 2 * r + 3, 2 * c : 2 * c + 3] += 1
    fill = {
        (r, c): (LIGHT if counts[r, c] == 1 else tint(YELLOW, 0.6 if counts[r, c] == 2 else 1.0))
        for r in range(5)
        for c in range(5)
    }
    grid(ax, x0, y0, out.astype(int), cell=cell, fill=fill)
    dashes = ["-", "--", ":", "-."]
    for r in range(2):
        for c in range(2):
            inset = 0.07 * (2 * r + c)
            outline(
                ax,
                x0 + 2 * c * cell + inset,
                y0 - 2 * r * cell - inset,
                3 * cell - 2 * inset,
                3 * cell - 2 * inset,
                colours[r][c],
                lw=2.6,
                ls=dashes[2 * r + c],
            )
    label(ax, x0 + 2.5 * cell, y0 + 0.4, "output 5 x 5")
    label(
        ax,
        14.7,
        4.3,
        "each input value\nwrites a scaled\ncopy of the kernel;\noverlaps add up",
        fontsize=10.5,
        colour="#333333",
    )
    label(
        ax,
        14.7,
        1.6,
        "yellow: cells\nreached by 2 or 4\ncopies (uneven:\ncheckerboard)",
        fontsize=10.5,
        colour="#333333",
    )
    label(ax, 7.8, -1.45, "output size = (n - 1) s - 2p + f = (2 - 1) x 2 - 0 + 3 = 5", fontsize=12.5, weight="bold")
    return fig


# --- recurrent cells -------------------------------------------------------------------------------------------
