"""The shared figure of spans on a time axis, as plain data: bars from their first moment,
as long as they last; a colour per group, late bars outlined; names and hover texts as
text with only our own tags; a click's link in customdata; arrows between moments."""

import json
from datetime import date, datetime

import plotly.graph_objects as go

from mkflow.analytics.figure_json import to_json
from mkflow.analytics.timeline import LATE_OUTLINE, Arrow, Group, Span, figure

DAY_MS = 24 * 3600 * 1000
GROUPS = {"open": Group("Open", "#2f80ed"), "done": Group("Done", "#219653")}


def spans() -> list[Span]:
    return [
        Span(
            key="1",
            label="Plan <draft> & brief",
            start=date(2030, 3, 4),
            end=date(2030, 3, 7),
            group="open",
            hover=["Plan <draft>", "Dates: 3/4 – 3/6"],
            url="/projects/tasks/1",
            late=True,
        ),
        Span(
            key="2",
            label="Sign",
            start=datetime(2030, 3, 5, 9),
            end=datetime(2030, 3, 5, 15, 30),
            group="done",
            url="/projects/tasks/2",
            depth=1,
            diamond=datetime(2030, 3, 5, 12),
        ),
    ]


def test_bars_start_at_their_first_moment_and_last_their_length_in_milliseconds():
    fig = figure(spans(), GROUPS, x_range=(date(2030, 3, 1), date(2030, 4, 1)), tick_step="M1")
    go.Figure(fig)  # plotly's schema accepts it
    open_bars, done_bars, diamonds = fig["data"]
    assert (open_bars["base"], open_bars["x"]) == (["2030-03-04"], [3 * DAY_MS])
    assert (done_bars["base"], done_bars["x"]) == (["2030-03-05 09:00:00"], [6.5 * 3600 * 1000])
    assert diamonds["x"] == ["2030-03-05 12:00:00"] and diamonds["y"] == ["2"]
    assert fig["layout"]["xaxis"]["range"] == ["2030-03-01", "2030-04-01"]
    assert fig["layout"]["xaxis"]["dtick"] == "M1"
    assert fig["layout"]["yaxis"]["categoryarray"] == ["1", "2"]


def test_colours_follow_the_group_and_late_bars_are_outlined():
    open_bars, done_bars, _diamonds = figure(spans(), GROUPS)["data"]
    assert (open_bars["name"], open_bars["marker"]["color"]) == ("Open", "#2f80ed")
    assert open_bars["marker"]["line"] == {"color": [LATE_OUTLINE], "width": [3]}
    assert done_bars["marker"]["line"] == {"color": ["#219653"], "width": [0]}


def test_a_click_leads_to_the_span_s_link_and_texts_reach_the_page_escaped():
    fig = figure(spans(), GROUPS)
    out = json.loads(to_json(fig))
    open_bars, done_bars, diamonds = out["data"]
    assert open_bars["customdata"] == ["/projects/tasks/1"]
    assert diamonds["customdata"] == ["/projects/tasks/2"]
    assert open_bars["hovertext"] == ["Plan &lt;draft&gt;<br>Dates: 3/4 – 3/6"]
    assert out["layout"]["yaxis"]["ticktext"] == [
        "<b>Plan &lt;draft&gt; &amp; brief</b>",  # a top-level row in bold
        "└ Sign",  # a subtask marked, not bold
    ]


def test_arrows_run_between_moments_with_a_gap_after_each():
    arrows = [
        Arrow("1", date(2030, 3, 7), "2", datetime(2030, 3, 5, 9)),
        Arrow("2", date(2030, 3, 5), "1", date(2030, 3, 4)),
    ]
    (line,) = [t for t in figure(spans(), GROUPS, arrows=arrows)["data"] if t["name"] == "arrows"]
    first = ["2030-03-07", "2030-03-07", "2030-03-05 09:00:00", None]
    assert line["x"] == [*first, "2030-03-05", "2030-03-05", "2030-03-04", None]
    assert line["y"] == ["1", "2", "2", None, "2", "1", "1", None]
    assert line["marker"]["size"] == [0, 0, 9, 0, 0, 0, 9, 0]  # the head at the end
