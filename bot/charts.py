"""Small charts as PNG: horizontal bars and lines, drawn as SVG and rasterised by resvg.

Text is laid out by ziafont as paths (no system fonts), on the same white card as the formulas so
a chart reads the same on Discord's dark and light themes. Callers run these off the event loop.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from functools import lru_cache

import resvg_py
import ziafont

INK = "#1f2328"
MUTED = "#6e7781"
GRID = "#d0d7de"
PALETTE = ("#5865f2", "#eb459e", "#57a55a", "#e67e22")
TEXT = 18
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ ([-\d.]+)')


@lru_cache(maxsize=1)
def _font() -> ziafont.Font:
    return ziafont.Font()


def text(x: float, y: float, words: str, *, size: float = TEXT, colour: str = INK, anchor: str = "start") -> str:
    """`words` as SVG paths with their baseline at `y`; `anchor` start, middle or end at `x`."""
    laid = _font().text(words, size=size, color=colour)
    width = laid.getsize()[0]
    shift = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    svg = laid.svg()
    top = float(_VIEWBOX.search(svg).group(1))  # the viewBox puts the baseline at y=0, its top at `top`
    return f'<g transform="translate({x - shift:.1f},{y + top:.1f})">{svg}</g>'


def card(width: int, height: int, body: Sequence[str], title: str) -> bytes:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="100%" height="100%" rx="12" fill="#ffffff"/>'
        f"{text(20, 34, title, size=22)}{''.join(body)}</svg>"
    )
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True))


def _clip(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bars(title: str, rows: Sequence[tuple[str, float, str]]) -> bytes:
    """One horizontal bar per (label, share 0..1, note) row, with the share written beside it."""
    label_width, bar_width, row = 300, 420, 34
    body = []
    for n, (label, share, note) in enumerate(rows):
        y = 60 + n * row
        body.append(text(label_width - 10, y + 20, _clip(label), anchor="end"))
        body.append(f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" height="22" fill="{GRID}" rx="4"/>')
        filled = max(0.0, min(1.0, share)) * bar_width
        body.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{filled:.1f}" height="22" fill="{PALETTE[0]}" rx="4"/>'
        )
        body.append(text(label_width + bar_width + 10, y + 20, f"{share:.0%} {note}".strip(), colour=MUTED))
    return card(label_width + bar_width + 170, 60 + len(rows) * row + 20, body, title)


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    top: float = 1.0,
    percent: bool = True,
) -> bytes:
    """Line chart: one line per (name, values) over `x_labels`, y from 0 to `top`."""
    left, width, height, y0 = 70, 560, 260, 70
    step = width / max(1, len(x_labels) - 1)
    body = []
    for k in range(5):
        value = top * k / 4
        y = y0 + height - height * k / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(text(left - 8, y + 6, f"{value:.0%}" if percent else f"{value:g}", colour=MUTED, anchor="end"))
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            body.append(text(left + i * step, y0 + height + 26, label, size=15, colour=MUTED, anchor="middle"))
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{y0 + height - height * min(v, top) / top:.1f}" for i, v in enumerate(values)
        )
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"/>')
        body += [
            f'<circle cx="{left + i * step:.1f}" cy="{y0 + height - height * min(v, top) / top:.1f}" r="4" '
            f'fill="{colour}"/>'
            for i, v in enumerate(values)
            if len(values) < 30
        ]
        if len(series) > 1:
            body.append(f'<rect x="{left + width + 20}" y="{y0 + n * 28}" width="14" height="14" fill="{colour}"/>')
            body.append(text(left + width + 40, y0 + n * 28 + 13, name, size=16))
    extra = 200 if len(series) > 1 else 20
    return card(left + width + extra, y0 + height + 50, body, title)


DAY = 86_400
WEEKS_SHOWN = 12


def weekly(history: Sequence[bool], graded_at: Sequence[float]) -> list[tuple[str, float]]:
    """(Monday's date, share exactly right) for each week with answers, the last `WEEKS_SHOWN` of them.

    Weeks start on Monday at midnight UTC, as the leaderboard's do."""
    weeks: dict[int, list[bool]] = {}
    for exact, moment in zip(history, graded_at, strict=True):
        day = int(moment // DAY)
        weeks.setdefault(day - (day + 3) % 7, []).append(exact)  # 1970-01-01 was a Thursday
    return [
        (datetime.datetime.fromtimestamp(monday * DAY, datetime.UTC).strftime("%b %d"), sum(a) / len(a))
        for monday, a in sorted(weeks.items())[-WEEKS_SHOWN:]
    ]


def member_charts(topics: Sequence[tuple[str, int, int]], weeks: Sequence[tuple[str, float]]) -> dict[str, bytes]:
    """/stats' pictures: accuracy per topic, and per week when there is more than one."""
    shown = {
        "topics.png": bars(
            "Exactly right, per topic", [(t or "no topic", e / a, f"({e}/{a})") for t, a, e in topics[:12]]
        )
    }
    if len(weeks) > 1:
        shown["weeks.png"] = lines(
            "Exactly right, per week", [w for w, _ in weeks], [("accuracy", [s for _, s in weeks])]
        )
    return shown


def hardest_chart(rows: Sequence[tuple[str, float, int]]) -> bytes:
    """/questionstats' picture: (title, share right, answers) of the hardest questions."""
    return bars("Hardest questions: share exactly right", [(t, s, f"· {n} answers") for t, s, n in rows])
