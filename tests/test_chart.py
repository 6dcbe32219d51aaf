"""The run report's SVG charts: round ticks, the least-squares line and a well-formed file."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest

from ixcore.chart import Panel, Svg, least_squares, nice_ticks


@pytest.mark.parametrize(("top", "ticks"), [
    (0.15, [0, 0.05, 0.1, 0.15]),
    (7.3, [0, 2, 4, 6]),
    (330000, [0, 100000, 200000, 300000]),
    (0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
])
def test_nice_ticks_are_round_and_within_top(top, ticks):
    assert nice_ticks(top) == pytest.approx(ticks)


def test_least_squares_recovers_a_line_and_needs_two_distinct_xs():
    a, b = least_squares([1.0, 2.0, 4.0], [3.0, 5.0, 9.0])
    assert (a, b) == pytest.approx((1.0, 2.0))
    assert least_squares([2.0, 2.0], [1.0, 3.0]) is None


def test_panels_write_parseable_svg_with_escaped_text(tmp_path):
    svg = Svg(900, 400, "a <b> & c")
    ax = Panel(svg, 0, 450, x_top=3, y_top=2, title="points", xlabel="x", ylabel="y")
    ax.points([1, 2], [1, 1.5], ["s0", "s1"], legend="shard")
    ax.line(0, 0, 3, 3, dashed=True, legend="y = x")
    ax.legend()
    Panel(svg, 450, 450, y_top=4, title="bars", xlabel="shard", ylabel="v", categories=["0", "1", "2"]).bars([1, 2, 4])
    svg.save(tmp_path / "c.svg")
    root = ElementTree.parse(tmp_path / "c.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "a <b> & c" in texts and {"points", "bars", "s0", "s1", "shard", "y = x"} <= set(texts)
    assert len(list(root.iter(f"{ns}circle"))) == 3  # two points and the legend mark
    bars = [float(r.get("height")) for r in root.iter(f"{ns}rect") if r.get("fill") == "#1f77b4"]
    assert len(bars) == 3 and bars[2] == pytest.approx(2 * bars[1]) and bars[1] == pytest.approx(2 * bars[0])
