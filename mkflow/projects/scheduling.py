"""Dependency scheduling for project tasks: plain dates in, plain dates out (no database).

Dates are inclusive: a one-day task has ``start == due``. Lags and lengths count working
days of a ``Calendar`` (mkflow.core.workdays: the company's weekend, holidays and moved
working days). A task missing one date uses the other for both; a task with no dates imposes
nothing and is never moved.

A link from a predecessor P to a successor S demands, where ``add(d, n)`` is the n-th
working day after d (before d when n < 0; d itself, or the next working day, when n == 0):

    FS  S.start >= add(P.due, 1 + lag)     lag 0: S starts the working day after P finishes
    SS  S.start >= add(P.start, lag)       lag 0: S starts no earlier than P
    FF  S.due   >= add(P.due, lag)         lag 0: S finishes no earlier than P
    SF  S.due   >= add(P.start, lag - 1)   lag 0: S may finish the working day before P starts

A positive lag adds a gap, a negative lag lets the tasks overlap (FS with lag -1: S may
start on the day P finishes).

Manual mode only reports the links a plan breaks (``broken_links``). Automatic mode
(``reschedule``) moves every task that breaks an incoming link forward, just far enough,
keeping its length in working days and starting it on a working day; it never moves a task
backward. A parent's dates are the span of its subtasks (``roll_up``).
"""

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mkflow.core.workdays import Calendar
from mkflow.models.projects import LinkKind


@dataclass
class Span:
    id: int
    title: str
    start: date | None
    due: date | None


@dataclass(frozen=True)
class Link:
    predecessor: int
    successor: int
    kind: LinkKind
    lag: int = 0  # working days, may be negative


# kind -> (successor date constrained, predecessor date it counts from, extra working days)
_RULES = {
    LinkKind.FS: ("start", "due", 1),
    LinkKind.SS: ("start", "start", 0),
    LinkKind.FF: ("due", "due", 0),
    LinkKind.SF: ("due", "start", -1),
}


def _dates(span: Span | None) -> tuple[date, date] | None:
    if span is None or (span.start is None and span.due is None):
        return None
    return span.start or span.due, span.due or span.start


def _demand(link: Link, pred: tuple[date, date], cal: Calendar) -> tuple[str, date]:
    target, anchor, shift = _RULES[link.kind]
    return target, cal.add(pred[1] if anchor == "due" else pred[0], link.lag + shift)


def bound(link: Link, pred: Span, cal: Calendar) -> tuple[str, date] | None:
    """("start" or "due", the earliest date) the link demands of its successor; None when
    the predecessor has no dates."""
    dates = _dates(pred)
    return None if dates is None else _demand(link, dates, cal)


def is_broken(link: Link, pred: Span, succ: Span, cal: Calendar) -> bool:
    """Whether the successor's dates fall short of the link; a dateless side breaks nothing."""
    demand, dates = bound(link, pred, cal), _dates(succ)
    if demand is None or dates is None:
        return False
    (target, earliest), (start, due) = demand, dates
    return (due if target == "due" else start) < earliest


def broken_links(spans: dict[int, Span], links: Iterable[Link], cal: Calendar) -> list[Link]:
    """Manual mode: the links the current dates break, in their given order."""
    return [
        link
        for link in links
        if link.predecessor in spans
        and link.successor in spans
        and is_broken(link, spans[link.predecessor], spans[link.successor], cal)
    ]


def find_cycle(links: Iterable[Link]) -> list[int] | None:
    """The ids of one cycle in link order ([3, 7, 9]: 3 -> 7 -> 9 -> 3), or None for a DAG."""
    successors = defaultdict(list)
    for link in links:
        successors[link.predecessor].append(link.successor)
    done: set[int] = set()
    for root in list(successors):
        if root in done:
            continue
        # Depth-first with an explicit stack; `path` is the current chain, `on_path` its set.
        path, on_path, stack = [root], {root}, [iter(successors[root])]
        while stack:
            for nxt in stack[-1]:
                if nxt in on_path:
                    return path[path.index(nxt) :]
                if nxt not in done:
                    path.append(nxt)
                    on_path.add(nxt)
                    stack.append(iter(successors.get(nxt, ())))
                    break
            else:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
    return None


