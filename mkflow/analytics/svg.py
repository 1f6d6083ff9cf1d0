"""A figure drawn on the server: plotly's figure dictionary in, inline SVG out.

The page shows the chart at once, with no script: loading plotly.js and its first draw cost
a slow laptop more than a second of frozen page (plotly stays the engine of the
"Interactive" view, loaded on demand). This draws exactly the figures mkflow builds:

- timelines (``analytics.timeline``: the Gantt, the item and template timelines, the
  portfolio): horizontal bars on a date axis with a ``base``, diamonds, dependency arrows,
  lines such as "today";
- the dashboards' bar charts, horizontal or vertical, stacked, grouped or overlaid;
- the cumulative flow: stacked areas.

Pure: the figure and a function that writes a day in the page's language in, markup out.
Every text is escaped here; plotly's own little HTML in a figure (``<b>``, ``<br>``, passed
as ``Markup``) is read back into plain text first. Each bar and point has a native tooltip
(``<title>``) and, when its ``customdata`` is a local link, is a link. Strings are joined
from f-strings: a 5,000-task Gantt is 5,000 bars.
"""

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

from markupsafe import Markup, escape

from mkflow.analytics.timeline import DAY_MS

FONT = 13
CHAR = 0.6 * FONT  # a character's width, roughly (system-ui)
ROW = 26  # a timeline's row; the bar is 60% of it, as in plotly
WIDE, NARROW = 960, 640  # viewBox widths: a page-wide chart, a chart beside its table
GRID, AXIS_TEXT, TEXT = "#e6e8eb", "#5b6470", "#1f2933"
_TAG = re.compile(r"<[^>]*>")


def _e(value) -> str:
    return str(escape(value))


def plain(value) -> str:
    """A figure's text as a person reads it: plotly's tags (``Markup``) undone, lines kept."""
    if isinstance(value, Markup):
        lines = str(value).replace("<br>", "\n").split("\n")
        return "\n".join(Markup(_TAG.sub("", line)).unescape() for line in lines)
    return "" if value is None else str(value)


def _text(value) -> str:
    """``plain(value)``, escaped: a ``Markup`` is escaped already, so only its tags go."""
    if isinstance(value, Markup):
        return _TAG.sub("", str(value).replace("<br>", "\n"))
    return _e("" if value is None else value)


def safe_link(url) -> str:
    """A link a click may open: a path on this site only (as charts.js did)."""
    if isinstance(url, str) and url[:1] == "/" and url[1:2] not in ("/", "\\"):
        return url
    return ""


def _linked(url, inner: str) -> str:
    link = safe_link(url)
    # Out of the Tab order: the drawing is hidden from assistive technology, and the table
    # beside it holds the same links for keyboards.
    return f'<a href="{_e(link)}" tabindex="-1">{inner}</a>' if link else inner


def _clip(text: str, room: float) -> str:
    chars = max(3, int(room / CHAR))
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _at(i, values, default=None):
    if isinstance(values, list | tuple):
        return values[i] if i < len(values) else default
    return default if values is None else values


def render(fig: dict, day_text: Callable[[date], str], *, caption: str = "") -> Markup:
    """The figure as an ``<svg>`` (and a legend under it when it has one)."""
    traces = fig.get("data") or []
    layout = fig.get("layout") or {}
    if (layout.get("xaxis") or {}).get("type") == "date":
        body, width, height = _timeline(traces, layout, day_text)
    elif any("stackgroup" in t for t in traces):
        body, width, height = _areas(traces, day_text)
    else:
        body, width, height = _bars(traces, layout, day_text)
    size = "wide" if width == WIDE else "narrow"
    svg = (
        f'<svg class="chart-svg chart-svg-{size}" viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-label="{_e(caption)}" font-size="{FONT}" '
        f'font-family="system-ui, sans-serif" fill="{TEXT}">{body}</svg>'
    )
    return Markup(svg + _legend(traces))


def _legend(traces: list[dict]) -> str:
    entries, seen = [], set()
    for t in traces:
        name = plain(t.get("name"))
        if not name or t.get("showlegend") is False or name in seen:
            continue
        seen.add(name)
        colour = _swatch_colour(t)
        shape = (
            '<path d="M5 0L10 5L5 10L0 5Z"/>'
            if (t.get("marker") or {}).get("symbol") == "diamond"
            else '<rect width="10" height="10" rx="2"/>'
        )
        entries.append(
            f'<li><svg width="10" height="10" aria-hidden="true" fill="{_e(colour)}">{shape}'
            f"</svg>{_e(name)}</li>"
        )
    return f'<ul class="chart-legend">{"".join(entries)}</ul>' if len(entries) > 1 else ""


