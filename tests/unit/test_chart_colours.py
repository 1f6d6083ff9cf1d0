"""Every colour that carries meaning in a chart stands out from the white plot: at least 3:1
(WCAG 2.1, non-text contrast)."""

import pytest

from mkflow.analytics import dashboard_figures, gantt


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


COLOURS = [
    *dashboard_figures.PALETTE,
    dashboard_figures.LATE,
    dashboard_figures.SOON,
    dashboard_figures.NEXT,
    dashboard_figures.LATER,
    *gantt.STATUS_COLOURS.values(),
]


@pytest.mark.parametrize("colour", COLOURS)
def test_a_chart_colour_has_3_to_1_against_white(colour):
    assert contrast(colour, "#ffffff") >= 3, colour


def test_the_contrast_formula_knows_black_and_white():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#f1c40f", "#ffffff") < 3  # the old yellow
