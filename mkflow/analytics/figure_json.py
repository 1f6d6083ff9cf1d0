"""A figure as the page gets it: JSON in which every text is plain text.

plotly.js draws its texts as a little HTML (``<b>``, ``<br>``, ``<a href=…>``), so a stage
or project name with markup in it would be drawn as a link to another site. The builders
hand over plain text, and the few tags they mean (bold, line breaks) as ``Markup``; here,
where every figure leaves the server, every other string is escaped: legend names, hover
texts, tick labels, category values, titles, annotations, shape labels. Only the keys
that plotly does not draw keep their strings: the links a click opens and our own
templates.

A figure is plotly's figure dictionary of plain dicts, lists, strings, numbers and dates,
as the builders return it (a server-side renderer reads those dicts); it is serialised here
by orjson (a sixth of the standard ``json``'s time for a 500-task Gantt): ``plotly.io``
would add a second walk over it, and ``go.Figure`` a deep copy and a check of every value,
which the tests do instead.
"""

from datetime import date, datetime

import orjson
from markupsafe import Markup, escape

NOT_DRAWN = frozenset({"customdata", "hovertemplate", "texttemplate"})
# The values that need no escaping, told apart by their exact type (one set look-up).
_AS_IS = frozenset({int, float, bool, type(None), Markup, date, datetime})


def text(value: str) -> str:
    """``value`` escaped, as a plain ``str`` (``Markup`` as it is): for builders that put
    plain text inside their own tags. ``escape`` alone would build a ``Markup`` for every
    string, and most texts have nothing to escape."""
    if type(value) is not str:
        return value if isinstance(value, Markup) else text(str(value))
    return str(escape(value)) if _needs_escaping(value) else value


def _needs_escaping(value: str) -> bool:
    return "&" in value or "<" in value or ">" in value or '"' in value or "'" in value


def _escaped(value):
    kind = type(value)
    if kind is str:
        return text(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        try:  # a list of texts (keys, dates) with nothing to escape is looked at once
            if not _needs_escaping("".join(value)):
                return list(value)
        except TypeError:  # not all texts
            pass
        return [
            text(v) if type(v) is str else v if type(v) in _AS_IS else _escaped(v) for v in value
        ]
    if kind is dict:
        return {k: v if k in NOT_DRAWN else _escaped(v) for k, v in value.items()}
    if isinstance(value, str):  # Markup as it is; a str enum, say, drawn as its text
        return text(value)
    return value


def to_json(fig: dict) -> str:
    """The figure for the page, its texts escaped. Every ``<`` is written ``\\u003c`` (the same
    text to a JSON reader), as the JSON goes inside a <script> element: no ``</script>`` or
    ``<!--`` can end or bend it. orjson writes dates as ISO 8601 and NaN as null, as plotly
    reads them."""
    return orjson.dumps(_escaped(fig)).decode().replace("<", "\\u003c")
