"""The run report's PNG charts: round ticks, the least-squares line, clipping, and an image
whose bars and points are where the data puts them."""
from __future__ import annotations

import pytest
from PIL import Image

from ixcore.chart import Canvas, Panel, clip_segment, least_squares, nice_ticks


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


def test_clip_segment_keeps_the_part_inside_the_panel():
    box = (0.0, 0.0, 10.0, 10.0)
    (a, b) = clip_segment((-5, 5), (15, 5), box)
    assert [*a, *b] == pytest.approx([0, 5, 10, 5])
    (a, b) = clip_segment((2, 2), (3, 3), box)
    assert [*a, *b] == pytest.approx([2, 2, 3, 3])
    assert clip_segment((-5, -5), (-1, 20), box) is None


def _column_height(img, x, rgb):
    """Pixels of colour rgb in column x (bars are solid, so this is a bar's height)."""
    return sum(img.getpixel((x, y)) == rgb for y in range(img.height))


def test_panels_draw_bars_and_points_where_the_data_says(tmp_path):
    canvas = Canvas(900, 400, "a <b> & c")
    ax = Panel(canvas, 0, 450, x_top=3, y_top=2, title="points", xlabel="x", ylabel="y")
    ax.points([1, 2], [1, 1.5], ["s0", "s1"], legend="shard", color="#d62728")
    ax.line(0, 0, 3, 3, dashed=True, legend="y = x")
    ax.legend()
    bars = Panel(canvas, 450, 450, y_top=4, title="bars", xlabel="shard", ylabel="v", categories=["0", "1", "2"])
    bars.bars([1, 2, 4], color="#1f77b4")
    canvas.save(tmp_path / "c.png")
    img = Image.open(tmp_path / "c.png").convert("RGB")
    assert img.size == (900, 400)
    blue = (0x1F, 0x77, 0xB4)
    heights = [_column_height(img, round(bars.slot(i)[0]), blue) for i in range(3)]
    assert heights[1] == pytest.approx(2 * heights[0], abs=2) and heights[2] == pytest.approx(2 * heights[1], abs=2)
    assert heights[2] == pytest.approx(bars.y0 - bars.sy(4), abs=2)
    red = (0xD6, 0x27, 0x28)
    for x, y in ((1, 1), (2, 1.5)):  # each point's centre pixel has the point's colour
        assert img.getpixel((round(ax.sx(x)), round(ax.sy(y)))) == red
