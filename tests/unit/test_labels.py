"""Every labelled enum names each of its members in both languages, from one place."""

import re

import pytest
from flask_babel import force_locale

from mkflow.core.labels import LabelledEnum
from mkflow.models import EventKind, StageKind
from mkflow.processes.rules import Action  # noqa: F401  (its enum is among the labelled)
from mkflow.projects.status import Move  # noqa: F401

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _labelled(cls=LabelledEnum):
    for sub in cls.__subclasses__():
        yield sub
        yield from _labelled(sub)


ENUMS = sorted(_labelled(), key=lambda cls: cls.__name__)
MEMBERS = [member for cls in ENUMS for member in cls]


def test_the_labelled_enums_are_found():
    names = {cls.__name__ for cls in ENUMS}
    assert {"StageKind", "TaskStatus", "EventKind", "Action", "Move", "MailStatus"} <= names


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_every_member_has_a_label_in_english_and_in_russian(app, member):
    wordings = [member.label]
    if isinstance(member, EventKind) and member.outcome is not None:
        wordings.append(member.outcome)
    for wording in wordings:
        with force_locale("en"):
            english = str(wording)
        with force_locale("ru"):
            russian = str(wording)
        assert english.strip()
        # Untranslated, the Russian page would show the English msgid.
        assert CYRILLIC.search(russian), f"{member!r}: {russian!r} is not translated"


def test_a_labelled_member_is_still_its_stored_text():
    assert StageKind("approval") is StageKind.APPROVAL
    assert StageKind.APPROVAL == "approval" and f"{StageKind.APPROVAL}" == "approval"
    first = StageKind.choices()[0]
    assert (first.value, first.label) == ("work", StageKind.WORK.label)


def test_a_stage_kind_has_one_name(app):
    with force_locale("ru"):
        assert [str(kind.label) for kind in StageKind] == [
            "Работа",
            "Согласование",
            "Ожидание даты публикации",
            "Финальный этап",
        ]