def _swatch_colour(trace: dict) -> str:
    colour = (trace.get("marker") or {}).get("color") or (trace.get("line") or {}).get("color")
    return colour[0] if isinstance(colour, list) else colour or "#888"


# --- timelines --------------------------------------------------------------------------------


def _ms(value) -> float:
    """An ISO day or moment (as the figures write them) in milliseconds since 1970."""
    return _parsed(value) if isinstance(value, str) else _moment_ms(value)


@lru_cache(maxsize=4096)
def _parsed(value: str) -> float:  # a Gantt's bars share a few hundred days
    return _moment_ms(datetime.fromisoformat(value))


def _moment_ms(moment) -> float:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return (moment - EPOCH).total_seconds() * 1000


EPOCH = datetime(1970, 1, 1)


def _day(ms: float) -> date:
    return (EPOCH + timedelta(milliseconds=ms)).date()


def _date_ticks(lo: float, hi: float, dtick, room: float) -> list[float]:
    """Tick moments between ``lo`` and ``hi``: every ``dtick`` (ms, or "M<n>" months), thinned
    so that the labels do not touch; days or months chosen by the span when not given."""
    most = max(2, int(room // 90))
    span_days = (hi - lo) / DAY_MS
    if dtick is None:
        dtick = next(
            (d * DAY_MS for d in (1, 2, 7, 14) if span_days / d <= most),
            f"M{next((m for m in (1, 3, 6, 12) if span_days / 30 / m <= most), 24)}",
        )
    if isinstance(dtick, str):
        months = int(dtick[1:])
        months = next(
            (m for m in (1, 2, 3, 6, 12) if m >= months and span_days / 30 / m <= most), 24
        )
        first = _day(lo)
        year, month = first.year, first.month + (first.day > 1)
        ticks = []
        while True:
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
            at = _ms(date(year, month, 1))
            if at > hi:
                return ticks
            ticks.append(at)
            month += months
    step = dtick
    while (hi - lo) / step > most:
        step *= 2
    start = math.ceil(lo / DAY_MS) * DAY_MS  # whole days, so a label is one day
    if step >= 7 * DAY_MS:  # weeks start on Mondays (1970-01-01 was a Thursday)
        start += ((7 - (_day(start).weekday())) % 7) * DAY_MS
    count = int((hi - start) // step) + 1
    return [start + i * step for i in range(max(0, count))]


def _timeline(traces, layout, day_text):
    yaxis, xaxis = layout.get("yaxis") or {}, layout.get("xaxis") or {}
    keys = [str(k) for k in yaxis.get("categoryarray") or yaxis.get("tickvals") or []]
    row_of = {k: i for i, k in enumerate(keys)}
    ticktext = yaxis.get("ticktext") or keys
    bars = [t for t in traces if t.get("type") == "bar"]
    if "range" in xaxis:
        lo, hi = (_ms(v) for v in xaxis["range"])
    else:
        moments = [
            m
            for t in bars
            for base, length in zip(t.get("base") or [], t.get("x") or [], strict=False)
            for m in (_ms(base), _ms(base) + length)
        ]
        moments += [
            _ms(x) for t in traces if t.get("type") == "scatter" for x in t.get("x") or [] if x
        ]
        moments += [_ms(s["x0"]) for s in layout.get("shapes") or [] if s.get("xref") == "x"]
        lo, hi = min(moments, default=0), max(moments, default=DAY_MS)
        pad = max((hi - lo) * 0.03, DAY_MS / 4)
        lo, hi = lo - pad, hi + pad
    hi = max(hi, lo + 1)
    labels = [plain(t) for t in ticktext]
    label_w = min(WIDE * 0.3, 12 + CHAR * max((len(text) for text in labels), default=4))
    left, right, top = label_w + 8, WIDE - 12, 30
    height = top + ROW * len(keys) + 10
    scale = (right - left) / (hi - lo)

    def x_of(ms):
        return left + (ms - lo) * scale

    out = []
    # the axis on top: a grid line and a day per tick
    ticks = _date_ticks(lo, hi, xaxis.get("dtick"), right - left)
    for at in ticks:
        x = x_of(at)
        anchor = "end" if x > WIDE - CHAR * 6 else "middle"  # the last day stays in the frame
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 10}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{top - 10}" text-anchor="{anchor}" fill="{AXIS_TEXT}">'
            f"{_e(day_text(_day(at)))}</text>"
        )
    # row names, right-aligned at the plot's edge; a top-level row (<b>…</b>) in bold
    for i, (raw, text) in enumerate(zip(ticktext, labels, strict=False)):
        y = top + ROW * i + ROW / 2 + 4
        bold = ' font-weight="600"' if str(raw).startswith("<b>") else ""
        out.append(
            f'<text x="{left - 6:.1f}" y="{y:.1f}" text-anchor="end"{bold}>'
            f"<title>{_e(text)}</title>{_e(_clip(text, label_w - 6))}</text>"
        )
    # bars, diamonds and arrows clipped to the plot (a nested svg clips what overflows it)
    out.append(
        f'<svg x="{left:.1f}" width="{right - left:.1f}" height="{height}">'
        f'<g transform="translate({-left:.1f} 0)">'
    )
    for t in bars:
        marker = t.get("marker") or {}
        fill = _e(marker.get("color") or "#888")
        outline = marker.get("line") or {}
        for i, key in enumerate(t.get("y") or []):
            row = row_of.get(str(key))
            start = _ms(t["base"][i])
            end = start + t["x"][i]
            if row is None or end < lo or start > hi:
                continue
            x0, x1 = x_of(max(start, lo - DAY_MS)), x_of(min(end, hi + DAY_MS))
            y = top + ROW * row + ROW * 0.2
            width = _at(i, outline.get("width"), 0) or 0
            stroke = (
                f' stroke="{_e(_at(i, outline.get("color")))}" stroke-width="{width}"'
                if width
                else ""
            )
            rect = (
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 2):.1f}" '
                f'height="{ROW * 0.6:.1f}" rx="2" fill="{fill}"{stroke}>'
                f"<title>{_text(_at(i, t.get('hovertext'), ''))}</title></rect>"
            )
            out.append(_linked(_at(i, t.get("customdata")), rect))
    for t in traces:
        if t.get("type") != "scatter":
            continue
        if "lines" in (t.get("mode") or ""):
            out.append(_arrows(t, row_of, x_of, top))
        else:
            out.append(_diamonds(t, row_of, x_of, top, lo, hi))
    out.append("</g></svg>")
    for shape in layout.get("shapes") or []:
        at = _ms(shape["x0"])
        if not lo <= at <= hi:
            continue
        x = x_of(at)
        line = shape.get("line") or {}
        colour = _e(line.get("color") or TEXT)
        dash = ' stroke-dasharray="2 3"' if line.get("dash") == "dot" else ""
        dash = ' stroke-dasharray="6 4"' if line.get("dash") == "dash" else dash
        label = plain((shape.get("label") or {}).get("text"))
        at_top = (shape.get("label") or {}).get("textposition") != "start"
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 10}" stroke="{colour}" '
            f'stroke-width="{line.get("width", 2)}"{dash}/>'
        )
        if label:
            y = top + 12 if at_top else height - 14
            anchor = "end" if x > (left + right) / 2 else "start"
            dx = -4 if anchor == "end" else 4
            out.append(
                f'<text x="{x + dx:.1f}" y="{y}" text-anchor="{anchor}" fill="{colour}" '
                f'font-size="{FONT - 1}" font-weight="600">{_e(label)}</text>'
            )
    return "".join(out), WIDE, height


