"""Small text helpers shared by the domain modules."""

import re

_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia".split()
_RU = {
    ru: ("" if latin == "-" else latin)
    for ru, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN, strict=True)
}


def slugify(text: str) -> str:
    """An ASCII slug; Cyrillic is transliterated so Russian names give readable slugs."""
    latin = "".join(_RU.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-") or "item"


def initials(name: str) -> str:
    """ "Elena Morozova" -> "EM"; "?" for no name (avatars)."""
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(…), @SUM…).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def spreadsheet_cell(value: str) -> str:
    """A CSV cell that a spreadsheet opens as the text it is: a leading ' makes a would-be
    formula text; numbers ("-3", "+1.5") stay numbers."""
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
