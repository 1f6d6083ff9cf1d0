"""Cards made ready to print: the presenter between the domain's rows (processes.board.Card,
projects.listing.TaskRow) and the card partials (templates/cards/), and the one answer to an
action on a card (templates/_card_answer.html).

A board prints hundreds of cards, so each card's texts are prepared here in one Python pass
into a plain tuple; the partials loop over them inside one macro call per list and build
links from a prefix computed once (see cards/_item_card.html)."""

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from flask import render_template, url_for
from flask_babel import gettext as _

from mkflow.core import clock, urgency
from mkflow.core.formatting import formatter
from mkflow.models import TaskStatus
from mkflow.processes.board import cards_of, is_overdue
from mkflow.projects import listing
from mkflow.projects import tasks as project_tasks
from mkflow.projects.status import Move
from mkflow.web import i18n

# On the element around cards: their boosted forms stay on the page and swap only the
# out-of-band parts of the answer (templates/_card_answer.html).
CARD_HOST = 'hx-push-url="false" hx-swap="none"'


class ItemCard(NamedTuple):
    """A process item's card as printed on a board, My work or the finished list."""

    id: int
    title: str
    template_id: int
    template_name: str
    stage_key: str
    stage_name: str
    state: str
    is_active: bool
    assignee_name: str | None
    assignee_initials: str
    late: bool
    due_text: str
    age_text: str
    finished_text: str
    rework_count: int
    lock_version: int
    actions: tuple


def item_cards(now, cards) -> list[ItemCard]:
    """The domain's cards with their texts (due, time in stage, finished), in one pass."""
    overdue, due, in_stage = _("Overdue"), _("Due"), _("%(time)s in stage", time="{}")
    fmt = formatter()
    shown = []
    for card in cards:
        late = is_overdue(card, now)
        due_text = age_text = ""
        if card.is_active:
            if card.stage_due_at:
                due_at = card.stage_due_at
                moment = fmt.date(due_at.date()) if card.due_is_day else fmt.when(due_at)
                due_text = f"{overdue}: {moment}" if late else f"{due} {moment}"
            age_text = in_stage.replace("{}", fmt.duration(now - card.stage_entered_at))
        shown.append(
            ItemCard(
                card.id,
                card.title,
                card.template_id,
                card.template_name,
                card.stage_key,
                card.stage_name,
                card.state,
                card.is_active,
                card.assignee_name,
                card.assignee_initials,
                late,
                due_text,
                age_text,
                fmt.when(card.finished_at),
                card.rework_count,
                card.lock_version,
                card.actions,
            )
        )
    return shown


def card_context(now, columns=()) -> dict:
    """What a board of process cards needs: its columns' cards replaced by printable ones,
    and the card host attributes. On a share link (``shared`` in the page's context) cards
    link nowhere and carry no form: the partial leaves them out."""
    # One pass over every column's cards: the labels and the formatter are looked up once.
    shown = iter(item_cards(now, list(cards_of(columns))))
    for column in columns:
        column.cards = list(islice(shown, len(column.cards)))
        column.finished = list(islice(shown, len(column.finished)))
    return {"card_host": CARD_HOST}


def prepare_rows(rows) -> dict:
    """Fill each task row's link and date texts; return the labels every row shares."""
    prefix = url_for("projects.task", task_id=0)[:-1]  # "/projects/tasks/": + the id
    day = formatter().date
    for row in rows:
        row.url = prefix + str(row.id)
        row.start_text = day(row.start_date) if row.start_date else ""
        row.due_text = day(row.due_date) if row.due_date else ""
    return {"labels": row_labels()}


class WorkTask(NamedTuple):
    """A project task as a My work row."""

    id: int
    title: str
    url: str
    project_name: str
    status: str
    late: bool
    due_text: str
    lock_version: int
    moves: tuple
    blocked: bool  # waits for an open predecessor


