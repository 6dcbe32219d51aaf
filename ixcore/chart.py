"""Small PNG charts drawn with Pillow, without a plotting library.

`ix prove` draws one chart per run (report.py); importing and running matplotlib for it
cost about a second of every run, more than the fold and verification together. Pillow
(already installed: matplotlib depends on it) draws a few panels (axes with round ticks,
points, lines, bars, a legend) in milliseconds. Everything is drawn at twice the size and
box-filtered down once, which smooths lines and text.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

#: panel margins in pixels: room for tick labels and axis titles
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 34, 52
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
_SCALE = 2  # drawn at twice the size, then scaled down (anti-aliasing)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round multiples (1, 2, 2.5 or 5 x 10^k) up to `top`."""
    top = top if top > 0 else 1.0
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line of ys on xs; None with fewer than two distinct xs."""
    if len(set(xs)) < 2:
        return None
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - slope * mx, slope


def clip_segment(a: tuple[float, float], b: tuple[float, float], box: tuple[float, float, float, float]):
    """The part of segment a-b inside box (x0, y0, x1, y1), or None (Liang-Barsky)."""
    (xa, ya), (xb, yb) = a, b
    dx, dy = xb - xa, yb - ya
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, xa - box[0]), (dx, box[2] - xa), (-dy, ya - box[1]), (dy, box[3] - ya)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
    if lo > hi:
        return None
    return (xa + lo * dx, ya + lo * dy), (xa + hi * dx, ya + hi * dy)


def _num(v: float) -> str:
    return f"{v:.6g}"


class Canvas:
    """A white image of `width` x `height` pixels holding panels side by side and a title."""

    def __init__(self, width: int, height: int, title: str = ""):
        from PIL import Image, ImageDraw

        self.width, self.height = width, height
        self.image = Image.new("RGB", (width * _SCALE, height * _SCALE), "white")
        self.draw = ImageDraw.Draw(self.image)
        self._fonts: dict[int, object] = {}
        if title:
            self.text(width / 2, 18, title, size=13)

    def _font(self, size: int):
        from PIL import ImageFont

        if size not in self._fonts:
            self._fonts[size] = ImageFont.load_default(size=size * _SCALE)
        return self._fonts[size]

    def text(self, x: float, y: float, s: str, *, size: int = 11, anchor: str = "middle", rotate: bool = False) -> None:
        """Text whose baseline sits at y, anchored at x ("start", "middle" or "end")."""
        font = self._font(size)
        pil_anchor = {"start": "l", "middle": "m", "end": "r"}[anchor] + "s"
        if not rotate:
            self.draw.text((x * _SCALE, y * _SCALE), s, fill="black", font=font, anchor=pil_anchor)
            return
        from PIL import Image, ImageDraw

        left, top, right, bottom = self.draw.textbbox((0, 0), s, font=font, anchor="ls")
        label = Image.new("RGBA", (int(right - left) + 2, int(bottom - top) + 2), (255, 255, 255, 0))
        ImageDraw.Draw(label).text((-left + 1, -top + 1), s, fill="black", font=font, anchor="ls")
        label = label.rotate(90, expand=True)
        self.image.paste(label, (int(x * _SCALE - label.width), int(y * _SCALE - label.height / 2)), label)

    def line(self, a: tuple[float, float], b: tuple[float, float], *, color: str = "black", width: float = 1.0,
             dashed: bool = False) -> None:
        (xa, ya), (xb, yb) = a, b
        w = max(1, round(width * _SCALE))
        if not dashed:
            self.draw.line([(xa * _SCALE, ya * _SCALE), (xb * _SCALE, yb * _SCALE)], fill=color, width=w)
            return
        length = math.hypot(xb - xa, yb - ya)
        on, off = 5.0, 4.0
        t = 0.0
        while t < length:
            t1 = min(t + on, length)
            p = (xa + (xb - xa) * t / length, ya + (yb - ya) * t / length)
            q = (xa + (xb - xa) * t1 / length, ya + (yb - ya) * t1 / length)
            self.draw.line([(p[0] * _SCALE, p[1] * _SCALE), (q[0] * _SCALE, q[1] * _SCALE)], fill=color, width=w)
            t = t1 + off

    def circle(self, x: float, y: float, r: float, color: str) -> None:
        self.draw.ellipse([(x - r) * _SCALE, (y - r) * _SCALE, (x + r) * _SCALE, (y + r) * _SCALE], fill=color)

    def rect(self, x0: float, y0: float, x1: float, y1: float, *, fill: str | None = None,
             outline: str | None = None) -> None:
        self.draw.rectangle([x0 * _SCALE, y0 * _SCALE, x1 * _SCALE, y1 * _SCALE], fill=fill, outline=outline,
                            width=_SCALE if outline else 0)

    def save(self, path: str | Path) -> None:
        # box-filtered down to the final size; fast zlib level: the chart is on the run's path
        self.image.reduce(_SCALE).save(path, format="PNG", compress_level=1)


class Panel:
    """One plot of a Canvas in the horizontal slot [left, left + width): a numeric x axis
    from 0 to `x_top`, or one slot per label of `categories`; y from 0 to `y_top`."""

    def __init__(self, canvas: Canvas, left: float, width: float, *, x_top: float = 1.0, y_top: float,
                 title: str, xlabel: str, ylabel: str, categories: Sequence[str] | None = None):
        self.canvas = canvas
        self.x0, self.x1 = left + _LEFT, left + width - _RIGHT
        self.y0, self.y1 = canvas.height - _BOTTOM, _TOP + 12
        self.x_ticks = None if categories is not None else nice_ticks(x_top)
        self.y_ticks = nice_ticks(y_top)
        self.x_top = self.x_ticks[-1] if self.x_ticks and self.x_ticks[-1] >= x_top else x_top
        self.y_top = self.y_ticks[-1] if self.y_ticks[-1] >= y_top else y_top
        self.categories = list(categories) if categories is not None else None
        self._legend: list[tuple[bool | None, str, str]] = []  # (None: a point, else dashed?, colour, label)
        self._frame(title, xlabel, ylabel)

    def sx(self, x: float) -> float:
        return self.x0 + (self.x1 - self.x0) * x / (self.x_top or 1.0)

    def sy(self, y: float) -> float:
        return self.y0 - (self.y0 - self.y1) * y / (self.y_top or 1.0)

    def slot(self, i: int) -> tuple[float, float]:
        """Centre and width of category `i`."""
        assert self.categories is not None
        w = (self.x1 - self.x0) / max(1, len(self.categories))
        return self.x0 + (i + 0.5) * w, w

    def _frame(self, title: str, xlabel: str, ylabel: str) -> None:
        c = self.canvas
        for t in self.y_ticks:
            y = self.sy(t)
            c.line((self.x0, y), (self.x1, y), color="#e6e6e6")
            c.text(self.x0 - 4, y + 4, _num(t), size=10, anchor="end")
        if self.x_ticks is not None:
            for t in self.x_ticks:
                x = self.sx(t)
                c.line((x, self.y0), (x, self.y0 + 4))
                c.text(x, self.y0 + 16, _num(t), size=10)
        else:
            labels = self.categories or []
            every = max(1, math.ceil(len(labels) / 25))  # readable with hundreds of shards
            for i in range(0, len(labels), every):
                c.text(self.slot(i)[0], self.y0 + 16, labels[i], size=10)
        c.rect(self.x0, self.y1, self.x1, self.y0, outline="black")
        c.text((self.x0 + self.x1) / 2, self.y1 - 8, title, size=12)
        c.text((self.x0 + self.x1) / 2, self.y0 + 38, xlabel)
        c.text(self.x0 - 40, (self.y0 + self.y1) / 2, ylabel, rotate=True)

    def points(self, xs: Sequence[float], ys: Sequence[float], labels: Sequence[str] = (), *, legend: str = "",
               color: str = _COLORS[0]) -> None:
        for x, y in zip(xs, ys):
            self.canvas.circle(self.sx(x), self.sy(y), 3.5, color)
        for x, y, s in zip(xs, ys, labels):
            self.canvas.text(self.sx(x) + 4, self.sy(y) - 4, s, size=9, anchor="start")
        if legend:
            self._legend.append((None, color, legend))

    def line(self, x_a: float, y_a: float, x_b: float, y_b: float, *, legend: str = "", color: str = "black",
             dashed: bool = False) -> None:
        seg = clip_segment((self.sx(x_a), self.sy(y_a)), (self.sx(x_b), self.sy(y_b)), (self.x0, self.y1, self.x1, self.y0))
        if seg is not None:
            self.canvas.line(*seg, color=color, width=1.2, dashed=dashed)
        if legend:
            self._legend.append((dashed, color, legend))

    def bars(self, values: Sequence[float], *, color: str = _COLORS[0]) -> None:
        for i, v in enumerate(values):
            centre, w = self.slot(i)
            self.canvas.rect(centre - 0.4 * w, self.sy(v), centre + 0.4 * w, self.y0, fill=color)

    def legend(self) -> None:
        """The legend entries given so far, top left inside the panel."""
        x = self.x0 + 10
        for k, (dashed, color, label) in enumerate(self._legend):
            y = self.y1 + 14 + 15 * k
            if dashed is None:
                self.canvas.circle(x + 8, y, 3.5, color)
            else:
                self.canvas.line((x, y), (x + 16, y), color=color, dashed=dashed)
            self.canvas.text(x + 22, y + 4, label, size=10, anchor="start")
