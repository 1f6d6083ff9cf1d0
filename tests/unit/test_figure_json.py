"""A figure leaves the server as JSON that plotly.js reads as the builder meant it: dates as
ISO 8601, every drawn text escaped (our own tags kept), links and templates untouched, and
nothing that could end the <script> element it travels in."""

import json
from datetime import date, datetime
from enum import StrEnum

from markupsafe import Markup

from mkflow.analytics.figure_json import text, to_json

LINK = '<a href="https://evil.example">Brief</a>'
ESCAPED = "&lt;a href=&#34;https://evil.example&#34;&gt;Brief&lt;/a&gt;"


class Colour(StrEnum):
    RED = "<red>"


def test_dates_and_moments_reach_the_axis_as_iso_8601():
    fig = {
        "data": [{"type": "bar", "base": [date(2030, 3, 4)], "x": [86_400_000]}],
        "layout": {"xaxis": {"range": [datetime(2030, 3, 4, 12, 30), date(2030, 4, 1)]}},
    }
    out = json.loads(to_json(fig))
    assert out["data"][0]["base"] == ["2030-03-04"]
    assert out["layout"]["xaxis"]["range"] == ["2030-03-04T12:30:00", "2030-04-01"]


def test_no_text_can_close_the_script_element_and_every_text_reads_back_the_same():
    fig = {"data": [{"type": "bar", "name": "</script><!-- Über", "y": ["a"], "x": [1]}]}
    out = to_json(fig)
    assert "<" not in out  # written \u003c, which a JSON reader reads as "<"
    assert "Über" in out  # sent as UTF-8, not as \u escapes
    assert json.loads(out)["data"][0]["name"] == "&lt;/script&gt;&lt;!-- Über"


def test_markup_is_kept_links_and_templates_are_not_escaped_the_rest_is():
    fig = {
        "data": [
            {
                "type": "scatter",
                "name": Colour.RED,  # a str enum is drawn as its text
                "y": (LINK, "plain"),
                "x": [1.5, None],
                "hovertext": [Markup("<b>%s</b>") % LINK],
                "customdata": ["/items/1?a=1&b=2"],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {"color": ["#fff", "#000"], "size": [float("nan"), 3]},
            }
        ],
        "layout": {"annotations": [{"text": LINK}], "showlegend": False},
    }
    (trace,) = json.loads(to_json(fig))["data"]
    assert trace["name"] == "&lt;red&gt;"
    assert trace["y"] == [ESCAPED, "plain"] and trace["x"] == [1.5, None]
    assert trace["hovertext"] == [f"<b>{ESCAPED}</b>"]
    assert trace["customdata"] == ["/items/1?a=1&b=2"]
    assert trace["hovertemplate"] == "%{hovertext}<extra></extra>"
    assert trace["marker"] == {"color": ["#fff", "#000"], "size": [None, 3]}  # NaN: JSON null
    assert fig["data"][0]["y"] == (LINK, "plain")  # the builder's figure is left as it was


def test_text_escapes_plain_text_once_and_keeps_markup():
    assert text("Q&A <draft>") == "Q&amp;A &lt;draft&gt;" and type(text("Q&A")) is str
    assert text("plain") == "plain"
    bold = Markup("<b>x</b>")
    assert text(bold) is bold
    assert text(Colour.RED) == "&lt;red&gt;"
