"""Charts drawn on the server (analytics.svg): bars where their numbers put them, the axis
in the page's date format, every text escaped, links only to this site."""

import re
from datetime import date, timedelta

import pytest
from markupsafe import Markup

from mkflow.analytics import dashboard_figures as dash
from mkflow.analytics import svg
from mkflow.analytics.timeline import Arrow, Group, Span, figure
from mkflow.core.formatting import DAY_FORMATS

START = date(2026, 12, 7)
RU, EN = DAY_FORMATS["ru"], DAY_FORMATS["en"]


def rects(markup: str) -> list[dict]:
    found = re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', markup
    )
    return [dict(zip("xywh", map(float, r), strict=True)) for r in found]


def plot_area(markup: str) -> tuple[float, float]:
    """The left edge and the width of a timeline's plot (its nested, clipping svg)."""
    x, width = re.search(r'<svg x="([\d.]+)" width="([\d.]+)"', markup).groups()
    return float(x), float(width)


def span(key, start_day, days, **extra):
    start = START + timedelta(days=start_day)
    return Span(
        key=key,
        label=f"Task {key}",
        start=start,
        end=start + timedelta(days=days),
        group="g",
        **extra,
    )


def timeline(spans, **extra):
    groups = {"g": Group("Open", "#2f80ed")}
    return figure(spans, groups, x_range=(START, START + timedelta(days=10)), **extra)


def test_a_bar_spans_its_days_on_the_axis_and_sits_in_its_row():
    out = svg.render(timeline([span("1", 1, 2), span("2", 5, 5)]), EN)
    left, width = plot_area(out)
    first, second = rects(out)
    assert first["x"] == pytest.approx(left + width * 0.1, abs=0.2)  # a day of ten in
    assert first["w"] == pytest.approx(width * 0.2, abs=0.2)  # two days of ten
    assert second["x"] == pytest.approx(left + width * 0.5, abs=0.2)
    assert second["x"] + second["w"] == pytest.approx(left + width, abs=0.2)
    assert second["y"] - first["y"] == svg.ROW  # the next row down


def test_a_bar_outside_the_window_is_not_drawn_and_one_across_its_edge_is_cut():
    out = svg.render(timeline([span("1", -30, 2), span("2", 8, 30)]), EN)
    left, width = plot_area(out)
    (bar,) = rects(out)
    assert bar["x"] == pytest.approx(left + width * 0.8, abs=0.2)
    assert bar["x"] + bar["w"] <= left + width + width / 10 + 0.2  # at most a day beyond


@pytest.mark.parametrize(
    ("day_text", "shown", "not_shown"),
    [(RU, "14.12.2026", "14 Dec 2026"), (EN, "14 Dec 2026", "14.12.2026")],
)
def test_the_date_axis_speaks_the_page_language(day_text, shown, not_shown):
    fig = timeline([span("1", 1, 2)], today=START, today_label="Today", tick_step=7 * 86400000)
    out = svg.render(fig, day_text)
    assert f">{shown}</text>" in out and not_shown not in out
    assert ">Today</text>" in out  # the line at today, named


def test_week_categories_of_a_dashboard_chart_are_written_as_days():
    fig = dash.figure(
        [dash.bar("Articles", ["2026-11-30", "2026-12-07"], [3, 4], "#111", ["", ""])],
        xaxis={"type": "category"},
    )
    assert ">07.12.2026</text>" in svg.render(fig, RU)
    assert ">7 Dec 2026</text>" in svg.render(fig, EN)


def test_stacked_bars_follow_each_other_and_grouped_bars_stand_side_by_side():
    traces = [
        dash.bar("Done", ["A", "B"], [2, 1], "#0a0", ["", ""], horizontal=True),
        dash.bar("Open", ["A", "B"], [3, 1], "#aaa", ["", ""], horizontal=True),
    ]
    stacked = rects(svg.render(dash.figure(traces, reversed_y=True, barmode="stack"), EN))
    a_done, b_done, a_open, b_open = stacked
    assert a_open["x"] == pytest.approx(a_done["x"] + a_done["w"], abs=0.2)
    assert a_open["w"] == pytest.approx(a_done["w"] * 3 / 2, abs=0.2)
    assert a_done["y"] == a_open["y"] < b_done["y"]  # A on top: the first row first
    grouped = rects(svg.render(dash.figure(traces, reversed_y=True, barmode="group"), EN))
    assert grouped[0]["x"] == grouped[2]["x"] and grouped[0]["y"] < grouped[2]["y"]


