"""Big projects on the board and the task list: the Done column shows the latest done tasks
and links to all of them, the list comes a page at a time in tree order with filters and
sorting kept, and neither page asks more of the database as the project grows.

The page size is made small here (5 rows) so a dozen tasks make three pages."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event
from support import add_people, new_project, new_task, user, waiting_pair

from mkflow.core.database import db
from mkflow.models import ChecklistItem, Task, TaskStatus
from mkflow.projects import listing
from mkflow.projects import tasks as task_rules

HTMX = {"HX-Request": "true"}
ROW = re.compile(r'<tr id="task-(\d+)"')
CARD = re.compile(r'<li class="card-item[^"]*" id="task-(\d+)"')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)


def finish(tasks, start=datetime(2026, 3, 2, 9, 0)):
    """Mark ``tasks`` done, each a minute after the one before."""
    for n, task in enumerate(tasks):
        task.status = TaskStatus.DONE
        task.status_changed_at = start + timedelta(minutes=n)
    db.session.commit()


@pytest.fixture
def small_columns(monkeypatch):
    monkeypatch.setattr(listing, "BOARD_PAGE", 3)


FOOT = re.compile(r'<div class="column-foot" id="colfoot-(\w+)"[^>]*>(.*?)</div>', re.S)
MORE = re.compile(r'<a class="more-link[^"]*" href="([^"]+)" hx-get="([^"]+)"[^>]*>([^<]*)</a>')


def column_of(body: str, status: str) -> str:
    start = body.index(f'id="col-{status}"')
    return body[start : body.index("</section>", start)]


def more_link(column: str) -> tuple[str, str]:
    """The "Show more" link's address (as the browser reads it) and text."""
    found = MORE.search(column)
    assert found.group(1) == found.group(2)  # the same page with and without htmx
    return found.group(1).replace("&amp;", "&"), found.group(3)


def test_the_done_column_shows_the_latest_done_tasks_then_more(demo, client, auth, small_columns):
    project = new_project()
    tasks = [new_task(project, f"Step {n}") for n in range(1, 8)]
    finish(tasks)  # Step 1 is the oldest done, the last one the latest
    auth.login()
    column = column_of(client.get(f"/projects/{project.id}/board").get_data(as_text=True), "done")
    latest = [t.id for t in reversed(tasks)]
    assert [int(i) for i in CARD.findall(column)] == latest[:3]
    assert '<span class="count" title="Tasks">7</span>' in column
    url, label = more_link(column)
    assert label == "Show more (4 left)"
    assert f'href="/projects/{project.id}?status=done">All done tasks (7)</a>' in column
    # Without JavaScript the link is a page of the next three, linking to the rest.
    page = client.get(url).get_data(as_text=True)
    assert [int(i) for i in CARD.findall(page)] == latest[3:6]
    assert "<html" in page and "Back to the board" in page
    url, label = more_link(page)
    assert label == "Show more (1 left)"
    last = client.get(url).get_data(as_text=True)
    assert [int(i) for i in CARD.findall(last)] == latest[6:]
    assert "more-link" not in last


