"""Markdown that users write, rendered to safe HTML; @mentions found and linked."""

import re
from collections.abc import Mapping
from html import escape

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
    "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}}
MENTION = re.compile(r"(?<![\w.@])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])", re.IGNORECASE)


def mentioned_handles(text: str) -> set[str]:
    """Handles like "copywriter" in "@copywriter, please look" (the part of an email before @)."""
    return {m.lower() for m in MENTION.findall(text or "")}


def render(text: str, names: Mapping[str, str] | None = None) -> str:
    """Sanitised HTML; a mention of a known handle (a key of ``names``) shows the person's
    name ("@copywriter" reads "@Daria Ivanova")."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    names = names or {}

    def mark(match):
        handle = match.group(1).lower()
        if handle not in names:
            return match.group(0)
        return f'<span class="mention">@{escape(names[handle])}</span>'

    html = MENTION.sub(mark, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