def test_vertical_bars_stand_on_the_axis_with_heights_in_proportion():
    fig = dash.figure([dash.bar("Finished", ["X", "Y"], [2, 4], "#111", ["", ""])])
    low, high = rects(svg.render(fig, EN))
    assert low["y"] + low["h"] == pytest.approx(high["y"] + high["h"], abs=0.2)  # one baseline
    assert high["h"] == pytest.approx(2 * low["h"], abs=0.2)


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script> & <a href="//evil">'
    fig = timeline(
        [
            Span(
                key="1",
                label=evil,
                start=START,
                end=START + timedelta(days=2),
                group="g",
                hover=[evil, "Status: open"],
                diamond=START,
            )
        ],
        milestone_label=evil,
    )
    fig["data"][0]["name"] = evil
    out = svg.render(fig, EN, caption=evil)
    assert "<script" not in out and 'href="//evil"' not in out and "<a " not in out
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in out
    # the hover's lines (plotly's <br>) are the tooltip's lines
    assert "&lt;/script&gt; &amp; &lt;a href=&#34;//evil&#34;&gt;\nStatus: open</title>" in out


def test_a_top_level_row_is_bold_and_a_subtask_marked():
    fig = timeline([span("1", 0, 2), span("2", 0, 1, depth=1)])
    out = svg.render(fig, EN)
    assert re.search(r'font-weight="600"><title>Task 1</title>Task 1<', out)
    assert "<title>└ Task 2</title>" in out


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("/tasks/7", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_a_bar_links_only_to_a_page_of_this_site(url, linked):
    out = svg.render(timeline([span("1", 1, 2, url=url)]), EN)
    assert ('<a href="/tasks/7"' in out) is linked
    assert out.count("<a ") == int(linked)


def test_dependency_arrows_end_in_a_head_at_the_successor():
    fig = timeline(
        [span("1", 1, 2), span("2", 3, 2)],
        arrows=[Arrow("1", START + timedelta(days=3), "2", START + timedelta(days=3))],
    )
    out = svg.render(fig, EN)
    left, width = plot_area(out)
    x = left + width * 0.3
    assert re.search(rf'<path d="M{x:.1f} [\d.]+V[\d.]+H{x:.1f}" fill="none"', out)
    assert f'<path d="M{x:.1f} ' in out.split('fill="none"')[1]  # the head, at the same spot


def test_the_cumulative_flow_is_one_area_per_stage():
    traces = [
        {
            "type": "scatter",
            "name": name,
            "x": ["2026-12-07", "2026-12-08"],
            "y": [1, 2],
            "stackgroup": "flow",
            "line": {"color": "#123456"},
        }
        for name in ("Done", "Doing", "To do")
    ]
    out = svg.render(dash.figure(traces), RU)
    assert out.count("<polygon") == 3 and "<title>Doing</title>" in out
    assert ">07.12.2026</text>" in out


def test_the_legend_names_each_colour_once():
    out = svg.render(timeline([span("1", 1, 2), span("2", 2, 2)]), EN)
    assert "chart-legend" not in out  # one group: nothing to tell apart
    fig = timeline([span("1", 1, 2), span("2", 2, 2, diamond=START)], milestone_label="Milestone")
    out = svg.render(fig, EN)
    assert out.count("<li>") == 2 and "Milestone</li>" in out


def test_plain_undoes_plotly_tags_only():
    assert svg.plain(Markup("<b>%s</b>") % "a<b") == "a<b"
    assert svg.plain(Markup("<br>").join(["x", "y"])) == "x\ny"
    assert svg.plain("<b>typed</b>") == "<b>typed</b>"
