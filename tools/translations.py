"""Refresh the catalogues from the source: `python tools/translations.py`.

Extracts every translatable string, merges it into the Russian and English catalogues
(keeping existing translations), and fills the English one with the source text, since
the source language is English. Untranslated Russian entries stay empty so the test
`test_russian_catalogue_is_complete_and_consistent` points at them.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "mkflow" / "translations"
POT = TRANSLATIONS / "messages.pot"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def run(*args: str) -> None:
    subprocess.run([*PYBABEL, *args], cwd=ROOT, check=True)


def main() -> None:
    run(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "_lp:1c,2",
        "--no-location",
        "--sort-output",
        "--project",
        "mkflow",
        "-o",
        str(POT),
        ".",
    )
    run(
        "update",
        "-i",
        str(POT),
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    for locale in ("ru", "en"):
        path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=locale)
        catalogue.fuzzy = False  # a fuzzy header would make pybabel compile skip the file
        catalogue.project, catalogue.version = "mkflow", "0.1"
        if locale == "en":
            for message in catalogue:
                if message.id and not message.string:
                    message.string = message.id
        with path.open("wb") as handle:
            write_po(handle, catalogue, sort_output=True, width=100)


if __name__ == "__main__":
    main()
