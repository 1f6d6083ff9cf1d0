"""Every kind of notification: its name on the mail preferences page, the sentence shown in
the app and in mail, whether its comment is quoted, and how it is mailed by default."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mkflow.models import Channel


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # lazy: "Work handed to you"
    sentence: str  # lazy, with %(who)s and %(title)s
    default: Channel = Channel.IMMEDIATE
    quotes_comment: bool = False


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            "assigned",
            _l("Work handed to you"),
            _l("%(who)s passed you “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "approval",
            _l("Approval requested from you"),
            _l("%(who)s asks you to approve “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "returned",
            _l("Your work returned for rework"),
            _l("%(who)s returned “%(title)s” to you for rework."),
            quotes_comment=True,
        ),
        Kind(
            "resubmitted",
            _l("Work you sent back is reworked"),
            _l("%(who)s reworked “%(title)s”, which you sent back."),
        ),
        Kind(
            "taken_over",
            _l("Work taken from you"),
            _l("%(who)s took “%(title)s” from you: you need not do it."),
            quotes_comment=True,
        ),
        Kind(
            "approved",
            _l("Your work approved"),
            _l("%(who)s approved your work on “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "cancelled",
            _l("Your work cancelled"),
            _l("%(who)s cancelled “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "finished",
            _l("A process you launched finished"),
            _l("“%(title)s”, which you launched, is finished."),
            Channel.DIGEST,
        ),
        Kind(
            "task_assigned",
            _l("A task assigned to you"),
            _l("%(who)s assigned you the task “%(title)s”."),
        ),
        Kind(
            "task_review",
            _l("A task submitted for your review"),
            _l("%(who)s submitted “%(title)s” for your review."),
        ),
        Kind(
            "task_reopened",
            _l("Your task reopened"),
            _l("%(who)s reopened your task “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "task_done",
            _l("Your task accepted"),
            _l("%(who)s accepted your task “%(title)s”."),
            Channel.DIGEST,
        ),
        Kind(
            "mentioned",
            _l("You are mentioned"),
            _l("%(who)s mentioned you on “%(title)s”."),
            quotes_comment=True,
        ),
        Kind(
            "watched",
            _l("An item you watch moved"),
            _l("“%(title)s”, which you watch, moved on."),
            Channel.DIGEST,
        ),
        Kind(
            "handoff",
            _l("Hand-offs in your department"),
            _l("%(who)s handed “%(title)s” on in your department."),
            Channel.DIGEST,
        ),
        Kind(
            "due_tomorrow",  # the stored kind; the working days are counted since
            _l("Due on the next working day"),
            _l("“%(title)s” is due on the next working day."),
        ),
        Kind("overdue", _l("Overdue"), _l("“%(title)s” is overdue.")),
        Kind(
            "escalated",
            _l("Overdue work in your department"),
            _l("“%(title)s” is overdue in your department."),
        ),
    )
}
FALLBACK = Kind("moved", _l("Other changes"), _l("“%(title)s” moved on."), Channel.OFF)


def kind_of(key: str) -> Kind:
    return KINDS.get(key, FALLBACK)


def sentence(note) -> str:
    """What a notification says, in the current locale."""
    who = note.actor.name if note.actor else str(_l("mkflow"))
    item = note.instance or note.task
    return str(kind_of(note.kind).sentence) % {"who": who, "title": item.title if item else ""}