def _diamonds(t, row_of, x_of, top, lo, hi) -> str:
    colour = _e((t.get("marker") or {}).get("color") or TEXT)
    out = []
    for i, key in enumerate(t.get("y") or []):
        row = row_of.get(str(key))
        if row is None or not lo <= _ms(t["x"][i]) <= hi:
            continue
        x, y = x_of(_ms(t["x"][i])), top + ROW * row + ROW / 2
        shape = (
            f'<path d="M{x:.1f} {y - 7:.1f}l7 7l-7 7l-7-7z" fill="{colour}" stroke="#fff">'
            f"<title>{_text(_at(i, t.get('hovertext'), ''))}</title></path>"
        )
        out.append(_linked(_at(i, t.get("customdata")), shape))
    return "".join(out)


def _arrows(t, row_of, x_of, top) -> str:
    """Each arrow is three points and a gap (``None``): down to the row, across, a head."""
    colour = _e((t.get("line") or {}).get("color") or AXIS_TEXT)
    paths, heads = [], []
    points = []
    for x, y in zip(t.get("x") or [], t.get("y") or [], strict=False):
        if x is None or y is None:
            points = []
            continue
        row = row_of.get(str(y))
        if row is None:
            continue
        points.append((x_of(_ms(x)), top + ROW * row + ROW / 2))
        if len(points) == 3:
            (ax, ay), (bx, by), (cx, cy) = points
            paths.append(f"M{ax:.1f} {ay:.1f}V{by:.1f}H{cx:.1f}")
            if cx != bx:
                d = 1 if cx > bx else -1
                heads.append(f"M{cx:.1f} {cy:.1f}l{-6 * d} -4v8z")
            else:
                d = 1 if by > ay else -1
                heads.append(f"M{cx:.1f} {cy:.1f}l-4 {-6 * d}h8z")
    if not paths:
        return ""
    return (
        f'<path d="{"".join(paths)}" fill="none" stroke="{colour}"/>'
        f'<path d="{"".join(heads)}" fill="{colour}"/>'
    )