def would_create_cycle(links: Iterable[Link], new: Link) -> list[int] | None:
    """The cycle that `links` plus `new` would contain ([id] for a self-link), or None."""
    return find_cycle([*links, new])


def _topological_order(links: list[Link], nodes: Iterable[int]) -> list[int] | None:
    """Kahn's algorithm; None when a cycle leaves some node unordered."""
    successors, waiting = defaultdict(list), dict.fromkeys(nodes, 0)
    for link in links:
        successors[link.predecessor].append(link.successor)
        waiting.setdefault(link.predecessor, 0)
        waiting[link.successor] = waiting.get(link.successor, 0) + 1
    ready = deque(node for node, count in waiting.items() if count == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for nxt in successors[node]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    return order if len(order) == len(waiting) else None


def _moved(
    dates: tuple[date, date], demands: list[tuple[str, date]], cal: Calendar
) -> tuple[date, date] | None:
    """New (start, due) when a demand is unmet, else None."""
    start, due = dates
    if all((due if target == "due" else start) >= day for target, day in demands):
        return None
    length = cal.workdays(start, due)
    # A start demand is the start itself; a due demand (a working day) gives the start that
    # puts the due date there at the same length.
    earliest = max(
        day if target == "start" else cal.add(day, 1 - length) for target, day in demands
    )
    if earliest < start:  # only for a start after the due date: never move backward
        earliest = cal.roll_forward(start)
    return earliest, cal.add(earliest, length - 1)


def reschedule(
    spans: dict[int, Span],
    links: Iterable[Link],
    cal: Calendar,
    changed: Iterable[int] | None = None,
) -> dict[int, tuple[date, date]]:
    """Automatic mode: move the tasks at or downstream of `changed` (all when None) that break
    an incoming link. Returns {id: (start, due)} for the moved tasks only; ValueError when
    the links contain a cycle."""
    links = list(links)
    order = _topological_order(links, spans)
    if order is None:
        raise ValueError(f"the task links form a cycle: {find_cycle(links)}")
    incoming, outgoing = defaultdict(list), defaultdict(list)
    for link in links:
        incoming[link.successor].append(link)
        outgoing[link.predecessor].append(link.successor)
    current = {task: _dates(span) for task, span in spans.items()}  # the input stays untouched
    affected = set(spans) if changed is None else set(changed)
    moves = {}
    for task in order:
        dates = current.get(task)
        if task not in affected or dates is None:
            continue  # dateless tasks are skipped and pass nothing on
        demands = [
            _demand(link, current[link.predecessor], cal)
            for link in incoming[task]
            if current.get(link.predecessor)
        ]
        new = _moved(dates, demands, cal)
        if new is not None:
            moves[task] = current[task] = new
        affected.update(outgoing[task])
    return moves


def roll_up(
    spans: dict[int, Span], parent_of: dict[int, int | None]
) -> dict[int, tuple[date | None, date | None]]:
    """Parents span their subtasks, to any depth. Returns only the parents whose dates change."""
    children = defaultdict(list)
    for child, parent in parent_of.items():
        if parent is not None:
            children[parent].append(child)
    waiting = {parent: len(kids) for parent, kids in children.items()}
    ready = [task for task in {*spans, *parent_of} if task not in children]  # leaves first
    dates = {task: _dates(span) for task, span in spans.items()}
    changes = {}
    while ready:
        task = ready.pop()
        known = [dates[kid] for kid in children.get(task, ()) if dates.get(kid)]
        if known and task in spans:
            dates[task] = min(s for s, _ in known), max(d for _, d in known)
            if dates[task] != (spans[task].start, spans[task].due):
                changes[task] = dates[task]
        parent = parent_of.get(task)
        if parent is not None:
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    if any(waiting.values()):
        raise ValueError("the task hierarchy has a cycle")
    return changes