def test_an_open_column_shows_its_most_urgent_tasks_and_loads_the_next_in_place(
    demo, client, auth, small_columns
):
    project = new_project()
    due = [date(2026, 3, d) for d in (20, 5, 12, 3, 30)] + [None, None]
    tasks = [new_task(project, f"Step {n}", due_date=d) for n, d in enumerate(due, start=1)]
    auth.login()
    body = client.get(f"/projects/{project.id}/board").get_data(as_text=True)
    column = column_of(body, "assigned")
    # Soonest due first, undated ones last (in their order of creation).
    urgent = [t.id for t in sorted(tasks[:5], key=lambda t: t.due_date)] + [
        tasks[5].id,
        tasks[6].id,
    ]
    assert [int(i) for i in CARD.findall(column)] == urgent[:3]
    assert '<span class="count" title="Tasks">7</span>' in column
    url, label = more_link(column)
    assert label == "Show more (4 left)"
    assert 'hx-trigger="click, intersect once"' in column
    # With htmx: the next cards join the column, the foot is replaced by the next one.
    fragment = client.get(url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment
    added = re.search(
        r'<div hx-swap-oob="beforeend:#tasks-assigned">(.*)</div>\s*<div class="column-foot"',
        fragment,
        re.S,
    )
    assert [int(i) for i in CARD.findall(added.group(1))] == urgent[3:6]
    assert 'hx-include="#board .board-state"' in added.group(1)  # their moves carry the state
    (status, foot), *_ = FOOT.findall(fragment)
    url, label = more_link(foot)
    assert status == "assigned" and label == "Show more (1 left)"
    fragment = client.get(url, headers=HTMX).get_data(as_text=True)
    assert [int(i) for i in CARD.findall(fragment)] == urgent[6:]
    assert "more-link" not in fragment
    assert 'name="after_assigned" value=""' in fragment  # all of it loaded


def test_a_short_done_column_shows_everything_without_a_link(demo, client, auth):
    project = new_project()
    tasks = [new_task(project, f"Step {n}") for n in range(1, 4)]
    finish(tasks[:2])
    auth.login()
    column = column_of(client.get(f"/projects/{project.id}/board").get_data(as_text=True), "done")
    assert [int(i) for i in CARD.findall(column)] == [tasks[1].id, tasks[0].id]
    assert "All done tasks" not in column and "more-link" not in column
    assert '<span class="count" title="Tasks">2</span>' in column


def test_filters_apply_to_the_counts_and_every_page(demo, client, auth, small_columns):
    project = new_project()
    copywriter = user("copywriter@demo.local")
    add_people(project, "copywriter@demo.local")
    tasks = [
        new_task(project, f"Step {n}", due_date=date(2026, 3, n), assignee=copywriter)
        if n % 2
        else new_task(project, f"Step {n}", due_date=date(2026, 3, n))
        for n in range(1, 11)
    ]
    theirs = [t.id for t in tasks if t.assignee_id == copywriter.id]
    auth.login()
    base = f"/projects/{project.id}/board?assignee={copywriter.id}"
    column = column_of(client.get(base).get_data(as_text=True), "assigned")
    assert [int(i) for i in CARD.findall(column)] == theirs[:3]
    assert '<span class="count" title="Tasks">5</span>' in column
    url, label = more_link(column)
    assert f"assignee={copywriter.id}" in url and label == "Show more (2 left)"
    page = client.get(url).get_data(as_text=True)
    assert [int(i) for i in CARD.findall(page)] == theirs[3:]
    # A search, too: Step 1 and Step 10 hold "1".
    column = column_of(
        client.get(f"/projects/{project.id}/board?q=step+1").get_data(as_text=True), "assigned"
    )
    assert [int(i) for i in CARD.findall(column)] == [tasks[0].id, tasks[9].id]
    assert '<span class="count" title="Tasks">2</span>' in column


def move_on_board(client, task, name, **state):
    return client.post(
        f"/projects/tasks/{task.id}/move",
        data={"move": name, "version": str(task.lock_version), "from": "board", **state},
        headers=HTMX,
    )


def test_a_move_to_done_on_the_board_answers_with_the_card_first_in_done(
    demo, client, auth, small_columns
):
    project = new_project()
    tasks = [new_task(project, f"Step {n}") for n in range(1, 7)]
    finish(tasks[:-1])
    last = tasks[-1]
    last.status = TaskStatus.ON_REVIEW
    db.session.commit()
    auth.login()
    board = client.get(f"/projects/{project.id}/board").get_data(as_text=True)
    cursor = re.search(r'name="after_done" value="([^"]*)"', board).group(1)
    response = move_on_board(client, last, "accept", after_done=cursor, after_on_review="")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert len(response.data) < 5000
    # Not the board: the card, first in Done (before the latest done one), the two counts
    # and the two feet (Done still has two past what is loaded).
    added = re.search(
        rf'<div hx-swap-oob="beforebegin:#task-{tasks[-2].id}">(.*?)</div>\s*<header', body, re.S
    )
    assert [int(i) for i in CARD.findall(added.group(1))] == [last.id]
    assert 'id="board"' not in body and len(CARD.findall(body)) == 1
    heads = dict(re.findall(r'id="colhead-(\w+)".*?<span class="count"[^>]*>(\d+)<', body, re.S))
    assert heads == {"on_review": "0", "done": str(len(tasks))}
    feet = dict(FOOT.findall(body))
    assert more_link(feet["done"])[1] == "Show more (2 left)"
    assert f"All done tasks ({len(tasks)})" in feet["done"]
    assert "more-link" not in feet["on_review"]
    column = column_of(client.get(f"/projects/{project.id}/board").get_data(as_text=True), "done")
    shown = [int(i) for i in CARD.findall(column)]
    assert shown[0] == last.id and len(shown) == 3
    assert f"All done tasks ({len(tasks)})" in column


def test_a_move_lands_among_the_loaded_cards_or_only_counts_past_them(
    demo, client, auth, small_columns
):
    project = new_project()
    tasks = [new_task(project, f"Step {n}", due_date=date(2026, 3, n)) for n in range(1, 8)]
    late = tasks[-1]
    late.status = TaskStatus.IN_PROGRESS
    early = tasks[0]
    db.session.commit()
    auth.login()
    board = client.get(f"/projects/{project.id}/board").get_data(as_text=True)
    cursor = re.search(r'name="after_assigned" value="([^"]*)"', board).group(1)
    assert cursor  # three of six loaded
    body = move_on_board(client, early, "start", after_assigned=cursor, after_in_progress="")
    body = body.get_data(as_text=True)
    heads = dict(re.findall(r'id="colhead-(\w+)".*?<span class="count"[^>]*>(\d+)<', body, re.S))
    assert heads == {"assigned": "5", "in_progress": "2"}
    # In progress is all loaded: Step 1 (due 1 March) goes before Step 7 (due 7 March).
    assert f'hx-swap-oob="beforebegin:#task-{late.id}"' in body
    feet = dict(FOOT.findall(body))
    assert more_link(feet["assigned"])[1] == "Show more (3 left)"  # Steps 4–6
    # The next page continues after the last card shown, without a duplicate.
    url, _ = more_link(feet["assigned"])
    page = client.get(url).get_data(as_text=True)
    assert [int(i) for i in CARD.findall(page)] == [t.id for t in tasks[3:6]]
    # Had In progress loaded only up to Step 1, Step 2 would fall past it: no card, the
    # count and what is left change.
    second = db.session.get(Task, tasks[1].id)
    loaded = listing.encode_cursor((date(2026, 3, 1), early.position, early.id))
    body = move_on_board(client, second, "start", after_assigned="", after_in_progress=loaded)
    body = body.get_data(as_text=True)
    assert f'id="task-{second.id}" hx-swap-oob="delete"' in body and not CARD.findall(body)
    feet = dict(FOOT.findall(body))
    assert more_link(feet["in_progress"])[1] == "Show more (2 left)"  # Steps 2 and 7


def test_each_row_carries_its_own_move_form(demo, client, auth):
    """Each row's move form posts its own task and version."""
    project = new_project()
    first, second = new_task(project, "Brief"), new_task(project, "Copy")
    second.title = "Copy, revised"  # a second version
    db.session.commit()
    auth.login()
    for url in (f"/projects/{project.id}", f"/projects/{project.id}/board"):
        body = client.get(url).get_data(as_text=True)
        for task in (first, second):
            row = body[body.index(f'id="task-{task.id}"') :]
            form = row[row.index("<form") : row.index("</form>")]
            assert f'action="/projects/tasks/{task.id}/move"' in form
            assert f'name="version" value="{task.lock_version}"' in form
    response = client.post(
        f"/projects/tasks/{second.id}/move",
        data={"move": "start", "version": str(second.lock_version), "from": "list"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, second.id).status == TaskStatus.IN_PROGRESS
    assert db.session.get(Task, first.id).status == TaskStatus.ASSIGNED


def make_tree(project):
    """Twelve tasks: four top-level ones, each with two subtasks. Tree order: A, A.1, A.2,
    B, B.1, B.2, ..."""
    order = []
    for letter in "ABCD":
        top = new_task(project, f"Task {letter}")
        order.append(top)
        for n in (1, 2):
            order.append(new_task(project, f"Task {letter}.{n}", parent_id=top.id))
    return order


def test_the_list_comes_a_page_at_a_time_in_tree_order(demo, client, auth, small_pages):
    project = new_project()
    order = [t.id for t in make_tree(project)]
    auth.login()
    first = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(first)] == order[:5]
    assert "Tasks 1–5 of 12" in first
    assert f'href="/projects/{project.id}?page=2"' in first
    assert f'href="/projects/{project.id}?page=3"' in first
    second = client.get(f"/projects/{project.id}?page=2").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(second)] == order[5:10]  # B.2 continues B's tree
    assert "Tasks 6–10 of 12" in second
    assert f'<a href="/projects/{project.id}" rel="prev">' in second  # the first page
    beyond = client.get(f"/projects/{project.id}?page=99").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(beyond)] == order[10:]


