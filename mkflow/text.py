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
