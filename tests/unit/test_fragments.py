"""Rendered parts kept by what they were made of (web.fragments)."""

from datetime import date

from mkflow.web.fragments import FragmentCache


def test_a_part_is_made_once_per_thing_it_is_made_of():
    cache, made = FragmentCache(), []

    def make(text):
        made.append(text)
        return text

    first = cache.get_or_make(("gantt", 1, [(1, "Brief", date(2026, 3, 2))]), lambda: make("<a>"))
    again = cache.get_or_make(("gantt", 1, [(1, "Brief", date(2026, 3, 2))]), lambda: make("x"))
    other = cache.get_or_make(("gantt", 1, [(1, "Brief", date(2026, 3, 3))]), lambda: make("<b>"))
    assert (first, again, other) == ("<a>", "<a>", "<b>") and made == ["<a>", "<b>"]
    assert hasattr(first, "__html__")  # markup: a template puts it in as it is


def test_the_least_recently_used_parts_go_when_the_cache_is_full():
    cache = FragmentCache(max_bytes=10)
    cache.get_or_make("a", lambda: "aaaa")
    cache.get_or_make("b", lambda: "bbbb")
    cache.get_or_make("a", lambda: "new a")  # used again: now the most recent
    cache.get_or_make("c", lambda: "cccc")  # 12 bytes: "b" goes
    assert cache.get_or_make("a", lambda: "new a") == "aaaa"
    assert cache.get_or_make("b", lambda: "new b") == "new b"
    assert cache.get_or_make("huge", lambda: "h" * 11) == "h" * 11  # made, never kept
    assert cache.get_or_make("huge", lambda: "again") == "again"