# --- the dashboards' bars -------------------------------------------------------------------


def _nice_ticks(top: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Up to about ``count`` steps from 0 past ``top``; ``whole``: counts of things, which
    step by whole numbers (never 0.2 of an item)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, round(step))
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _category_text(value, day_text) -> str:
    """A category as shown: a week's ISO day in the page's date format."""
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return day_text(date.fromisoformat(value))
        except ValueError:
            pass
    return plain(value)


def _bars(traces, layout, day_text):
    bars = [t for t in traces if t.get("type") == "bar"]
    horizontal = any(t.get("orientation") == "h" for t in bars)
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    categories: list = []
    seen = set()
    for t in bars:
        for c in t.get(cat_key) or []:
            if c not in seen:
                seen.add(c)
                categories.append(c)
    mode = layout.get("barmode", "group")
    value_axis = layout.get("xaxis" if horizontal else "yaxis") or {}
    # the largest extent along the value axis: a stack's sum or the longest bar
    if mode == "stack":
        totals = dict.fromkeys(categories, 0)
        for t in bars:
            for c, v in zip(t.get(cat_key) or [], t.get(val_key) or [], strict=False):
                totals[c] += v or 0
        peak = max(totals.values(), default=0)
    else:
        peak = max((v or 0 for t in bars for v in t.get(val_key) or []), default=0)
    whole = all(isinstance(v, int) for t in bars for v in t.get(val_key) or [] if v is not None)
    if "range" in value_axis:
        vmin, vmax = value_axis["range"]
        ticks = _nice_ticks(vmax, whole=whole)
    else:
        vmin, ticks = 0, _nice_ticks(peak, whole=whole)
        vmax = ticks[-1] or 1
    suffix = value_axis.get("ticksuffix", "")
    texts = [_category_text(c, day_text) for c in categories]
    n = max(1, len(categories))
    groups = len(bars) if mode == "group" else 1
    out = []
    if horizontal:
        band = 28 * (groups if groups > 1 else 1)
        label_w = min(NARROW * 0.38, 10 + CHAR * max((len(s) for s in texts), default=3))
        left, right, top = label_w + 8, NARROW - 16, 8
        height = top + band * n + 26
        reverse = (layout.get("yaxis") or {}).get("autorange") != "reversed"
        order = list(reversed(range(n))) if reverse else list(range(n))
        slot = {categories[i]: pos for pos, i in enumerate(order)}
        scale = (right - left) / ((vmax - vmin) or 1)
        for tick in ticks:
            x = left + (tick - vmin) * scale
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 22}" stroke="{GRID}"/>'
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{AXIS_TEXT}">'
                f"{_number(tick)}{_e(suffix)}</text>"
            )
        for i, text in enumerate(texts):
            y = top + band * slot[categories[i]] + band / 2 + 4
            out.append(
                f'<text x="{left - 6:.1f}" y="{y:.1f}" text-anchor="end">'
                f"<title>{_e(text)}</title>{_e(_clip(text, label_w - 6))}</text>"
            )
    else:
        left, right, top = 44, NARROW - 10, 10
        rotate = n * CHAR * max((len(s) for s in texts), default=3) > (right - left) * 0.9
        bottom_room = 70 if rotate else 28
        height = max(240, int(layout.get("height", 320)) - 40)
        bottom = height - bottom_room
        band = (right - left) / n
        scale = (bottom - top) / ((vmax - vmin) or 1)
        for tick in ticks:
            y = bottom - (tick - vmin) * scale
            out.append(
                f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS_TEXT}">'
                f"{_number(tick)}{_e(suffix)}</text>"
            )
        every = max(1, math.ceil(n * (CHAR * 7 if rotate else CHAR * 10) / (right - left)))
        for i, text in enumerate(texts):
            if i % every:
                continue
            x = left + band * i + band / 2
            if rotate:
                out.append(
                    f'<text transform="translate({x:.1f} {bottom + 12}) rotate(-35)" '
                    f'text-anchor="end" fill="{AXIS_TEXT}"><title>{_e(text)}</title>'
                    f"{_e(_clip(text, bottom_room * 1.4))}</text>"
                )
            else:
                out.append(
                    f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" '
                    f'fill="{AXIS_TEXT}">{_e(text)}</text>'
                )
    index = {c: i for i, c in enumerate(categories)}
    stacked = dict.fromkeys(categories, 0.0)
    for g, t in enumerate(bars):
        name = plain(t.get("name"))
        colours = (t.get("marker") or {}).get("color")
        for i, (c, v) in enumerate(zip(t.get(cat_key) or [], t.get(val_key) or [], strict=False)):
            if not v:
                continue
            start = stacked[c] if mode == "stack" else 0
            if mode == "stack":
                stacked[c] += v
            shown = f"{_category_text(c, day_text)}: {_number(v)}{suffix}"
            title = f"{name}\n{shown}" if name else shown
            fill = _e(_at(i, colours, "#888"))
            if horizontal:
                pos = slot[c]
                thick = band * 0.7 / groups
                y = top + band * pos + band * 0.15 + (thick * g if groups > 1 else 0)
                x0 = left + (start - vmin) * scale
                w = max(v * scale, 1)
                geometry = f'x="{x0:.1f}" y="{y:.1f}" width="{w:.1f}" height="{thick:.1f}"'
            else:
                thick = band * 0.7 / groups
                x = left + band * index[c] + band * 0.15 + (thick * g if groups > 1 else 0)
                y1 = bottom - (start - vmin) * scale
                h = max(v * scale, 1)
                geometry = f'x="{x:.1f}" y="{y1 - h:.1f}" width="{thick:.1f}" height="{h:.1f}"'
            rect = f'<rect {geometry} fill="{fill}"><title>{_e(title)}</title></rect>'
            out.append(_linked(_at(i, t.get("customdata")), rect))
    return "".join(out), NARROW, height


