"""Server-drawn SVG charts, read back with xml.etree: well-formed, accessible, bars proportional to the values,
texts escaped, no inline style, and an honest "No data yet" for nothing to draw. Pure: no app needed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from contest.results import charts
from contest.results.charts import Series

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output, not untrusted input)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "bar" in r.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def check_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    assert root.find("svg:title", NS).text == title
    assert root.find("svg:desc", NS) is not None and root.find("svg:desc", NS).text
    assert root.get("viewBox", "").startswith("0 0 ") and root.get("width") == "100%"
    assert all(el.get("style") is None for el in root.iter())
    assert root.find(".//svg:style", NS) is None


def test_column_chart_has_one_bar_per_value_and_heights_proportional():
    root = parse(charts.column_chart(["1/5", "2/5", "3/5"], [Series("Attempts", [2, 0, 8])],
                                     title="Attempts per day", desc="Three days."))
    check_accessible(root, "Attempts per day")
    found = bars(root)
    assert len(found) == 3
    heights = [float(b.get("height")) for b in found]
    assert heights[1] == 0 and heights[2] == pytest.approx(4 * heights[0])
    # Bars stand on the same base line.
    assert len({round(float(b.get("y")) + float(b.get("height")), 1) for b in found}) == 1
    assert {"1/5", "2/5", "3/5"} <= set(texts(root))  # axis labels as text
    assert {"2", "8"} <= set(texts(root))  # values as text
    assert [b.find("svg:title", NS).text for b in found][2] == "3/5: Attempts 8"


def test_column_chart_with_two_series_has_a_legend_and_pairs_of_bars():
    root = parse(charts.column_chart(["a", "b"], [Series("Attempts", [4, 6]), Series("Participants", [2, 3])],
                                     title="t", desc="d"))
    found = bars(root)
    assert len(found) == 4
    assert [b.get("class") for b in found] == ["bar series-1", "bar series-2"] * 2
    assert "Attempts" in texts(root) and "Participants" in texts(root)
    by_value = {b.get("data-value"): float(b.get("height")) for b in found}
    assert by_value["6"] == pytest.approx(2 * by_value["3"]) == pytest.approx(3 * by_value["2"])


def test_many_days_keep_every_bar_but_thin_out_the_labels():
    labels = [f"{d}/5" for d in range(1, 61)]
    root = parse(charts.column_chart(labels, [Series("n", list(range(1, 61)))], title="t", desc="d"))
    assert len(bars(root)) == 60
    shown = [t for t in texts(root) if t.endswith("/5")]
    assert 1 < len(shown) <= 8 and shown[0] == "1/5"
    values = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "chart-value"]
    assert values == []  # sixty values would overlap: they are in the bars' titles and in the table
    assert bars(root)[-1].find("svg:title", NS).text == "60/5: n 60"


def test_bar_chart_widths_proportional_to_the_scale_and_names_escaped():
    name = 'Tổ <Kim Mã> & "Hà"'
    root = parse(charts.bar_chart([name, "Phường Cống Vị"], [Series("Rate", [0.5, 0.25])], title="Units",
                                  desc="Participation", scale_max=1, value_labels=["3 · 50%", "1 · 25%"]))
    check_accessible(root, "Units")
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert name in texts(root)  # read back unescaped: it was escaped in the markup
    assert "3 · 50%" in texts(root)
    markup = str(charts.bar_chart([name], [Series("Rate", [1])], title=name, desc=name))
    assert "<Kim" not in markup and "&lt;Kim Mã&gt; &amp; &#34;Hà&#34;" in markup


def test_bar_chart_stacks_series_and_shortens_long_names():
    long = "Ủy ban Mặt trận Tổ quốc Việt Nam phường Thạch Bàn"
    root = parse(charts.bar_chart([long, "B"], [Series("Submitted", [3, 1]), Series("Draft", [1, 0])],
                                  title="t", desc="d"))
    found = bars(root)
    assert len(found) == 4
    first_done, first_draft = found[0], found[1]
    assert float(first_draft.get("x")) == pytest.approx(float(first_done.get("x")) + float(first_done.get("width")))
    assert float(first_done.get("width")) == pytest.approx(3 * float(first_draft.get("width")))
    shown = [t for t in texts(root) if t.startswith("Ủy ban")]
    assert shown and shown[0].endswith("…") and len(shown[0]) <= 24
    assert root.find(".//svg:g/svg:title", NS).text == f"{long}: 4"  # the full name stays in the row's title


def test_histogram_columns_are_adjacent_and_proportional():
    root = parse(charts.histogram(["0–9%", "10–19%", "100%"], [1, 3, 2], title="Scores", desc="d",
                                  y_label="Participants", x_label="Share of correct answers"))
    check_accessible(root, "Scores")
    found = bars(root)
    heights = [float(b.get("height")) for b in found]
    assert heights[1] == pytest.approx(3 * heights[0]) and heights[2] == pytest.approx(2 * heights[0])
    xs = [float(b.get("x")) for b in found]
    widths = [float(b.get("width")) for b in found]
    assert xs[1] == pytest.approx(xs[0] + widths[0] + 1, abs=0.2)
    assert "Participants" in texts(root) and "100%" in texts(root)
    [x_axis] = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "Share of correct answers"]
    below = max(float(b.get("y")) + float(b.get("height")) for b in found)
    assert float(x_axis.get("y")) > below + 14  # under the band labels, inside the drawing
    assert float(x_axis.get("y")) < float(root.get("viewBox").split()[3])


@pytest.mark.parametrize("draw", [
    lambda: charts.column_chart([], [Series("n", [])], title="Per day", desc=""),
    lambda: charts.column_chart(["1/5", "2/5"], [Series("n", [0, 0])], title="Per day", desc=""),
    lambda: charts.bar_chart([], [Series("n", [])], title="Per day"),
    lambda: charts.histogram(["0", "1"], [0, 0], title="Per day"),
])
def test_nothing_to_draw_says_no_data_yet(draw):
    root = parse(draw())
    assert bars(root) == []
    assert "No data yet" in texts(root)
    assert root.get("role") == "img" and root.find("svg:title", NS).text == "Per day"


def test_the_empty_message_is_the_callers():
    root = parse(charts.histogram([], [], title="t", empty="Chưa có số liệu"))
    assert "Chưa có số liệu" in texts(root)


@pytest.mark.parametrize(("top", "expected"), [(0, (4, 1)), (1, (4, 1)), (3, (4, 1)), (7, (8, 2)), (12, (20, 5)),
                                               (100, (100, 25)), (101, (200, 50)), (0.6, (0.8, 0.2))])
def test_axis_maximum_is_round_and_above_the_top(top, expected):
    assert charts.nice_top(top) == expected
