"""A figure as the page gets it: JSON in which every text is plain text.

plotly.js draws its texts as a little HTML (``<b>``, ``<br>``, ``<a href=…>``), so a stage
or project name with markup in it would be drawn as a link to another site. The builders
hand over plain text, and the few tags they mean (bold, line breaks) as ``Markup``; here,
where every figure leaves the server, every other string is escaped: legend names, hover
texts, tick labels, category values, titles, annotations, shape labels. Only the keys
that plotly does not draw keep their strings: the links a click opens and our own
templates.
"""

import plotly.io as pio
from markupsafe import Markup, escape

NOT_DRAWN = frozenset({"customdata", "hovertemplate", "texttemplate"})


def _escaped(value):
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, dict):
        return {k: v if k in NOT_DRAWN else _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value


def to_json(fig: dict) -> str:
    """The figure for the page, its texts escaped; ``</`` is escaped too, as the JSON goes
    inside a <script> element."""
    return pio.to_json(_escaped(fig), validate=False).replace("</", "<\\/")