# --- the cumulative flow --------------------------------------------------------------------


def _areas(traces, day_text):
    """Stacked areas in the order of the traces (the first at the bottom), the days evenly
    spaced; an area's tooltip names it, the table beside has the numbers."""
    days = traces[0].get("x") or [] if traces else []
    n = len(days)
    totals = [0.0] * n
    for t in traces:
        for i, v in enumerate(t.get("y") or []):
            totals[i] += v or 0
    ticks = _nice_ticks(max(totals, default=0), whole=True)  # items at a stage
    vmax = ticks[-1] or 1
    left, right, top, bottom, height = 44, WIDE - 12, 10, 300, 328
    step = (right - left) / max(1, n - 1)
    scale = (bottom - top) / vmax
    out = []
    for tick in ticks:
        y = bottom - tick * scale
        out.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS_TEXT}">'
            f"{_number(tick)}</text>"
        )
    every = max(1, math.ceil(n * CHAR * 12 / (right - left)))
    for i in range(0, n, every):
        x = left + step * i
        anchor = "middle" if CHAR * 6 < x < right - CHAR * 6 else "start" if i == 0 else "end"
        out.append(
            f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="{anchor}" '
            f'fill="{AXIS_TEXT}">{_e(_category_text(days[i], day_text))}</text>'
        )
    below = [0.0] * n
    for t in traces:
        above = [b + (v or 0) for b, v in zip(below, t.get("y") or [], strict=False)]
        upper = " ".join(
            f"{left + step * i:.1f},{bottom - v * scale:.1f}" for i, v in enumerate(above)
        )
        lower = " ".join(
            f"{left + step * i:.1f},{bottom - v * scale:.1f}"
            for i, v in reversed(list(enumerate(below)))
        )
        colour = _e((t.get("line") or {}).get("color") or "#888")
        out.append(
            f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.55" '
            f'stroke="{colour}"><title>{_e(plain(t.get("name")))}</title></polygon>'
        )
        below = above
    return "".join(out), WIDE, height
