"""The processes' colours as a stylesheet (the CSP allows no inline style): one class per
process, at an address that carries a digest of the colours. The browser keeps it for a
year without asking again, and fetches a new one on the first page after a colour changed."""

import hashlib

from flask import url_for
from flask_login import current_user

from mkflow.processes.templates import COLOR
from mkflow.web.counters import colors_listing

# Sent with the stylesheet whose address is the current digest: its content never changes.
FOREVER = "private, max-age=31536000, immutable"


def _pairs(listing: str) -> list[tuple[int, str]]:
    """(id, colour) of a counters.COLORS_LISTING value, by id (the database sets no order)."""
    pairs = (entry.partition(":") for entry in listing.split(",") if entry)
    return sorted((int(tid), color) for tid, _, color in pairs)


def digest(listing: str) -> str:
    text = ",".join(f"{tid}:{color}" for tid, color in _pairs(listing))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def stylesheet(listing: str) -> str:
    return "\n".join(
        f".tpl-{tid} {{ --process-color: {color}; }}"
        for tid, color in _pairs(listing)
        if COLOR.match(color)
    )


def stylesheet_url() -> str:
    """The address of the current colours, from the query every page makes anyway."""
    return url_for("processes.colors", v=digest(colors_listing(current_user)))
