"""Small SVG charts written as text, without a plotting library.

`ix prove` draws one chart per run (report.py); importing and running matplotlib for it
cost about a second of every run, more than the fold and verification together. An SVG
of a few panels (axes with round ticks, points, lines, bars, a legend) is a few
kilobytes of text, opens in any browser and costs milliseconds.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

#: panel margins in pixels: room for tick labels and axis titles
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 34, 52
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


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


def _num(v: float) -> str:
    return f"{v:.6g}"


class Svg:
    """A canvas of `width` x `height` pixels holding panels side by side and a title."""

    def __init__(self, width: int, height: int, title: str = ""):
        self.width, self.height = width, height
        self.parts: list[str] = [f'<rect width="{width}" height="{height}" fill="white"/>']
        self._clips = 0
        if title:
            self.text(width / 2, 18, title, size=13)

    def text(self, x: float, y: float, s: str, *, size: int = 11, anchor: str = "middle", rotate: bool = False) -> None:
        turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{turn}>{escape(s)}</text>')

    def clip(self, x: float, y: float, w: float, h: float) -> str:
        """A clip path id for the rectangle (lines past a panel's range stop at its edge)."""
        self._clips += 1
        cid = f"clip{self._clips}"
        self.parts.append(f'<clipPath id="{cid}"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"/></clipPath>')
        return cid

    def save(self, path: str | Path) -> None:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" font-family="sans-serif">')
        Path(path).write_text("\n".join([head, *self.parts, "</svg>"]) + "\n")


class Panel:
    """One plot of an Svg in the horizontal slot [left, left + width): a numeric x axis
    from 0 to `x_top`, or one slot per label of `categories`; y from 0 to `y_top`."""

    def __init__(self, svg: Svg, left: float, width: float, *, x_top: float = 1.0, y_top: float,
                 title: str, xlabel: str, ylabel: str, categories: Sequence[str] | None = None):
        self.svg = svg
        self.x0, self.x1 = left + _LEFT, left + width - _RIGHT
        self.y0, self.y1 = svg.height - _BOTTOM, _TOP + 12
        self.x_ticks = None if categories is not None else nice_ticks(x_top)
        self.y_ticks = nice_ticks(y_top)
        self.x_top = self.x_ticks[-1] if self.x_ticks and self.x_ticks[-1] >= x_top else x_top
        self.y_top = self.y_ticks[-1] if self.y_ticks[-1] >= y_top else y_top
        self.categories = list(categories) if categories is not None else None
        self._legend: list[tuple[str, str, str]] = []  # (mark: "point" or an SVG dash attribute, colour, label)
        self._frame(title, xlabel, ylabel)
        self.clip = svg.clip(self.x0, self.y1, self.x1 - self.x0, self.y0 - self.y1)

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
        svg, add = self.svg, self.svg.parts.append
        for t in self.y_ticks:
            y = self.sy(t)
            add(f'<line x1="{self.x0:.1f}" y1="{y:.1f}" x2="{self.x1:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>')
            svg.text(self.x0 - 4, y + 4, _num(t), size=10, anchor="end")
        if self.x_ticks is not None:
            for t in self.x_ticks:
                x = self.sx(t)
                add(f'<line x1="{x:.1f}" y1="{self.y0:.1f}" x2="{x:.1f}" y2="{self.y0 + 4:.1f}" stroke="black"/>')
                svg.text(x, self.y0 + 16, _num(t), size=10)
        else:
            labels = self.categories or []
            every = max(1, math.ceil(len(labels) / 25))  # readable with hundreds of shards
            for i in range(0, len(labels), every):
                svg.text(self.slot(i)[0], self.y0 + 16, labels[i], size=10)
        add(f'<rect x="{self.x0:.1f}" y="{self.y1:.1f}" width="{self.x1 - self.x0:.1f}" height="{self.y0 - self.y1:.1f}" '
            'fill="none" stroke="black"/>')
        svg.text((self.x0 + self.x1) / 2, self.y1 - 8, title, size=12)
        svg.text((self.x0 + self.x1) / 2, self.y0 + 38, xlabel)
        svg.text(self.x0 - 46, (self.y0 + self.y1) / 2, ylabel, rotate=True)

    def points(self, xs: Sequence[float], ys: Sequence[float], labels: Sequence[str] = (), *, legend: str = "",
               color: str = _COLORS[0]) -> None:
        add = self.svg.parts.append
        for x, y in zip(xs, ys):
            add(f'<circle cx="{self.sx(x):.1f}" cy="{self.sy(y):.1f}" r="3.5" fill="{color}"/>')
        for x, y, s in zip(xs, ys, labels):
            self.svg.text(self.sx(x) + 4, self.sy(y) - 4, s, size=9, anchor="start")
        if legend:
            self._legend.append(("point", color, legend))

    def line(self, x_a: float, y_a: float, x_b: float, y_b: float, *, legend: str = "", color: str = "black",
             dashed: bool = False) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.svg.parts.append(
            f'<line x1="{self.sx(x_a):.1f}" y1="{self.sy(y_a):.1f}" x2="{self.sx(x_b):.1f}" y2="{self.sy(y_b):.1f}" '
            f'stroke="{color}" stroke-width="1.2"{dash} clip-path="url(#{self.clip})"/>')
        if legend:
            self._legend.append((dash, color, legend))

    def bars(self, values: Sequence[float], *, color: str = _COLORS[0]) -> None:
        add = self.svg.parts.append
        for i, v in enumerate(values):
            centre, w = self.slot(i)
            top = self.sy(v)
            add(f'<rect x="{centre - 0.4 * w:.1f}" y="{top:.1f}" width="{0.8 * w:.1f}" height="{self.y0 - top:.1f}" fill="{color}"/>')

    def legend(self) -> None:
        """The legend entries given so far, top left inside the panel."""
        x = self.x0 + 10
        for k, (mark, color, label) in enumerate(self._legend):
            y = self.y1 + 14 + 15 * k
            self.svg.parts.append(
                f'<circle cx="{x + 8:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>' if mark == "point"
                else f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 16:.1f}" y2="{y:.1f}" stroke="{color}"{mark}/>')
            self.svg.text(x + 22, y + 4, label, size=10, anchor="start")
