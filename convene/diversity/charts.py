"""Geometry for the server-side SVG charts (the templates draw them; no chart service, no script).

Every figure in a chart is also in the data table beside it; suppressed cells draw no bar.
Colours come from classes in static/diversity.css, and every bar carries its value as text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..base.suppression import HIDDEN_TEXT

LABEL_W, BAR_W, VALUE_W = 210, 380, 110
WIDTH = LABEL_W + BAR_W + VALUE_W
BAR_H, BAR_GAP, ROW_GAP, TOP = 12, 2, 12, 34


@dataclass
class Bar:
    stage: str
    x: float
    y: float
    width: float
    text: str
    text_x: float


@dataclass
class Row:
    label: str
    y: float
    label_y: float
    bars: list[Bar]


@dataclass
class Mark:
    x: float
    y1: float
    y2: float
    text: str


@dataclass
class BarChart:
    width: int
    height: int
    rows: list[Row]
    marks: list[Mark]
    legend: list[tuple[str, str, float]]  # (stage, label, x)
    axis: list[tuple[float, str]] = field(default_factory=list)


def bar_chart(table: dict[str, list], stages: list[tuple[str, str]], target_marks: list[tuple[str, int, str]]
              ) -> BarChart:
    """Horizontal bars: one row per category, one bar per stage; target_marks = (category or "*", %, text)."""
    categories = table[stages[0][0]]
    rows, y = [], TOP
    row_h = len(stages) * (BAR_H + BAR_GAP)
    for index, cell in enumerate(categories):
        bars = []
        for n, (stage, _) in enumerate(stages):
            stage_cell = table[stage][index]
            width = 0.0 if stage_cell.suppressed or not stage_cell.share else BAR_W * stage_cell.share / 100
            by = y + n * (BAR_H + BAR_GAP)
            text = f"{stage_cell.share_text} ({stage_cell.count_text})" if not stage_cell.suppressed \
                else HIDDEN_TEXT
            bars.append(Bar(stage, LABEL_W, by, round(width, 1), text, LABEL_W + width + 4))
        label = cell.label if len(cell.label) <= 30 else cell.label[:28].rstrip() + "…"
        rows.append(Row(label, y, y + row_h / 2 + 4, bars))
        y += row_h + ROW_GAP
    marks = []
    for category, value, text in target_marks:
        x = LABEL_W + BAR_W * value / 100
        spans = [r for r, c in zip(rows, categories) if category in ("*", c.category)]
        if spans:
            marks.append(Mark(round(x, 1), spans[0].y - 4, spans[-1].y + row_h + 2, text))
    legend = [(stage, label, LABEL_W + n * 130) for n, (stage, label) in enumerate(stages)]
    axis = [(LABEL_W + BAR_W * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]
    return BarChart(WIDTH, int(y + 14), rows, marks, legend, axis)


@dataclass
class Line:
    index: int
    label: str
    segments: list[str]  # "x,y x,y ..." for each unbroken run of points
    points: list[tuple[float, float, str]]
    end: tuple[float, float] | None


@dataclass
class LineChart:
    width: int
    height: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    left: int
    right: int
    top: int
    bottom: int
    legend: list[tuple[float, float, int, str]] = field(default_factory=list)  # (x, y, series index, label)


def line_chart(editions: list[str], series: list[tuple[str, list[float | None]]]) -> LineChart:
    """Shares per edition, one line per category; None (no one, or suppressed) breaks the line."""
    left, top, plot_w, plot_h, right_pad = 60, 20, 520, 240, 170
    width, bottom = left + plot_w + right_pad, top + plot_h
    step = plot_w / max(len(editions) - 1, 1)

    def xy(i: int, share: float) -> tuple[float, float]:
        return round(left + i * step if len(editions) > 1 else left + plot_w / 2, 1), \
            round(bottom - plot_h * share / 100, 1)

    lines = []
    for index, (label, shares) in enumerate(series):
        segments, run, points = [], [], []
        for i, share in enumerate(shares):
            if share is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            x, y = xy(i, share)
            run.append(f"{x},{y}")
            points.append((x, y, f"{editions[i]}: {share:.0f}%"))
        if run:
            segments.append(" ".join(run))
        end = (points[-1][0] + 8, points[-1][1] + 4) if points else None
        lines.append(Line(index, label, segments, points, end))
    every = max(1, len(editions) // 12)  # keep labels legible with 60 editions
    x_labels = [(xy(i, 0)[0], name) for i, name in enumerate(editions) if i % every == 0]
    y_ticks = [(bottom - plot_h * p / 100, f"{p}%") for p in (0, 25, 50, 75, 100)]
    legend_top = bottom + 50
    legend = [(left + (i % 3) * 200, legend_top + (i // 3) * 20, line.index, line.label) for i, line in enumerate(lines)]
    height = legend_top + ((len(lines) + 2) // 3) * 20 + 10
    return LineChart(width, height, lines, x_labels, y_ticks, left, left + plot_w, top, bottom, legend)