def work_tasks(tasks, user, today) -> list[WorkTask]:
    """My work's tasks (ORM rows with their projects) with the moves ``user`` may make (a
    waiting one shows that it waits instead of Start)."""
    prefix = url_for("projects.task", task_id=0)[:-1]
    day = formatter().date
    blocked = listing.blocked_among([task.id for task in tasks])
    return [
        WorkTask(
            task.id,
            task.title,
            prefix + str(task.id),
            task.project.name,
            task.status,
            bool(task.due_date and task.due_date < today),
            day(task.due_date) if task.due_date else "",
            task.lock_version,
            listing.card_moves(project_tasks.allowed_moves(task, user), blocked=task.id in blocked),
            task.id in blocked,
        )
        for task in tasks
    ]


@dataclass
class WorkGroup:
    """A part of My work: what is overdue, due today, this week or later (core.urgency)."""

    key: str
    items: list[ItemCard] = field(default_factory=list)
    tasks: list[WorkTask] = field(default_factory=list)


def work_groups(now, today, cards, tasks, user) -> list[WorkGroup]:
    """My work's items (the domain's cards) and tasks (ORM rows) by when they are due, most
    urgent first within each group; only the groups that hold something."""
    groups = {key: WorkGroup(key) for key in urgency.GROUPS}
    zone = formatter().zone
    for card, shown in zip(cards, item_cards(now, cards), strict=True):
        due = clock.local(card.stage_due_at, zone).date() if card.stage_due_at else None
        groups[urgency.when(due, today, late=shown.late)].items.append(shown)
    for task, shown in zip(tasks, work_tasks(tasks, user, today), strict=True):
        groups[urgency.when(task.due_date, today, late=shown.late)].tasks.append(shown)
    return [group for group in groups.values() if group.items or group.tasks]


def row_labels() -> dict:
    """Texts shared by all task rows, in the request's language (not to be changed: they
    are made once per language, as a board asked for them once per column)."""
    return _row_labels(i18n.translations())


@lru_cache(maxsize=8)
def _row_labels(_translations) -> dict:
    return {
        "status": {status: str(status.label) for status in TaskStatus},
        "move": {move: str(move.label) for move in Move},
        "due": _("Due"),
        "milestone": _("Milestone"),
        "subtasks": _("Subtasks done"),
        "checklist": _("Checklist"),
        "waiting": _("waiting"),
        "waiting_title": _("A task it depends on is not done"),
        "broken": _("dependency broken"),
    }


@dataclass
class CardAnswer:
    """What an action on a card changed on the page it came from, for _card_answer.html:
    every piece is swapped out of band.

    - ``kind``: "item" (a process item) or "task" (a project task); ``layout``: "board" or
      "work" (a My work row).
    - ``gone``: the DOM id of the card to remove first (it left its column), or "".
    - ``card``: the card as it is now (an ItemCard or a TaskRow), or None; ``place``: where
      it goes: "beforeend:#…"/"afterbegin:#…" (into a column), or "true" (in place).
    - ``others``: other cards the action changed (a task's dependents, whose "waiting"
      follows its move), each replaced in place.
    - ``heads``: the columns whose heads (counts) changed; ``board``: on a refusal, the
      board's template to print whole, as it is now.
    - ``message``/``category``: what happened, for the live region; ``fix``: after a
      refusal, a link to where it can be put right.
    """

    kind: str
    layout: str
    message: str
    category: str = "success"
    gone: str = ""
    card: object = None
    place: str = ""
    heads: list | None = None
    board: str = ""
    others: list = field(default_factory=list)
    fix: str = ""  # after a refusal, the address where it can be put right (a missing field)


def render_answer(answer: CardAnswer, **context) -> str:
    """The answer to an action on a card (templates/_card_answer.html)."""
    return render_template(
        "_card_answer.html",
        answer=answer,
        message=answer.message,
        category=answer.category,
        **context,
    )