def test_a_short_list_has_no_page_links(demo, client, auth, small_pages):
    project = new_project()
    tasks = [new_task(project, f"Step {n}") for n in range(1, 4)]
    auth.login()
    body = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(body)] == [t.id for t in tasks]
    assert 'class="pages"' not in body and "page=" not in body


def test_pages_keep_the_filters_and_the_sort(demo, client, auth, small_pages):
    project = new_project()
    tasks = make_tree(project)
    finish([t for t in tasks if t.title.endswith(".2")])  # four done, eight open
    auth.login()
    base = f"/projects/{project.id}"
    body = client.get(f"{base}?status=assigned&sort=title").get_data(as_text=True)
    titles = sorted((t.title.lower(), t.id) for t in tasks if not t.title.endswith(".2"))
    assert [int(i) for i in ROW.findall(body)] == [i for _, i in titles[:5]]
    assert "Tasks 1–5 of 8" in body
    next_page = f'href="{base}?status=assigned&amp;sort=title&amp;page=2"'
    assert next_page in body
    body = client.get(f"{base}?status=assigned&sort=title&page=2").get_data(as_text=True)
    assert [int(i) for i in ROW.findall(body)] == [i for _, i in titles[5:]]
    # Another sort starts again at the first page; the filter stays.
    assert f'href="{base}?status=assigned&amp;sort=due"' in body


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


