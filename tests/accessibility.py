"""axe-core (WCAG 2.1 A and AA rules) run in the page under test: the violations, each with
the elements it found, for an assertion that names them."""

from pathlib import Path

import axe_playwright_python

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # the passes are not collected: a third of the time
}


def violations(page) -> list[str]:
    """What axe finds on the page as it is now: "rule: selector, selector" per rule."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated over CDP: the page's CSP does not apply
    found = page.evaluate("options => axe.run(document, options)", RULES)["violations"]
    return [
        f"{v['id']}: " + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]