def statements_for(client, url: str) -> int:
    counter = Statements()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_the_list_and_the_board_ask_the_same_whatever_the_size(demo, client, auth, small_pages):
    project = new_project()
    make_tree(project)
    auth.login()
    pages = (
        f"/projects/{project.id}",
        f"/projects/{project.id}?page=2",
        f"/projects/{project.id}/board",
        f"/projects/{project.id}/board/assigned?after=2030-01-01_1_1",
        f"/projects/{project.id}/board?assignee=1&overdue=1&q=task",
    )
    small = [statements_for(client, url) for url in pages]
    tasks = make_tree(project) + make_tree(project)
    finish(tasks[:30])  # more done tasks than the board shows
    assert [statements_for(client, url) for url in pages] == small


def test_a_move_from_the_list_returns_to_the_same_page(demo, client, auth, small_pages):
    project = new_project()
    tasks = [new_task(project, f"Step {n:02d}") for n in range(1, 13)]
    auth.login()
    url = f"/projects/{project.id}?sort=title&page=2"
    body = client.get(url).get_data(as_text=True)
    assert f'name="next" value="{url.replace("&", "&amp;")}"' in body
    task = tasks[6]  # "Step 07", on page two when sorted by title
    response = client.post(
        f"/projects/tasks/{task.id}/move",
        data={"move": "start", "version": "1", "from": "list", "next": url},
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    evil = client.post(
        f"/projects/tasks/{task.id}/move",
        data={"move": "submit", "version": "2", "from": "list", "next": "//evil.example/"},
    )
    assert evil.headers["Location"] == f"/projects/{project.id}"


def test_rows_show_their_subtask_checklist_and_waiting_counters(demo, client, auth):

    project = new_project()
    parent = new_task(project, "Landing page")
    done_child = new_task(project, "Copy", parent_id=parent.id)
    new_task(project, "Layout", parent_id=parent.id)
    finish([db.session.get(Task, done_child.id)])
    blocker, waiting = new_task(project, "Brief"), new_task(project, "Banner")
    manager = user("head@demo.local")
    task_rules.add_link(db.session.get(Task, waiting.id), manager, blocker.id, "fs")
    for text in ("Logo", "Colours", "Fonts"):
        task_rules.add_check(db.session.get(Task, parent.id), manager, text)
    db.session.scalars(db.select(ChecklistItem).order_by(ChecklistItem.id)).first().done = True
    db.session.commit()
    auth.login()

    def row(body, task, end):
        start = body.index(f'id="task-{task.id}"')
        return body[start : body.index(end, start)]

    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "1/2" in row(page, parent, "</tr>") and "☑ 1/3" in row(page, parent, "</tr>")
    assert "waiting" in row(page, waiting, "</tr>")
    assert "waiting" not in row(page, blocker, "</tr>")
    board = client.get(f"/projects/{project.id}/board").get_data(as_text=True)
    assert "1/2" in row(board, parent, "</li>")
    assert "waiting" in row(board, waiting, "</li>")
    assert "waiting" not in row(board, blocker, "</li>")


def test_accepting_a_task_answers_its_loaded_dependents_without_waiting(
    demo, client, auth, small_columns
):
    project = new_project()
    blocker = new_task(project, "Brief", due_date=date(2026, 3, 1))
    waiting = [new_task(project, f"Banner {n}", due_date=date(2026, 3, 2 + n)) for n in range(5)]
    manager = user("head@demo.local")
    for task in waiting:
        task_rules.add_link(db.session.get(Task, task.id), manager, blocker.id, "fs")
    blocker = db.session.get(Task, blocker.id)
    blocker.status = TaskStatus.ON_REVIEW
    db.session.commit()
    auth.login()
    board = client.get(f"/projects/{project.id}/board").get_data(as_text=True)
    assert column_of(board, "assigned").count("badge-waiting") == 3  # the three loaded
    cursors = dict(re.findall(r'name="(after_\w+)" value="([^"]*)"', board))
    response = move_on_board(client, blocker, "accept", **cursors)
    body = response.get_data(as_text=True)
    # The loaded dependents come again, in place and without "waiting"; the two not loaded
    # do not (their cards are not on the page); the answer stays small.
    replaced = re.findall(r'<li class="card-item[^"]*" id="task-(\d+)" hx-swap-oob="true">', body)
    assert [int(i) for i in replaced] == [t.id for t in waiting[:3]]
    assert "badge-waiting" not in body
    assert len(response.data) < 5000


def test_a_waiting_task_says_so_instead_of_offering_a_start_that_would_be_refused(
    demo, client, auth
):
    project = new_project()
    brief, banner = waiting_pair(project)
    designer = user("designer@demo.local")

    def card(html: str, task) -> str:  # on the board (task-N) or on My work (mytask-N)
        start = re.search(rf'id="(my)?task-{task.id}"', html).start()
        return html[start : html.index("</li>", start)]

    auth.login("designer@demo.local")
    for page in (f"/projects/{project.id}/board", "/me"):
        html = client.get(page).get_data(as_text=True)
        assert 'value="start"' in card(html, brief), page
        waiting = card(html, banner)
        assert 'value="start"' not in waiting and "badge-waiting" in waiting, page
        assert f'href="/projects/tasks/{banner.id}#now-title"' in waiting
    task_page = client.get(f"/projects/tasks/{banner.id}").get_data(as_text=True)
    assert "Waiting for: Brief." in task_page and "the project manager may start it" in task_page
    assert 'value="start"' not in task_page
    auth.logout()
    auth.login()  # the manager: Start with the override and its reason
    task_page = client.get(f"/projects/tasks/{banner.id}").get_data(as_text=True)
    assert 'value="start"' in task_page and 'name="override"' in task_page

    task_rules.move(db.session.get(Task, brief.id), designer, "start")
    task_rules.move(db.session.get(Task, brief.id), designer, "submit")
    db.session.commit()
    task_rules.move(db.session.get(Task, brief.id), user("head@demo.local"), "accept")
    db.session.commit()
    auth.logout()
    auth.login("designer@demo.local")
    assert 'value="start"' in card(client.get("/me").get_data(as_text=True), banner)


def test_accepting_with_an_open_checklist_asks_on_the_task_page_and_on_the_board(
    demo, client, auth
):
    project = new_project()
    tasks = [new_task(project, title) for title in ("On the page", "On the board")]
    for task in tasks:
        task_rules.add_check(db.session.get(Task, task.id), project.manager, "Proofread")
        task = db.session.get(Task, task.id)
        task.status = TaskStatus.ON_REVIEW
    db.session.commit()
    auth.login()
    page_task, board_task = (db.session.get(Task, t.id) for t in tasks)

    def accept(task, **extra):
        data = {"move": "accept", "version": task.lock_version, **extra}
        return client.post(f"/projects/tasks/{task.id}/move", data=data)

    asked = accept(page_task, **{"from": "task"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "1 of 1 checklist items are not done" in html
    assert 'name="confirm" value="1"' in html and "Yes, accept it" in html
    confirmed = accept(page_task, **{"from": "task", "confirm": "1"})
    db.session.expire_all()
    assert confirmed.status_code == 302
    assert db.session.get(Task, page_task.id).status == TaskStatus.DONE

    board = client.post(
        f"/projects/tasks/{board_task.id}/move",
        data={"move": "accept", "version": board_task.lock_version, "from": "board"},
        headers={"HX-Request": "true"},
    )
    alert = board.get_data(as_text=True)
    alert = alert[alert.index('id="board-alert"') :]
    assert board.status_code == 409 and "Accept the task anyway?" in alert
    assert f'action="/projects/tasks/{board_task.id}/move"' in alert
    assert 'name="confirm" value="1"' in alert and "Yes, accept “On the board”" in alert
    db.session.expire_all()
    assert db.session.get(Task, board_task.id).status == TaskStatus.ON_REVIEW


def test_accepting_from_my_work_with_an_open_checklist_asks_in_the_message(demo, client, auth):
    project = new_project()
    task = new_task(project, "Press kit", reviewer=user("head@demo.local"))
    task_rules.add_check(db.session.get(Task, task.id), project.manager, "Photos")
    task = db.session.get(Task, task.id)
    task.status = TaskStatus.ON_REVIEW
    db.session.commit()
    auth.login()
    data = {"move": "accept", "version": task.lock_version, "from": "me"}
    answer = client.post(
        f"/projects/tasks/{task.id}/move", data=data, headers={"HX-Request": "true"}
    )
    live = answer.get_data(as_text=True)
    live = live[live.index('id="live-message"') :]
    assert answer.status_code == 409 and "Accept the task anyway?" in live
    assert 'name="confirm" value="1"' in live and 'name="from" value="me"' in live
    data["confirm"] = "1"
    done = client.post(f"/projects/tasks/{task.id}/move", data=data, headers={"HX-Request": "true"})
    assert done.status_code == 200 and f'id="mytask-{task.id}" hx-swap-oob="delete"' in done.text
